package driftless.kubernetes.untagged_image_test

import data.driftless.kubernetes.untagged_image

pod(image) := {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "app", "image": image}]}}

test_untagged if {
	some f in untagged_image.deny with input as pod("redis")
	f.path == ["spec", "containers", 0, "image"]
}

test_registry_port_is_not_a_tag if {
	count(untagged_image.deny) == 1 with input as pod("registry.example:5000/app")
}

test_tagged_is_fine if {
	count(untagged_image.deny) == 0 with input as pod("registry.example:5000/app:1.0")
}

test_digest_pins if {
	count(untagged_image.deny) == 0 with input as pod("redis@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_statefulset_init_container if {
	sts := {"kind": "StatefulSet", "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "busybox"}]}}}}
	count(untagged_image.deny) == 1 with input as sts
}

test_malformed_digest_pins_nothing if {
	some f in untagged_image.deny with input as pod("redis@sha256:abc")
	contains(f.msg, "not a valid image reference")
}
