# UPD001: a server-like resource is updated in place. The type list can be
# replaced with the config option UPD001.resource_types.
package driftless.tfplan.in_place_update

metadata := {"id": "UPD001"}

default_types := {
	"aws_instance", "aws_spot_instance_request", "aws_launch_configuration", "aws_launch_template",
	"aws_ecs_service", "aws_ecs_task_definition", "aws_lambda_function", "aws_eks_node_group",
	"aws_lightsail_instance", "aws_batch_compute_environment",
	"google_compute_instance", "google_compute_instance_template", "google_compute_instance_group_manager",
	"google_container_node_pool", "google_cloud_run_service", "google_cloud_run_v2_service",
	"google_cloudfunctions_function", "google_cloudfunctions2_function",
	"azurerm_virtual_machine", "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
	"azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set",
	"azurerm_kubernetes_cluster_node_pool", "azurerm_container_group", "azurerm_container_app",
	"azurerm_linux_function_app", "azurerm_windows_function_app",
	"digitalocean_droplet", "hcloud_server", "vsphere_virtual_machine", "openstack_compute_instance_v2",
}

server_types := {t | some t in data.driftless.config.options.UPD001.resource_types} if {
	data.driftless.config.options.UPD001.resource_types
}

server_types := default_types if not data.driftless.config.options.UPD001.resource_types

deny contains {"msg": msg, "path": ["resource_changes", i, "address"]} if {
	is_array(input.resource_changes)
	some i, rc in input.resource_changes
	rc.change.actions == ["update"]
	rc.type in server_types
	msg := sprintf("%s is updated in place (%s); replace servers instead of mutating them", [rc.address, data.driftless.lib.tfplan.describe(rc.change)])
}
