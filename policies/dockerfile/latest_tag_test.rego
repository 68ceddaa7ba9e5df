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
