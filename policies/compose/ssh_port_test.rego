package driftless.compose.ssh_port_test

import data.driftless.compose.ssh_port

test_published_port_22 if {
	file := {"services": {"box": {"ports": ["22:22", {"target": 22, "published": "2222"}]}}}
	{f.path | some f in ssh_port.deny} == {["services", "box", "ports", 0], ["services", "box", "ports", 1, "target"]} with input as file
}

test_host_port_22_to_another_container_port_is_fine if {
	count(ssh_port.deny) == 0 with input as {"services": {"web": {"ports": ["22:8080", "8022:80", 8080]}}}
}

test_ranges_including_22 if {
	count(ssh_port.deny) == 1 with input as {"services": {"web": {"expose": ["20-25"]}}}
}
