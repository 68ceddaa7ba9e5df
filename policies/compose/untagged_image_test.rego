package driftless.compose.untagged_image_test

import data.driftless.compose.untagged_image

test_untagged_service_image if {
	some f in untagged_image.deny with input as {"services": {"db": {"image": "registry.example:5000/postgres"}}}
	f.path == ["services", "db", "image"]
}

test_tag_or_digest_is_fine if {
	count(untagged_image.deny) == 0 with input as {"services": {
		"a": {"image": "postgres:16"},
		"b": {"image": "postgres@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"},
	}}
}
