package driftless.lib.compose_test

import data.driftless.lib.compose

test_images_of_services if {
	file := {"services": {"web": {"image": "nginx:1.27"}, "app": {"build": "."}, "db": {"image": "postgres"}}}
	{[i.service, i.ref.tag] | some i in compose.images} == {["web", "1.27"], ["db", null]} with input as file
}

test_container_ports_in_every_syntax if {
	file := {"services": {"web": {
		"ports": [22, "2222:22", "127.0.0.1:8022:22/tcp", {"target": 22, "published": "2222"}, "20-25"],
		"expose": ["22"],
	}}}
	ports := [[p.path, p.container_port] | some p in compose.container_ports] with input as file
	ports == [
		[["services", "web", "ports", 0], "22"],
		[["services", "web", "ports", 1], "22"],
		[["services", "web", "ports", 2], "22"],
		[["services", "web", "ports", 3, "target"], "22"],
		[["services", "web", "ports", 4], "20-25"],
		[["services", "web", "expose", 0], "22"],
	]
}

test_includes_numbers_and_ranges if {
	compose.includes("22", 22)
	compose.includes("20-25", 22)
	not compose.includes("2222", 22)
	not compose.includes("23-25", 22)
	not compose.includes("${SSH_PORT}", 22)
}
