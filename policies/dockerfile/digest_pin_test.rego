package driftless.dockerfile.digest_pin_test

import data.driftless.dockerfile.digest_pin

doc(ref) := {"args": [], "stages": [{"index": 0, "name": null, "from": {"text": "x", "image": "x", "platform": null, "ref": ref, "stage": null, "scratch": false}, "instructions": []}]}

test_tag_only if {
	count(digest_pin.deny) == 1 with input as doc({"registry": null, "repository": "python", "tag": "3.12", "digest": null})
}

test_digest_is_fine if {
	count(digest_pin.deny) == 0 with input as doc({"registry": null, "repository": "python", "tag": "3.12", "digest": "sha256:00"})
}

test_copy_from_tagged_image if {
	doc := {"args": [], "stages": [{"index": 0, "name": null, "from": {"image": "alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000", "ref": {"registry": null, "repository": "alpine", "tag": null, "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}}, "instructions": [{"cmd": "copy", "flags": {"from": "nginx:1.27"}, "args": []}]}]}
	count(digest_pin.deny) == 1 with input as doc
}
