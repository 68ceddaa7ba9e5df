package driftless.terraform.ssh_credentials_test

import data.driftless.terraform.ssh_credentials

res(type, config) := {"resources": [{"type": type, "name": "x", "address": sprintf("%s.x", [type]), "config": config}]}

test_aws_key_name if {
	some f in ssh_credentials.deny with input as res("aws_instance", {"ami": "ami-1", "key_name": "ops"})
	f.path == ["resources", 0, "config", "key_name"]
	count(ssh_credentials.deny) == 1 with input as res("aws_launch_template", {"key_name": "ops"})
	count(ssh_credentials.deny) == 1 with input as res("aws_spot_instance_request", {"key_name": "ops"})
	count(ssh_credentials.deny) == 1 with input as res("aws_spot_fleet_request", {"launch_specification": [{"key_name": "ops"}]})
}

test_aws_without_key_is_fine if {
	count(ssh_credentials.deny) == 0 with input as res("aws_instance", {"ami": "ami-1"})
}

test_gcp_metadata if {
	count(ssh_credentials.deny) == 1 with input as res("google_compute_instance", {"metadata": {"ssh-keys": "ops:ssh-ed25519 AAAA"}})
	count(ssh_credentials.deny) == 1 with input as res("google_compute_instance", {"metadata": {"block-project-ssh-keys": false}})
	count(ssh_credentials.deny) == 0 with input as res("google_compute_instance", {"metadata": {"block-project-ssh-keys": true}})
	count(ssh_credentials.deny) == 1 with input as res("google_compute_project_metadata_item", {"key": "ssh-keys", "value": "x"})
}

test_azure if {
	count(ssh_credentials.deny) == 1 with input as res("azurerm_linux_virtual_machine", {"admin_ssh_key": [{"username": "ops"}]})
	count(ssh_credentials.deny) == 1 with input as res("azurerm_linux_virtual_machine", {"disable_password_authentication": false})
	count(ssh_credentials.deny) == 0 with input as res("azurerm_linux_virtual_machine", {"disable_password_authentication": true})
	count(ssh_credentials.deny) == 1 with input as res("azurerm_virtual_machine", {"os_profile_linux_config": [{"disable_password_authentication": false}]})
}
