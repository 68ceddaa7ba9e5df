package driftless.dockerfile.latest_tag_test

import data.driftless.dockerfile.latest_tag

stage(image, ref) := {"index": 0, "name": null, "from": {"text": image, "image": image, "platform": null, "ref": ref, "stage": null, "scratch": false}, "instructions": []}

test_latest if {
	doc := {"args": [], "stages": [stage("node:latest", {"registry": null, "repository": "node", "tag": "latest", "digest": null})]}
	some f in latest_tag.deny with input as doc
	f.path == ["stages", 0, "from", "image"]
}

test_pinned_is_fine if {
	doc := {"args": [], "stages": [stage("node:22", {"registry": null, "repository": "node", "tag": "22", "digest": null})]}
	count(latest_tag.deny) == 0 with input as doc
}

test_stage_reference_is_not_an_image if {
	doc := {"args": [], "stages": [stage("build", null)]}
	count(latest_tag.deny) == 0 with input as doc
}

test_allowed_images_are_accepted if {
	doc := {"args": [], "stages": [stage("base/node:latest", {"registry": null, "repository": "base/node", "tag": "latest", "digest": null})]}
	count(latest_tag.deny) == 0 with input as doc with data.driftless.config.options.TAG001.allowed_images as ["base/*"]
}

test_digest_after_latest_pins_the_image if {
	ref := {"registry": null, "repository": "node", "tag": "latest", "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}
	count(latest_tag.deny) == 0 with input as {"args": [], "stages": [stage("node:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000", ref)]}
}

instr(cmd, flags) := {"cmd": cmd, "flags": flags, "args": [], "commands": []}

two_stages(instructions) := {"args": [], "stages": [
	{"index": 0, "name": "Build", "from": {"image": "golang:1.22", "ref": {"registry": null, "repository": "golang", "tag": "1.22", "digest": null}}, "instructions": []},
	{"index": 1, "name": null, "from": {"image": "alpine:3.20", "ref": {"registry": null, "repository": "alpine", "tag": "3.20", "digest": null}}, "instructions": instructions},
]}

test_copy_from_and_mount_from_images if {
	doc := two_stages([
		instr("copy", {"from": "nginx:latest"}),
		{"cmd": "run", "flags": {"mount": "type=cache,target=/d"}, "flag_list": [{"name": "mount", "value": "type=cache,target=/c,from=busybox:latest"}, {"name": "mount", "value": "type=cache,target=/d"}], "args": []},
		instr("copy", {"from": "build"}),
		instr("copy", {"from": "0"}),
		instr("copy", {"from": "nginx:1.27"}),
	])
	paths := {f.path | some f in latest_tag.deny with input as doc}
	paths == {["stages", 1, "instructions", 0, "flags", "from"], ["stages", 1, "instructions", 1, "flag_list", 0, "value"]}
}

test_onbuild_copy_from_image if {
	doc := two_stages([{"cmd": "onbuild", "trigger": {"cmd": "copy", "flags": {"from": "nginx:latest"}, "args": []}}, {"cmd": "onbuild", "trigger": {"cmd": "copy", "flags": {"from": "builder"}, "args": []}}])
	paths := {f.path | some f in latest_tag.deny with input as doc}
	paths == {["stages", 1, "instructions", 0, "trigger", "flags", "from"]}
}
