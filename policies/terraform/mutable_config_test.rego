package driftless.terraform.mutable_config_test

import data.driftless.terraform.mutable_config

manifest(objects) := {"resources": [{"type": "kubectl_manifest", "name": "m", "address": "kubectl_manifest.m", "config": {}, "manifests": objects}]}

test_embedded_config_map_not_immutable if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "app"}, "data": {"a": "1"}}
	some f in mutable_config.deny with input as manifest([{"kind": "Pod"}, cm])
	f.path == ["resources", 0, "manifests", 1, "metadata", "name"]
	startswith(f.msg, "kubectl_manifest.m: ConfigMap `app` is not immutable")
}

test_immutable_false_is_pointed_at if {
	secret := {"kind": "Secret", "metadata": {"name": "s"}, "immutable": false}
	some f in mutable_config.deny with input as manifest([secret])
	f.path == ["resources", 0, "manifests", 0, "immutable"]
}

test_immutable_config_map_passes if {
	cm := {"kind": "ConfigMap", "metadata": {"name": "app"}, "immutable": true}
	count(mutable_config.deny) == 0 with input as manifest([cm])
	r := {"type": "kubernetes_manifest", "name": "c", "address": "kubernetes_manifest.c", "config": {"manifest": {"kind": "ConfigMap", "metadata": {"name": "x"}}}}
	count(mutable_config.deny) == 1 with input as {"resources": [r]}
}
