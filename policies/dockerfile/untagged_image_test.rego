package driftless.dockerfile.untagged_image_test

import data.driftless.dockerfile.untagged_image

doc(image, ref) := {"args": [], "stages": [{"index": 0, "name": null, "from": {"text": image, "image": image, "platform": null, "ref": ref, "stage": null, "scratch": false}, "instructions": []}]}

test_untagged if {
	count(untagged_image.deny) == 1 with input as doc("ubuntu", {"registry": null, "repository": "ubuntu", "tag": null, "digest": null})
}

test_port_is_not_a_tag if {
	ref := {"registry": "registry.example:5000", "repository": "app", "tag": null, "digest": null}
	count(untagged_image.deny) == 1 with input as doc("registry.example:5000/app", ref)
}

test_digest_pins if {
	ref := {"registry": null, "repository": "ubuntu", "tag": null, "digest": "sha256:00"}
	count(untagged_image.deny) == 0 with input as doc("ubuntu@sha256:00", ref)
}

test_scratch_is_not_an_image if {
	count(untagged_image.deny) == 0 with input as doc("scratch", null)
}

test_malformed_digest_pins_nothing if {
	some f in untagged_image.deny with input as doc("alpine@sha256:abc", null)
	contains(f.msg, "not a valid image reference")
}

test_digest_written_as_a_tag_pins_nothing if {
	image := "rockylinux:sha256:c530b10099eeedad9d384ffc7419f355d93289b2e615143256186406ee04e275"
	count(untagged_image.deny) == 1 with input as doc(image, null)
}

test_stages_scratch_and_variables_are_not_invalid if {
	stage_ref := {"args": [], "stages": [{"index": 0, "name": null, "from": {"text": "build", "image": "build", "platform": null, "ref": null, "stage": 0, "scratch": false}, "instructions": []}]}
	count(untagged_image.deny) == 0 with input as stage_ref
	count(untagged_image.deny) == 0 with input as doc("scratch", null)
	count(untagged_image.deny) == 0 with input as doc("${BASE}", null)
}

test_copy_from_untagged_image if {
	doc := {"args": [], "stages": [{"index": 0, "name": null, "from": {"image": "alpine:3.20", "ref": {"registry": null, "repository": "alpine", "tag": "3.20", "digest": null}}, "instructions": [{"cmd": "copy", "flags": {"from": "nginx"}, "args": []}]}]}
	some f in untagged_image.deny with input as doc
	f.path == ["stages", 0, "instructions", 0, "flags", "from"]
}

test_copy_from_a_stage_without_a_name_before_it if {
	doc := {"args": [], "stages": [
		{"index": 0, "name": null, "from": {"image": "alpine:3.20", "ref": {"registry": null, "repository": "alpine", "tag": "3.20", "digest": null}}, "instructions": []},
		{"index": 1, "name": null, "from": {"image": "alpine:3.20", "ref": {"registry": null, "repository": "alpine", "tag": "3.20", "digest": null}}, "instructions": [{"cmd": "copy", "flags": {"from": "redis"}, "args": []}]},
	]}
	count(untagged_image.deny) == 1 with input as doc
}
