package driftless.lib.kustomization_test

import data.driftless.lib.kustomization

test_image_transformer_entries if {
	file := {"images": [
		{"name": "web", "newTag": "latest"},
		{"name": "api", "newName": "registry.example/api"},
		{"name": "db", "digest": "sha256:2b0079146a74e23bf4ae8f6a28e1b484c6292f6fb904cbb51825b4a19812fcd8"},
	]}
	entries := [[e.name, e.tag, e.new_name != null, e.digest != null] | some e in kustomization.images] with input as file
	entries == [["web", "latest", false, false], ["api", null, true, false], ["db", null, false, true]]
}

test_remote_sources_and_their_refs if {
	file := {
		"resources": ["../base", "deployment.yaml", "github.com/acme/deploy//base?ref=v1.2.0", "https://github.com/acme/deploy.git//base"],
		"components": ["git@github.com:acme/c.git?version=main"],
	}
	sources := [[s.path, s.ref] | some s in kustomization.remote_sources] with input as file
	sources == [[["resources", 2], "v1.2.0"], [["resources", 3], null], [["components", 0], "main"]]
}
