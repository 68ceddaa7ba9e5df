# VER006: a ConfigMap or Secret a Terraform `kubectl_manifest` embeds (or a
# `kubernetes_manifest` holds) is not marked `immutable: true`, judged as
# the Kubernetes rule judges manifest files.
package driftless.terraform.mutable_config

metadata := {"id": "VER006", "absence": true}

# Points at `immutable: false` when written, else at the object's name.
deny contains {"msg": msg, "path": array.concat(item.path, _path(m))} if {
	some item in data.driftless.lib.terraform.all_manifests
	m := item.manifest
	m.kind in {"ConfigMap", "Secret"}
	not m.immutable == true
	msg := sprintf("%s: %s `%s` is not immutable; version it by name and set `immutable: true`", [item.address, m.kind, object.get(m, ["metadata", "name"], "(unnamed)")])
}

_path(m) := ["immutable"] if "immutable" in object.keys(m)

_path(m) := ["metadata", "name"] if not "immutable" in object.keys(m)
