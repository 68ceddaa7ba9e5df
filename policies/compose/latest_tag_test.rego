package driftless.compose.latest_tag_test

import data.driftless.compose.latest_tag

test_latest_service_image if {
	some f in latest_tag.deny with input as {"services": {"web": {"image": "nginx:latest"}}}
	f.path == ["services", "web", "image"]
}

test_pinned_and_built_services_are_fine if {
	count(latest_tag.deny) == 0 with input as {"services": {"web": {"image": "nginx:1.27"}, "app": {"build": "."}}}
}
