package driftless.kustomization.latest_tag_test

import data.driftless.kustomization.latest_tag

test_new_tag_latest if {
	some f in latest_tag.deny with input as {"images": [{"name": "web", "newTag": "latest"}]}
	f.path == ["images", 0, "newTag"]
}

test_new_name_with_latest if {
	some f in latest_tag.deny with input as {"images": [{"name": "web", "newName": "registry.example/web:latest"}]}
	f.path == ["images", 0, "newName"]
}

test_digest_or_version_is_fine if {
	count(latest_tag.deny) == 0 with input as {"images": [
		{"name": "web", "newTag": "1.27"},
		{"name": "api", "newTag": "latest", "digest": "sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"},
	]}
}
