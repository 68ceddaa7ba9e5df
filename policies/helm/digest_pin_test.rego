package driftless.helm.digest_pin_test

import data.driftless.helm.digest_pin

test_tag_without_digest if {
	count(digest_pin.deny) == 1 with input as {"source": "values", "values": {"image": {"repository": "nginx", "tag": "1.27"}}, "app_version": null}
}

test_digest_field_or_suffix_pins if {
	count(digest_pin.deny) == 0 with input as {"source": "values", "values": {
		"a": {"image": {"repository": "nginx", "digest": "sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}},
		"b": {"image": {"repository": "nginx", "tag": "1.27@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}},
		"c": {"image": "nginx@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"},
	}, "app_version": null}
}
