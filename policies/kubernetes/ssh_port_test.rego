package driftless.kubernetes.ssh_port_test

import data.driftless.kubernetes.ssh_port

test_container_port_22 if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 8080}, {"containerPort": 22}]}]}}
	some f in ssh_port.deny with input as pod
	f.path == ["spec", "containers", 0, "ports", 1, "containerPort"]
}

test_service_port_and_target_port if {
	svc := {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 2222, "targetPort": 22}, {"port": 22, "targetPort": "ssh"}]}}
	count(ssh_port.deny) == 3 with input as svc
}

test_other_ports_are_fine if {
	svc := {"kind": "Service", "spec": {"ports": [{"port": 443, "targetPort": 8443}]}}
	count(ssh_port.deny) == 0 with input as svc
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 2222}]}]}}
	count(ssh_port.deny) == 0 with input as pod
}
