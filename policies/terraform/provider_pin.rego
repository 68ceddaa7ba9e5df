# VER002: a provider without a version constraint in `required_providers`,
# or a root module without `required_version`.
package driftless.terraform.provider_pin

metadata := {"id": "VER002"}

deny contains {"msg": msg, "path": ["terraform", i, "config", "required_providers", j, name]} if {
	some i, t in input.terraform
	some j, block in _as_list(t.config.required_providers)
	some name, req in block
	is_object(req)
	not _constrained(req.version)
	msg := sprintf("provider `%s` has no version constraint in `required_providers`", [name])
}

# The message names no directory: the finding's location already says
# where, in the user's own path (`input.module` is absolute when the scan
# was given an absolute path).
deny contains {"msg": "this root module does not set `required_version`", "path": _required_version_path} if {
	input.root == true
	not _has_required_version
}

_has_required_version if {
	some t in input.terraform
	_constrained(t.config.required_version)
}

# Point at the terraform block when there is one, else at the module.
_required_version_path := ["terraform", 0, "config", "required_version"] if count(object.get(input, "terraform", [])) > 0

_required_version_path := ["module"] if count(object.get(input, "terraform", [])) == 0

_constrained(v) if {
	is_string(v)
	trim_space(v) != ""
}

_as_list(x) := x if is_array(x)

_as_list(x) := [x] if is_object(x)
