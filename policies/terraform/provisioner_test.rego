package driftless.terraform.provisioner_test

import data.driftless.terraform.provisioner

res(config) := {"resources": [{"type": "aws_instance", "name": "web", "address": "aws_instance.web", "config": config}]}

test_remote_exec if {
	some f in provisioner.deny with input as res({"provisioner": [{"remote-exec": {"inline": ["apt-get install -y nginx"]}}]})
	f.path == ["resources", 0, "config", "provisioner", 0, "remote-exec"]
}

test_file_provisioner if {
	count(provisioner.deny) == 1 with input as res({"provisioner": [{"file": {"source": "a", "destination": "/b"}}]})
}

test_local_exec_is_fine if {
	count(provisioner.deny) == 0 with input as res({"provisioner": [{"local-exec": {"command": "echo hi"}}]})
}

test_ssh_connection if {
	count(provisioner.deny) == 1 with input as res({"connection": [{"host": "x"}]})
	count(provisioner.deny) == 1 with input as res({"connection": [{"type": "ssh", "host": "x"}]})
	count(provisioner.deny) == 0 with input as res({"connection": [{"type": "winrm", "host": "x"}]})
}
