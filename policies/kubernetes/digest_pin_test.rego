package driftless.kubernetes.digest_pin_test

import data.driftless.kubernetes.digest_pin

pod(image) := {"kind": "Pod", "spec": {"containers": [{"name": "app", "image": image}]}}

test_tag_only if {
	count(digest_pin.deny) == 1 with input as pod("nginx:1.27.2")
}

test_tag_and_digest_is_fine if {
	count(digest_pin.deny) == 0 with input as pod("nginx:1.27.2@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_latest_and_untagged_have_no_digest_either if {
	count(digest_pin.deny) == 1 with input as pod("nginx:latest")
	count(digest_pin.deny) == 1 with input as pod("nginx")
}

test_placeholders_cannot_be_verified if {
	count(digest_pin.deny) == 1 with input as pod("$PRIVATE_IMAGE_NAME")
	count(digest_pin.deny) == 0 with input as pod("image@sha256:45b23dee")
}
