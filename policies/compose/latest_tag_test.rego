package driftless.compose.latest_tag_test

import data.driftless.compose.latest_tag

test_latest_service_image if {
	some f in latest_tag.deny with input as {"services": {"web": {"image": "nginx:latest"}}}
	f.path == ["services", "web", "image"]
}

test_pinned_and_built_services_are_fine if {
	count(latest_tag.deny) == 0 with input as {"services": {"web": {"image": "nginx:1.27"}, "app": {"build": "."}}}
}

test_digest_after_latest_pins if {
	count(latest_tag.deny) == 0 with input as {"services": {"web": {"image": "nginx:latest@sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}}}
}
