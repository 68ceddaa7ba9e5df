package driftless.terraform.ssh_port_test

import data.driftless.terraform.ssh_port

manifest(objects) := {"resources": [{"type": "kubectl_manifest", "name": "m", "address": "kubectl_manifest.m", "config": {}, "manifests": objects}]}

test_embedded_container_port_22 if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 80}, {"containerPort": 22}]}]}}
	some f in ssh_port.deny with input as manifest([pod])
	f.path == ["resources", 0, "manifests", 0, "spec", "containers", 0, "ports", 1, "containerPort"]
	startswith(f.msg, "kubectl_manifest.m: container `c` exposes SSH port 22")
}

test_embedded_service_forwarding_ssh if {
	svc := {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 2222, "targetPort": "ssh"}]}}
	some f in ssh_port.deny with input as manifest([{"kind": "ConfigMap"}, svc])
	f.path == ["resources", 0, "manifests", 1, "spec", "ports", 0, "targetPort"]
}

test_no_port_22_no_finding if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080}]}]}}
	count(ssh_port.deny) == 0 with input as manifest([pod])
}

test_kubernetes_manifest_object if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 22}]}]}}
	r := {"type": "kubernetes_manifest", "name": "p", "address": "kubernetes_manifest.p", "config": {"manifest": pod}}
	some f in ssh_port.deny with input as {"resources": [r]}
	f.path == ["resources", 0, "config", "manifest", "spec", "containers", 0, "ports", 0, "containerPort"]
}
