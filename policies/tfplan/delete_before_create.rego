# UPD002: a resource is replaced destroy-before-create (downtime).
package driftless.tfplan.delete_before_create

metadata := {"id": "UPD002"}

deny contains {"msg": msg, "path": ["resource_changes", i, "address"]} if {
	is_array(input.resource_changes)
	some i, rc in input.resource_changes
	rc.change.actions == ["delete", "create"]
	msg := sprintf("%s is destroyed before its replacement is created; add `lifecycle { create_before_destroy = true }`", [rc.address])
}
