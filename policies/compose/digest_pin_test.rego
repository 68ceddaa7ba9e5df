package driftless.compose.digest_pin_test

import data.driftless.compose.digest_pin

test_tag_without_digest if {
	count(digest_pin.deny) == 1 with input as {"services": {"web": {"image": "nginx:1.27"}}}
}

test_variable_image_is_not_pinned if {
	count(digest_pin.deny) == 1 with input as {"services": {"web": {"image": "nginx:${TAG}"}}}
}

test_digest_is_fine if {
	count(digest_pin.deny) == 0 with input as {"services": {"web": {"image": "nginx@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}}}
}
