# SSH002: a server is provisioned with SSH login credentials.
package driftless.terraform.ssh_credentials

metadata := {"id": "SSH002"}

_key_name_types := {"aws_instance", "aws_launch_template", "aws_launch_configuration", "aws_spot_instance_request"}

deny contains {"msg": msg, "path": ["resources", i, "config", "key_name"]} if {
	count(_key_name_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _key_name_types
	_set(r.config.key_name)
	msg := sprintf("%s is provisioned with the SSH key pair `%s`", [r.address, r.config.key_name])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "launch_specification", j, "key_name"]} if {
	"aws_spot_fleet_request" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_spot_fleet_request"
	some j, spec in data.driftless.lib.terraform.blocks(r.config, "launch_specification")
	_set(spec.key_name)
	msg := sprintf("%s launches instances with the SSH key pair `%s`", [r.address, spec.key_name])
}

# GCP: ssh-keys in instance, template or project metadata, or project keys
# not blocked.
_gcp_instance_types := {"google_compute_instance", "google_compute_instance_template"}

_gcp_metadata_types := _gcp_instance_types | {"google_compute_project_metadata"}

deny contains {"msg": msg, "path": ["resources", i, "config", "metadata", key]} if {
	count(_gcp_metadata_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _gcp_metadata_types
	some key in ["ssh-keys", "sshKeys"]
	r.config.metadata[key]
	msg := sprintf("%s puts SSH keys in its metadata (`%s`)", [r.address, key])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "metadata", "block-project-ssh-keys"]} if {
	count(_gcp_instance_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _gcp_instance_types
	lower(sprintf("%v", [r.config.metadata["block-project-ssh-keys"]])) == "false"
	msg := sprintf("%s accepts project-wide SSH keys (`block-project-ssh-keys = false`)", [r.address])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "key"]} if {
	"google_compute_project_metadata_item" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "google_compute_project_metadata_item"
	r.config.key in {"ssh-keys", "sshKeys"}
	msg := sprintf("%s adds project-wide SSH keys", [r.address])
}

# Azure: admin SSH keys or password login on Linux VMs and scale sets.
_azure_vm_types := {"azurerm_linux_virtual_machine", "azurerm_linux_virtual_machine_scale_set", "azurerm_orchestrated_virtual_machine_scale_set"}

deny contains {"msg": msg, "path": ["resources", i, "config", "admin_ssh_key", j]} if {
	count(_azure_vm_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _azure_vm_types
	some j, _ in data.driftless.lib.terraform.blocks(r.config, "admin_ssh_key")
	msg := sprintf("%s is provisioned with an admin SSH key", [r.address])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "disable_password_authentication"]} if {
	count(_azure_vm_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _azure_vm_types
	r.config.disable_password_authentication == false
	msg := sprintf("%s allows SSH password login", [r.address])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "os_profile_linux_config", j, field]} if {
	"azurerm_virtual_machine" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "azurerm_virtual_machine"
	some j, c in data.driftless.lib.terraform.blocks(r.config, "os_profile_linux_config")
	some field in ["ssh_keys", "disable_password_authentication"]
	_legacy_vm_login(c, field)
	msg := sprintf("%s is provisioned with SSH login credentials", [r.address])
}

_legacy_vm_login(c, "ssh_keys") if count(data.driftless.lib.terraform.blocks(c, "ssh_keys")) > 0

_legacy_vm_login(c, "disable_password_authentication") if c.disable_password_authentication == false

_set(v) if {
	is_string(v)
	v != ""
}
