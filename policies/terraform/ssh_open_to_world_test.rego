package driftless.terraform.ssh_open_to_world_test

import data.driftless.terraform.ssh_open_to_world

res(type, config) := {"resources": [{"type": type, "name": "x", "address": sprintf("%s.x", [type]), "config": config}], "modules": []}

sg(ingress) := res("aws_security_group", {"ingress": [ingress]})

test_inline_ingress if {
	some f in ssh_open_to_world.deny with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8", "0.0.0.0/0"]})
	f.path == ["resources", 0, "config", "ingress", 0, "cidr_blocks", 1]
}

test_ranges_all_traffic_and_ipv6 if {
	count(ssh_open_to_world.deny) == 1 with input as sg({"from_port": 0, "to_port": 1024, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 1 with input as sg({"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 1 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "ipv6_cidr_blocks": ["::/0"]})
}

test_private_udp_and_other_ports_are_fine if {
	count(ssh_open_to_world.deny) == 0 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]})
	count(ssh_open_to_world.deny) == 0 with input as sg({"from_port": 22, "to_port": 22, "protocol": "udp", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 0 with input as sg({"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]})
}

test_security_group_rule_and_vpc_rule if {
	rule := res("aws_security_group_rule", {"type": "ingress", "from_port": "22", "to_port": "22", "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 1 with input as rule
	egress := res("aws_security_group_rule", {"type": "egress", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 0 with input as egress
	vpc := res("aws_vpc_security_group_ingress_rule", {"from_port": 22, "to_port": 22, "ip_protocol": "tcp", "cidr_ipv6": "::/0"})
	some f in ssh_open_to_world.deny with input as vpc
	f.path == ["resources", 0, "config", "cidr_ipv6"]
}

test_network_acls if {
	acl := res("aws_network_acl", {"ingress": [{"protocol": "tcp", "action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 22, "to_port": 22}]})
	count(ssh_open_to_world.deny) == 1 with input as acl
	deny_acl := res("aws_network_acl", {"ingress": [{"protocol": "tcp", "action": "deny", "cidr_block": "0.0.0.0/0", "from_port": 22, "to_port": 22}]})
	count(ssh_open_to_world.deny) == 0 with input as deny_acl
	rule := res("aws_network_acl_rule", {"egress": false, "protocol": "tcp", "rule_action": "allow", "cidr_block": "0.0.0.0/0", "from_port": 22, "to_port": 22})
	count(ssh_open_to_world.deny) == 1 with input as rule
}

test_gcp_firewall if {
	fw := res("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "icmp"}, {"protocol": "tcp", "ports": ["80", "21-3390"]}]})
	some f in ssh_open_to_world.deny with input as fw
	f.path == ["resources", 0, "config", "source_ranges", 0]
	all := res("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "all"}]})
	count(ssh_open_to_world.deny) == 1 with input as all
	tcp_no_ports := res("google_compute_firewall", {"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp"}]})
	count(ssh_open_to_world.deny) == 1 with input as tcp_no_ports
	tags_only := res("google_compute_firewall", {"source_tags": ["web"], "allow": [{"protocol": "tcp", "ports": ["22"]}]})
	count(ssh_open_to_world.deny) == 0 with input as tags_only
	egress := res("google_compute_firewall", {"direction": "EGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["22"]}]})
	count(ssh_open_to_world.deny) == 0 with input as egress
}

azure_rule(port, source, protocol) := res("azurerm_network_security_rule", {
	"direction": "Inbound", "access": "Allow", "protocol": protocol,
	"destination_port_range": port, "source_address_prefix": source,
})

test_azure_rules if {
	count(ssh_open_to_world.deny) == 1 with input as azure_rule("22", "*", "Tcp")
	count(ssh_open_to_world.deny) == 1 with input as azure_rule("20-30", "Internet", "*")
	count(ssh_open_to_world.deny) == 1 with input as azure_rule("21, 22 , 24 ", "any", "TCP")
	count(ssh_open_to_world.deny) == 1 with input as azure_rule("*", "0.0.0.0/0", "Tcp")
	count(ssh_open_to_world.deny) == 0 with input as azure_rule("22", "10.0.0.0/8", "Tcp")
	count(ssh_open_to_world.deny) == 0 with input as azure_rule("22", "*", "Udp")
	count(ssh_open_to_world.deny) == 0 with input as azure_rule("220,230", "*", "Tcp")
}

test_azure_inline_security_rule_and_prefix_lists if {
	nsg := res("azurerm_network_security_group", {"security_rule": [{
		"direction": "Inbound", "access": "Allow", "protocol": "Tcp",
		"destination_port_ranges": ["443", "22"], "source_address_prefixes": ["10.0.0.0/8", "Internet"],
	}]})
	some f in ssh_open_to_world.deny with input as nsg
	f.path == ["resources", 0, "config", "security_rule", 0, "source_address_prefixes", 1]
}

test_security_group_module if {
	m := {"resources": [], "modules": [{"name": "sg", "address": "module.sg", "config": {
		"source": "terraform-aws-modules/security-group/aws",
		"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
	}}]}
	some f in ssh_open_to_world.deny with input as m
	f.path == ["modules", 0, "config", "ingress", 0, "cidr_blocks", 0]
}

test_allowed_sources_option if {
	input_doc := sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]})
	count(ssh_open_to_world.deny) == 0 with input as input_doc with data.driftless.config.options.SSH001.allowed_sources as ["0.0.0.0/0"]
}

test_unresolved_values_are_skipped_not_errors if {
	count(ssh_open_to_world.deny) == 0 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": "${var.cidrs}"})
	fw := res("google_compute_firewall", {"direction": "${var.d}", "source_ranges": "${var.r}", "allow": [{"protocol": "tcp", "ports": "${var.p}"}]})
	count(ssh_open_to_world.deny) == 0 with input as fw
	nsg := res("azurerm_network_security_rule", {"direction": 1, "access": "Allow", "protocol": "Tcp", "destination_port_ranges": "${var.p}", "source_address_prefixes": "${var.s}"})
	count(ssh_open_to_world.deny) == 0 with input as nsg
}

test_one_finding_per_network_rule if {
	security_group := {"type": "aws_security_group", "name": "a", "address": "aws_security_group.a", "config": {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0", "10.0.0.0/8"], "ipv6_cidr_blocks": ["::/0"]}]}}
	findings := ssh_open_to_world.deny with input as {"resources": [security_group], "modules": []}
	count(findings) == 1
	some f in findings
	f.path == ["resources", 0, "config", "ingress", 0, "cidr_blocks", 0]
	f.msg == "aws_security_group.a opens SSH (port 22) to 0.0.0.0/0, ::/0"
	[r.path | some r in f.related] == [["resources", 0, "config", "ingress", 0, "ipv6_cidr_blocks", 0]]
	f.fingerprint == `aws_security_group.a ["ingress", 0]`
}

test_gcp_ingress_without_source_is_open_to_the_world if {
	fw := res("google_compute_firewall", {"allow": [{"protocol": "tcp", "ports": ["22"]}]})
	some f in ssh_open_to_world.deny with input as fw
	contains(f.msg, "the provider's default")
	f.path == ["resources", 0, "config", "source_ranges"]
	sa := res("google_compute_firewall", {"source_service_accounts": ["a@b"], "allow": [{"protocol": "tcp", "ports": ["22"]}]})
	count(ssh_open_to_world.deny) == 0 with input as sa
	egress := res("google_compute_firewall", {"direction": "EGRESS", "allow": [{"protocol": "tcp", "ports": ["22"]}]})
	count(ssh_open_to_world.deny) == 0 with input as egress
	http := res("google_compute_firewall", {"allow": [{"protocol": "tcp", "ports": ["443"]}]})
	count(ssh_open_to_world.deny) == 0 with input as http
}

test_source_lists_covering_every_address if {
	halves := ["0.0.0.0/1", "128.0.0.0/1"]
	fw := res("google_compute_firewall", {"source_ranges": halves, "allow": [{"protocol": "tcp", "ports": ["22"]}]})
	some f in ssh_open_to_world.deny with input as fw
	contains(f.msg, "0.0.0.0/1 + 128.0.0.0/1 (together every address)")
	count(ssh_open_to_world.deny) == 1 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": halves})
	rule := res("aws_security_group_rule", {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": halves})
	count(ssh_open_to_world.deny) == 1 with input as rule
	nsg := res("azurerm_network_security_rule", {"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "destination_port_range": "22", "source_address_prefixes": halves})
	count(ssh_open_to_world.deny) == 1 with input as nsg
	count(ssh_open_to_world.deny) == 0 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/1"]})
}

test_default_security_group_and_lightsail if {
	default_sg := res("aws_default_security_group", {"ingress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}]})
	count(ssh_open_to_world.deny) == 1 with input as default_sg
	ports := res("aws_lightsail_instance_public_ports", {"port_info": [{"protocol": "tcp", "from_port": 80, "to_port": 80}, {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["0.0.0.0/0"]}]})
	some f in ssh_open_to_world.deny with input as ports
	f.path == ["resources", 0, "config", "port_info", 1, "cidrs", 0]
	private := res("aws_lightsail_instance_public_ports", {"port_info": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["10.0.0.0/8"]}]})
	count(ssh_open_to_world.deny) == 0 with input as private
}

test_ipv6_halves_are_the_world if {
	count(ssh_open_to_world.deny) == 1 with input as sg({"from_port": 22, "to_port": 22, "protocol": "tcp", "ipv6_cidr_blocks": ["::/1", "8000::/1"]})
	rule := res("aws_security_group_rule", {"type": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "ipv6_cidr_blocks": ["::/1", "8000::/1"]})
	count(ssh_open_to_world.deny) == 1 with input as rule
}

policy_rule(action, ranges, l4) := res("google_compute_network_firewall_policy_rule", {
	"action": action, "direction": "INGRESS", "priority": 1000,
	"match": [{"src_ip_ranges": ranges, "layer4_configs": [l4]}],
})

# Regional and hierarchical firewall policies take the same rules.
test_gcp_regional_and_hierarchical_policy_rules if {
	config := {
		"action": "allow", "direction": "INGRESS", "priority": 1000,
		"match": [{"src_ip_ranges": ["0.0.0.0/0"], "layer4_configs": [{"ip_protocol": "tcp", "ports": ["22"]}]}],
	}
	count(ssh_open_to_world.deny) == 1 with input as res("google_compute_region_network_firewall_policy_rule", config)
	count(ssh_open_to_world.deny) == 1 with input as res("google_compute_firewall_policy_rule", config)
}

# A document with no network resource and no security-group module is not
# walked, and a security-group module alone still is.
test_documents_without_network_rules_have_no_hits if {
	count(ssh_open_to_world.deny) == 0 with input as res("aws_instance", {"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]})
	not ssh_open_to_world._reads_anything with input as res("aws_instance", {})
	ssh_open_to_world._reads_anything with input as {"resources": [], "modules": [{"name": "sg", "address": "module.sg", "config": {"source": "terraform-aws-modules/security-group/aws"}}]}
}

test_gcp_firewall_policy_rules if {
	open := policy_rule("allow", ["0.0.0.0/0"], {"ip_protocol": "tcp", "ports": ["22"]})
	some f in ssh_open_to_world.deny with input as open
	f.path == ["resources", 0, "config", "match", 0, "src_ip_ranges", 0]
	count(ssh_open_to_world.deny) == 1 with input as policy_rule("allow", ["0.0.0.0/1", "128.0.0.0/1"], {"ip_protocol": "all"})
	count(ssh_open_to_world.deny) == 1 with input as policy_rule("allow", ["0.0.0.0/0"], {"ip_protocol": "tcp"})
	count(ssh_open_to_world.deny) == 0 with input as policy_rule("deny", ["0.0.0.0/0"], {"ip_protocol": "tcp", "ports": ["22"]})
	count(ssh_open_to_world.deny) == 0 with input as policy_rule("allow", ["35.235.240.0/20"], {"ip_protocol": "tcp", "ports": ["22"]})
	count(ssh_open_to_world.deny) == 0 with input as policy_rule("allow", ["0.0.0.0/0"], {"ip_protocol": "tcp", "ports": ["443"]})
}

# `from_port = var.open ? 22 : 443` (both ports): the parser keeps the text
# and lists the branches in `input.alternatives`.
conditional_sg(cidrs) := object.union(sg({"from_port": "${var.open ? 22 : 443}", "to_port": "${var.open ? 22 : 443}", "protocol": "tcp", "cidr_blocks": cidrs}), {"alternatives": [
	{"path": ["resources", 0, "config", "ingress", 0, "from_port"], "value": 22, "when": "`var.open` is true"},
	{"path": ["resources", 0, "config", "ingress", 0, "from_port"], "value": 443, "when": "`var.open` is false"},
	{"path": ["resources", 0, "config", "ingress", 0, "to_port"], "value": 22, "when": "`var.open` is true"},
	{"path": ["resources", 0, "config", "ingress", 0, "to_port"], "value": 443, "when": "`var.open` is false"},
]})

test_conditional_port_may_open_ssh if {
	findings := ssh_open_to_world.deny with input as conditional_sg(["0.0.0.0/0"])
	count(findings) == 1
	some f in findings
	f.path == ["alternatives", 0, "value"]
	f.msg == "aws_security_group.x may open SSH (port 22) to 0.0.0.0/0, when `var.open` is true"
}

test_conditional_port_to_a_private_range_is_fine if {
	count(ssh_open_to_world.deny) == 0 with input as conditional_sg(["10.0.0.0/8"])
}

test_conditional_source_on_a_rule_resource if {
	inp := object.union(res("aws_security_group_rule", {"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": "${var.public ? [\"0.0.0.0/0\"] : [\"10.0.0.0/8\"]}"}), {"alternatives": [
		{"path": ["resources", 0, "config", "cidr_blocks"], "value": ["0.0.0.0/0"], "when": "`var.public` is true"},
		{"path": ["resources", 0, "config", "cidr_blocks"], "value": ["10.0.0.0/8"], "when": "`var.public` is false"},
	]})
	findings := ssh_open_to_world.deny with input as inp
	count(findings) == 1
	some f in findings
	f.path == ["alternatives", 0, "value"]
	contains(f.msg, "may open SSH (port 22) to 0.0.0.0/0, when `var.public` is true")
}
