package driftless.kustomization.digest_pin_test

import data.driftless.kustomization.digest_pin

test_tag_without_digest if {
	some f in digest_pin.deny with input as {"images": [{"name": "web", "newTag": "1.27"}]}
	f.path == ["images", 0, "newTag"]
}

test_digest_is_fine if {
	count(digest_pin.deny) == 0 with input as {"images": [{"name": "web", "newTag": "1.27", "digest": "sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}]}
}
