# UPD005 (strict): `lifecycle.ignore_changes` hides drift.
package driftless.terraform.ignore_changes

metadata := {"id": "UPD005"}

deny contains {"msg": msg, "path": ["resources", i, "config", "lifecycle", j, "ignore_changes"]} if {
	some i, r in input.resources
	some j, l in data.driftless.lib.terraform.blocks(r.config, "lifecycle")
	_ignores_something(l.ignore_changes)
	msg := sprintf("%s ignores changes to %s, so drift in them goes unnoticed", [r.address, _what(l.ignore_changes)])
}

_ignores_something(v) if {
	is_array(v)
	count(v) > 0
}

_ignores_something(v) if is_string(v)

_what(v) := "every attribute" if v in {"all", "${all}"}

_what(v) := concat(", ", [sprintf("`%v`", [x]) | some x in v]) if is_array(v)

_what(v) := sprintf("`%s`", [v]) if {
	is_string(v)
	not v in {"all", "${all}"}
}
