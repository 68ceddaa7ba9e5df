package driftless.terraform.images_test

import data.driftless.terraform.digest_pin
import data.driftless.terraform.latest_tag
import data.driftless.terraform.untagged_image

module(resources) := {"module": ".", "resources": resources}

deployment(image) := {
	"type": "kubernetes_deployment_v1", "name": "web", "address": "kubernetes_deployment_v1.web",
	"config": {"spec": [{"template": [{"spec": [{"container": [{"name": "web", "image": image}]}]}]}]},
}

test_latest_in_nested_container_block if {
	some f in latest_tag.deny with input as module([deployment("nginx:latest")])
	f.path == ["resources", 0, "config", "spec", 0, "template", 0, "spec", 0, "container", 0, "image"]
}

test_docker_container_untagged if {
	r := {"type": "docker_container", "name": "c", "address": "docker_container.c", "config": {"image": "redis"}}
	count(untagged_image.deny) == 1 with input as module([r])
}

test_docker_image_name if {
	r := {"type": "docker_image", "name": "c", "address": "docker_image.c", "config": {"name": "redis:latest"}}
	count(latest_tag.deny) == 1 with input as module([r])
}

test_ecs_structured_definitions if {
	r := {"type": "aws_ecs_task_definition", "name": "t", "address": "aws_ecs_task_definition.t", "config": {"container_definitions": [{"name": "api", "image": "example/api:latest"}]}}
	some f in latest_tag.deny with input as module([r])
	f.path == ["resources", 0, "config", "container_definitions", 0, "image"]
}

test_ecs_json_string_definitions if {
	r := {"type": "aws_ecs_task_definition", "name": "t", "address": "aws_ecs_task_definition.t", "config": {"container_definitions": "[{\"name\":\"api\",\"image\":\"example/api\"}]"}}
	some f in untagged_image.deny with input as module([r])
	f.path == ["resources", 0, "config", "container_definitions"]
}

test_vm_images_are_not_container_images if {
	r := {"type": "google_compute_instance", "name": "vm", "address": "google_compute_instance.vm", "config": {"boot_disk": [{"initialize_params": [{"image": "debian-cloud/debian-12"}]}]}}
	count(untagged_image.deny) == 0 with input as module([r])
}

test_whole_unresolved_image_is_a_strict_finding_only if {
	count(untagged_image.deny) == 0 with input as module([deployment("${var.image}")])
	count(latest_tag.deny) == 0 with input as module([deployment("${var.image}")])
	count(digest_pin.deny) == 1 with input as module([deployment("${var.image}")])
}

test_unknown_registry_with_latest_tag if {
	some f in latest_tag.deny with input as module([deployment("${aws_ecr_repository.app.repository_url}:latest")])
	f.path == ["resources", 0, "config", "spec", 0, "template", 0, "spec", 0, "container", 0, "image"]
}

test_unknown_registry_without_tag if {
	count(untagged_image.deny) == 1 with input as module([deployment("${var.registry}/app")])
}

test_unknown_tag_or_digest_cannot_be_proven_pinned if {
	count(latest_tag.deny) == 0 with input as module([deployment("app:${var.tag}")])
	count(untagged_image.deny) == 0 with input as module([deployment("app:${var.tag}")])
	count(digest_pin.deny) == 1 with input as module([deployment("app:${var.tag}")])
	count(untagged_image.deny) == 0 with input as module([deployment("app@${var.digest}")])
	count(digest_pin.deny) == 1 with input as module([deployment("app@${var.digest}")])
}

test_docker_image_name_with_unknown_registry if {
	r := {"type": "docker_image", "name": "c", "address": "docker_image.c", "config": {"name": "${var.registry}/redis:latest"}}
	count(latest_tag.deny) == 1 with input as module([r])
}

test_tag_without_digest_is_a_strict_finding_only if {
	count(latest_tag.deny) == 0 with input as module([deployment("nginx:1.27")])
	count(untagged_image.deny) == 0 with input as module([deployment("nginx:1.27")])
	count(digest_pin.deny) == 1 with input as module([deployment("nginx:1.27")])
}

test_missing_or_empty_kubernetes_image if {
	pod := {"type": "kubernetes_pod", "name": "p", "address": "kubernetes_pod.p", "config": {"spec": [{"container": [{"name": "a", "image": ""}, {"name": "b"}]}]}}
	count(untagged_image.deny) == 2 with input as module([pod])
	some f in untagged_image.deny with input as module([pod])
	f.path == ["resources", 0, "config", "spec", 0, "container", 1, "image"]
}

test_container_attribute_object if {
	pod := {"type": "kubernetes_pod", "name": "p", "address": "kubernetes_pod.p", "config": {"spec": [{"container": {"name": "a", "image": "nginx:latest"}}]}}
	count(latest_tag.deny) == 1 with input as module([pod])
}

test_allowed_images_are_accepted if {
	count(latest_tag.deny) == 0 with input as module([deployment("nginx:latest")])
		with data.driftless.config.options.TAG001.allowed_images as ["nginx:*"]
}

test_digest_after_latest_pins_the_image if {
	count(latest_tag.deny) == 0 with input as module([deployment("nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000")])
}

test_malformed_digest_is_untagged if {
	some f in untagged_image.deny with input as module([deployment("nginx@sha256:abc")])
	contains(f.msg, "not a valid image reference")
}

test_more_resources_that_take_images if {
	job := {"type": "azurerm_container_app_job", "name": "j", "address": "azurerm_container_app_job.j", "config": {"template": [{"container": [{"name": "c", "image": "acme/job:latest"}]}]}}
	some f in latest_tag.deny with input as module([job])
	f.path == ["resources", 0, "config", "template", 0, "container", 0, "image"]
	model := {"type": "aws_sagemaker_model", "name": "m", "address": "aws_sagemaker_model.m", "config": {"primary_container": [{"image": "123.dkr.ecr.us-east-1.amazonaws.com/model"}]}}
	count(untagged_image.deny) == 1 with input as module([model])
	win := {"type": "azurerm_windows_web_app", "name": "w", "address": "azurerm_windows_web_app.w", "config": {"site_config": [{"application_stack": [{"docker_image_name": "acme/web:latest"}]}]}}
	count(latest_tag.deny) == 1 with input as module([win])
}

test_cloud_run_v2_job_and_kubernetes_manifest if {
	run := {"type": "google_cloud_run_v2_job", "name": "j", "address": "google_cloud_run_v2_job.j", "config": {"template": [{"template": [{"containers": [{"image": "gcr.io/acme/job:latest"}]}]}]}}
	count(latest_tag.deny) == 1 with input as module([run])
	manifest := {"type": "kubernetes_manifest", "name": "p", "address": "kubernetes_manifest.p", "config": {"manifest": {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}}}}
	some f in latest_tag.deny with input as module([manifest])
	f.path == ["resources", 0, "config", "manifest", "spec", "containers", 0, "image"]
}

helm(sets) := {"type": "helm_release", "name": "ingress", "address": "helm_release.ingress", "config": {"chart": "ingress-nginx", "set": sets}}

test_helm_release_sets_latest_tag if {
	r := helm([{"name": "replicaCount", "value": "2"}, {"name": "controller.image.tag", "value": "latest"}])
	some f in latest_tag.deny with input as module([r])
	f.path == ["resources", 0, "config", "set", 1, "value"]
	contains(f.msg, "`controller.image.tag`")
	count(latest_tag.deny) == 1 with input as module([helm([{"name": "image.tag", "value": "latest"}])])
	count(latest_tag.deny) == 1 with input as module([helm([{"name": "global.imageTag", "value": "latest"}])])
	count(latest_tag.deny) == 0 with input as module([helm([{"name": "image.tag", "value": "1.25.3"}])])
	count(latest_tag.deny) == 0 with input as module([helm([{"name": "tag", "value": "latest"}])])
}

# A conditional whose condition is not known: the parser keeps its text as
# the value and lists the known branches in `input.alternatives`.
conditional_input := {
	"module": ".",
	"resources": [{"type": "docker_container", "name": "c", "address": "docker_container.c", "config": {"image": "${var.prod ? \"app:1.2\" : \"app:latest\"}"}}],
	"alternatives": [
		{"path": ["resources", 0, "config", "image"], "value": "app:1.2", "when": "`var.prod` is true"},
		{"path": ["resources", 0, "config", "image"], "value": "app:latest", "when": "`var.prod` is false"},
		{"path": ["resources", 0, "config", "image"], "value": "app", "when": "`var.x` is true"},
	],
}

test_conditional_branch_with_latest_may_be_used if {
	findings := latest_tag.deny with input as conditional_input
	count(findings) == 1
	some f in findings
	f.path == ["alternatives", 1, "value"]
	f.msg == "docker_container.c may use image `app:latest` with the mutable `latest` tag, when `var.prod` is false"
}

test_conditional_branch_without_tag_may_be_used if {
	some f in untagged_image.deny with input as conditional_input
	f.path == ["alternatives", 2, "value"]
	contains(f.msg, "may use image `app` without a tag")
}

test_conditional_is_one_digest_finding_not_one_per_branch if {
	findings := digest_pin.deny with input as conditional_input
	count(findings) == 1
	some f in findings
	f.path == ["resources", 0, "config", "image"]
}

# docker_image is the one image type whose image is its `name`: its
# alternatives are read although no other resource takes images.
test_conditional_docker_image_name_may_be_latest if {
	inp := {
		"module": ".",
		"resources": [{"type": "docker_image", "name": "c", "address": "docker_image.c", "config": {"name": "${var.prod ? \"redis:7.2\" : \"redis:latest\"}"}}],
		"alternatives": [
			{"path": ["resources", 0, "config", "name"], "value": "redis:7.2", "when": "`var.prod` is true"},
			{"path": ["resources", 0, "config", "name"], "value": "redis:latest", "when": "`var.prod` is false"},
		],
	}
	findings := latest_tag.deny with input as inp
	count(findings) == 1
	some f in findings
	f.path == ["alternatives", 1, "value"]
}

test_alternatives_of_other_values_are_not_images if {
	inp := object.union(conditional_input, {"alternatives": [{"path": ["resources", 0, "config", "name"], "value": "app:latest", "when": "`c` is true"}]})
	count(latest_tag.deny) == 0 with input as inp
}

test_helm_tag_set_by_a_conditional_may_be_latest if {
	inp := {
		"module": ".",
		"resources": [{"type": "helm_release", "name": "h", "address": "helm_release.h", "config": {"set": [{"name": "image.tag", "value": "${var.prod ? \"1.4.2\" : \"latest\"}"}]}}],
		"alternatives": [
			{"path": ["resources", 0, "config", "set", 0, "value"], "value": "1.4.2", "when": "`var.prod` is true"},
			{"path": ["resources", 0, "config", "set", 0, "value"], "value": "latest", "when": "`var.prod` is false"},
		],
	}
	findings := latest_tag.deny with input as inp
	count(findings) == 1
	some f in findings
	f.path == ["alternatives", 1, "value"]
	f.msg == "helm_release.h may set `image.tag` to the mutable `latest` tag, when `var.prod` is false"
}

test_kubectl_manifest_documents_use_the_kubernetes_image_rule if {
	deploy := {"kind": "Deployment", "metadata": {"name": "web", "labels": {"image": "x:latest"}}, "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:latest"}]}}}}
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "redis"}]}}
	r := {"type": "kubectl_manifest", "name": "web", "address": "kubectl_manifest.web", "config": {"yaml_body": "…"}, "manifests": [deploy, pod]}
	some f in latest_tag.deny with input as module([r])
	f.path == ["resources", 0, "manifests", 0, "spec", "template", "spec", "containers", 0, "image"]
	count(latest_tag.deny) == 1 with input as module([r])
	some g in untagged_image.deny with input as module([r])
	g.path == ["resources", 0, "manifests", 1, "spec", "containers", 0, "image"]
}

test_helm_release_values_set_latest if {
	values := {"image": {"repository": "nginx", "tag": "latest"}, "sidecar": {"image": "busybox:latest"}, "controller": {"image": {"tag": "1.2.3"}}}
	r := {"type": "helm_release", "name": "h", "address": "helm_release.h", "config": {"chart": "x"}, "helm_values": [values]}
	paths := {f.path | some f in latest_tag.deny with input as module([r])}
	paths == {["resources", 0, "helm_values", 0, "image", "tag"], ["resources", 0, "helm_values", 0, "sidecar", "image"]}
}
