# UPD004: Terraform saw a resource changed outside Terraform.
package driftless.tfplan.drift

metadata := {"id": "UPD004"}

deny contains {"msg": msg, "path": ["resource_drift", i, "address"]} if {
	is_array(input.resource_drift)
	some i, d in input.resource_drift
	not d.change.actions == ["no-op"]
	msg := sprintf("%s was changed outside Terraform (%s)", [d.address, data.driftless.lib.tfplan.describe(d.change)])
}
