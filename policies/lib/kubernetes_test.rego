package driftless.lib.kubernetes_test

import data.driftless.lib.kubernetes

test_finds_containers_of_every_workload_shape if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "b"}]}}
	count(kubernetes.containers) == 2 with input as pod
	podtemplate := {"kind": "PodTemplate", "template": {"spec": {"containers": [{"name": "a"}]}}}
	count(kubernetes.containers) == 1 with input as podtemplate
	job := {"kind": "Job", "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	count(kubernetes.containers) == 1 with input as job
}

test_ignores_objects_without_pods if {
	count(kubernetes.containers) == 0 with input as {"kind": "ConfigMap", "data": {"a": "b"}}
}

test_images_in_custom_resources_wherever_they_are if {
	workflow := {"kind": "Workflow", "spec": {"templates": [
		{"name": "build", "container": {"image": "golang"}},
		{"name": "lint", "script": {"image": "python:3.12", "source": "print(1)"}},
	]}}
	paths := {item.path | some item in kubernetes.images} with input as workflow
	paths == {["spec", "templates", 0, "container", "image"], ["spec", "templates", 1, "script", "image"]}
	task := {"kind": "Task", "spec": {"steps": [{"name": "s", "image": "alpine:3.20"}]}}
	[item.container.name | some item in kubernetes.images] == ["s"] with input as task
	prometheus := {"kind": "Prometheus", "spec": {"image": "quay.io/prometheus/prometheus:v2.53.0"}}
	[item.path | some item in kubernetes.images] == [["spec", "image"]] with input as prometheus
}

test_image_volume_reference_is_an_image if {
	pod := {"kind": "Pod", "spec": {"volumes": [{"name": "models", "image": {"reference": "models:latest", "pullPolicy": "Always"}}]}}
	some item in kubernetes.images with input as pod
	item.path == ["spec", "volumes", 0, "image", "reference"]
	item.ref.tag == "latest"
	item.container.name == "models"
}

test_images_not_in_metadata_status_or_payloads if {
	annotated := {"kind": "Deployment", "metadata": {"annotations": {"image": "x"}}, "spec": {"template": {"metadata": {"labels": {"image": "y"}}}}}
	count(kubernetes.images) == 0 with input as annotated
	config := {"kind": "ConfigMap", "data": {"image": "nginx"}}
	count(kubernetes.images) == 0 with input as config
	observed := {"kind": "Rollout", "status": {"image": "nginx"}}
	count(kubernetes.images) == 0 with input as observed
}

test_images_are_named_by_the_nearest_named_object if {
	workflow := {"kind": "Workflow", "metadata": {"name": "ci"}, "spec": {"templates": [{"name": "build", "container": {"image": "golang"}}]}}
	[item.name | some item in kubernetes.images] == ["build"] with input as workflow
	prometheus := {"kind": "Prometheus", "metadata": {"name": "main"}, "spec": {"image": "prom/prometheus:v2.53.0"}}
	[item.name | some item in kubernetes.images] == ["main"] with input as prometheus
	unnamed := {"kind": "Pod", "spec": {"containers": [{"image": "nginx:1.27"}]}}
	[item.name | some item in kubernetes.images] == ["(unnamed)"] with input as unnamed
}

test_images_a_skaffold_config_builds_are_not_references if {
	config := {
		"apiVersion": "skaffold/v2beta26",
		"kind": "Config",
		"build": {"artifacts": [{"image": "echo-grpc", "ko": {"fromImage": "gcr.io/distroless/static:nonroot"}}]},
	}
	count(kubernetes.images) == 0 with input as config
}
