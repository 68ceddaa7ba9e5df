# VER006: a ConfigMap or Secret is not marked `immutable: true`.
# About a missing attribute (`absence`): a Kustomize patch, which holds only
# what it changes, is not checked.
package driftless.kubernetes.mutable_config

metadata := {"id": "VER006", "absence": true}

# Points at `immutable: false` when written, else at the object's name.
deny contains {"msg": msg, "path": _path} if {
	input.kind in {"ConfigMap", "Secret"}
	not input.immutable == true
	msg := sprintf("%s `%s` is not immutable; version it by name and set `immutable: true`", [input.kind, object.get(input, ["metadata", "name"], "(unnamed)")])
}

_path := ["immutable"] if "immutable" in object.keys(input)

_path := ["metadata", "name"] if not "immutable" in object.keys(input)
