# UPD001: a server is updated in place. The type list can be replaced with
# the config option UPD001.resource_types.
#
# The default list is servers a provider mutates in place: instances and
# VMs of each cloud. Resources whose update *is* the immutable rollout are
# left out: a new ECS task definition or service revision, a new launch
# template version, an instance template or group rolled by its manager, a
# node pool or scale set rolled by its orchestrator, a new Cloud Run or
# function revision. An update that only changes tags or labels does not
# touch the server and is not reported.
package driftless.tfplan.in_place_update

metadata := {"id": "UPD001"}

default_types := {
	# AWS
	"aws_instance", "aws_spot_instance_request", "aws_lightsail_instance",
	# Google Cloud
	"google_compute_instance",
	# Azure
	"azurerm_virtual_machine", "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
	# Others
	"digitalocean_droplet", "hcloud_server", "vsphere_virtual_machine", "openstack_compute_instance_v2",
	"linode_instance", "oci_core_instance", "alicloud_instance", "ibm_is_instance",
	"scaleway_instance_server", "vultr_instance",
}

# Attributes that only label a resource; changing them leaves the server as
# it was (AWS `tags`/`tags_all`, Google `labels` and the provider's derived
# label sets).
metadata_attributes := {"tags", "tags_all", "labels", "terraform_labels", "effective_labels"}

server_types := {t | some t in data.driftless.config.options.UPD001.resource_types} if {
	data.driftless.config.options.UPD001.resource_types
}

server_types := default_types if not data.driftless.config.options.UPD001.resource_types

deny contains {"msg": msg, "path": ["resource_changes", i, "address"]} if {
	is_array(input.resource_changes)
	some i, rc in input.resource_changes
	rc.change.actions == ["update"]
	rc.type in server_types
	not _only_metadata(rc.change)
	msg := sprintf("%s is updated in place (%s); replace servers instead of mutating them", [rc.address, data.driftless.lib.tfplan.describe(rc.change)])
}

# Something changes, and all of it is tags or labels. An update whose
# changes cannot be seen (no before/after objects) is still reported.
_only_metadata(change) if {
	changed := data.driftless.lib.tfplan.changed_keys(change)
	changed != set()
	every key in changed {
		key in metadata_attributes
	}
}
