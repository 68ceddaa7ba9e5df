# Helpers for Terraform plans (`terraform show -json`, input unchanged).
package driftless.lib.tfplan

# "attr: before → after" for each top-level attribute that differs,
# sorted, so messages name what changed.
changed_attributes(change) := sort([line |
	some key in object.keys(object.union(_obj(change.before), _obj(change.after)))
	before := object.get(_obj(change.before), key, null)
	after := object.get(_obj(change.after), key, null)
	before != after
	not _unknown(change, key)
	line := sprintf("%s: %s → %s", [key, _show(before), _show(after)])
])

# The top-level attributes an update changes: those whose value differs,
# and those only known after apply (they may change).
changed_keys(change) := {key |
	some key in object.keys(object.union(_obj(change.before), _obj(change.after)))
	object.get(_obj(change.before), key, null) != object.get(_obj(change.after), key, null)
} | {key |
	some key, unknown in _obj(change.after_unknown)
	unknown != false
}

# Attributes whose new value is only known after apply.
_unknown(change, key) if change.after_unknown[key] == true

_obj(x) := x if is_object(x)

_obj(x) := {} if not is_object(x)

_show(v) := v if is_string(v)

_show(v) := "null" if v == null

_show(v) := sprintf("%v", [v]) if {
	not is_string(v)
	v != null
	not is_object(v)
	not is_array(v)
}

_show(v) := "(changed)" if is_object(v)

_show(v) := "(changed)" if is_array(v)

# The attribute list for a message: at most five, then a count.
describe(change) := s if {
	attrs := changed_attributes(change)
	count(attrs) > 0
	count(attrs) <= 5
	s := concat(", ", attrs)
}

describe(change) := s if {
	attrs := changed_attributes(change)
	count(attrs) > 5
	s := sprintf("%s and %d more", [concat(", ", array.slice(attrs, 0, 5)), count(attrs) - 5])
}

describe(change) := "no attribute changes shown" if count(changed_attributes(change)) == 0
