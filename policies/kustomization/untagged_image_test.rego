package driftless.kustomization.untagged_image_test

import data.driftless.kustomization.untagged_image

test_new_name_without_tag if {
	some f in untagged_image.deny with input as {"images": [{"name": "web", "newName": "registry.example:5000/web"}]}
	f.path == ["images", 0, "newName"]
}

test_new_name_with_tag_or_new_tag_is_fine if {
	count(untagged_image.deny) == 0 with input as {"images": [
		{"name": "a", "newName": "registry.example/a:1.0"},
		{"name": "b", "newName": "registry.example/b", "newTag": "2.0"},
		{"name": "c", "newTag": "3.0"},
	]}
}
