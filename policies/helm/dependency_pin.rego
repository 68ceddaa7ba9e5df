# VER001: a Helm chart dependency has no version or an open range.
package driftless.helm.dependency_pin

metadata := {"id": "VER001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.helm.dependencies
	not is_string(item.dependency.version)
	msg := sprintf("chart dependency `%s` has no `version`", [object.get(item.dependency, "name", "(unnamed)")])
}

deny contains {"msg": msg, "path": array.concat(item.path, ["version"])} if {
	some item in data.driftless.lib.helm.dependencies
	is_string(item.dependency.version)
	data.driftless.lib.helm.open_range(item.dependency.version)
	msg := sprintf("chart dependency `%s` takes the range `%s`; each `helm dependency update` may fetch another version", [object.get(item.dependency, "name", "(unnamed)"), item.dependency.version])
}
