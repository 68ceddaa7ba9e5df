package driftless.kubernetes.latest_tag_test

import data.driftless.kubernetes.latest_tag

deployment(image) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
}

test_latest_in_deployment if {
	some f in latest_tag.deny with input as deployment("nginx:latest")
	f.path == ["spec", "template", "spec", "containers", 0, "image"]
}

test_latest_in_cronjob_init_container if {
	cronjob := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"containers": [{"name": "a", "image": "busybox:1.36"}],
		"initContainers": [{"name": "b", "image": "registry.example:5000/tools:latest"}],
	}}}}}}
	some f in latest_tag.deny with input as cronjob
	f.path == ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "image"]
}

test_latest_in_pod_ephemeral_container if {
	pod := {"kind": "Pod", "spec": {"ephemeralContainers": [{"name": "debug", "image": "alpine:latest"}]}}
	count(latest_tag.deny) == 1 with input as pod
}

test_pinned_tag_is_fine if {
	count(latest_tag.deny) == 0 with input as deployment("nginx:1.27.2")
}

# Renovate writes `nginx:latest@sha256:…`: the engine pulls the digest, so
# the image is pinned and the tag is only a label.
test_digest_after_latest_pins_the_image if {
	count(latest_tag.deny) == 0 with input as deployment("nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_untagged_is_not_tag001 if {
	count(latest_tag.deny) == 0 with input as deployment("nginx")
}

test_allowed_images_are_accepted if {
	count(latest_tag.deny) == 0 with input as deployment("registry.example.com/base/node:latest")
		with data.driftless.config.options.TAG001.allowed_images as ["registry.example.com/base/*"]
}
