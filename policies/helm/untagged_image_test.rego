package driftless.helm.untagged_image_test

import data.driftless.helm.untagged_image

values(v, app) := {"source": "values", "values": v, "app_version": app}

test_untagged_string_image if {
	some f in untagged_image.deny with input as values({"image": "redis"}, "1.0.0")
	f.path == ["values", "image"]
}

test_no_tag_and_no_app_version if {
	some f in untagged_image.deny with input as values({"image": {"repository": "nginx"}}, null)
	f.path == ["values", "image"]
}

test_app_version_fills_the_tag if {
	count(untagged_image.deny) == 0 with input as values({"image": {"repository": "nginx", "tag": ""}}, "1.27.2")
}

test_templated_strings_are_not_references if {
	count(untagged_image.deny) == 0 with input as values({"image": "{{ .Values.global.image }}"}, null)
}
