package driftless.helm.latest_tag_test

import data.driftless.helm.latest_tag

values(v, app) := {"source": "values", "values": v, "app_version": app}

test_string_image_latest_at_any_depth if {
	some f in latest_tag.deny with input as values({"worker": {"sidecar": {"image": "busybox:latest"}}}, "1.0.0")
	f.path == ["values", "worker", "sidecar", "image"]
}

test_repository_and_tag_latest if {
	some f in latest_tag.deny with input as values({"image": {"repository": "nginx", "tag": "latest"}}, "1.0.0")
	f.path == ["values", "image", "tag"]
}

test_empty_tag_takes_the_app_version if {
	count(latest_tag.deny) == 0 with input as values({"image": {"repository": "nginx", "tag": ""}}, "1.27.2")
	count(latest_tag.deny) == 1 with input as values({"image": {"repository": "nginx", "tag": ""}}, "latest")
}

test_chart_app_version_latest if {
	some f in latest_tag.deny with input as {"source": "chart", "chart": {"name": "web", "version": "1.0.0", "appVersion": "latest"}}
	f.path == ["chart", "appVersion"]
}

test_digest_pins if {
	count(latest_tag.deny) == 0 with input as values({"image": {"repository": "nginx", "tag": "latest", "digest": "sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"}}, null)
}
