# SSH001: a network rule opens SSH (22, a range containing it, or all
# ports) to the internet: AWS security groups (default ones included),
# network ACLs and Lightsail public ports, GCP firewalls (an ingress rule
# with no source is open to 0.0.0.0/0, the provider's default), Azure
# network security groups and rules. A source list whose blocks together
# cover every address of a family (`0.0.0.0/1` + `128.0.0.0/1`, `::/1` +
# `8000::/1`) is the internet too.
package driftless.terraform.ssh_open_to_world

metadata := {"id": "SSH001"}

# One finding per network rule (one decision: close this rule to the
# internet), at its first world-open source, naming every such source; the
# others are related locations. `_hits` below has one entry per source:
# {"group": the rule's path, "path", "source", "address"}. The fingerprint
# is the resource's address and the block inside it (`ingress 0`), not the
# resource's position in the module, which moves when others are added.
deny contains finding if {
	_reads_anything
	some group in {h.group | some h in _hits}
	paths := sort({h.path | some h in _hits; h.group == group})
	hits := [h | some p in paths; some h in _hits; h.group == group; h.path == p]
	finding := {
		"msg": sprintf("%s %s SSH (port 22) to %s%s", [hits[0].address, _opens(hits[0]), concat(", ", [h.source | some h in hits]), data.driftless.lib.terraform.when(hits[0])]),
		"path": hits[0].path,
		"related": [{"path": h.path, "msg": sprintf("also open to %s", [h.source])} | some h in array.slice(hits, 1, count(hits))],
		"fingerprint": sprintf("%s %v", [hits[0].address, array.slice(group, 3, count(group))]),
	}
}

# Whether the document holds anything `_hits` reads: most modules hold
# none, and are not walked. On the compiled VM each `_hits` definition
# below is a rule call even when its first line fails, and there are
# twenty of them (BENCHMARKS.md, "Stop 26").
_reads_anything if count(_network_types & data.driftless.lib.terraform.resource_types) > 0

_reads_anything if {
	some r in input.modules
	contains(object.get(r.config, "source", ""), "security-group")
}

# Every resource type a `_hits` definition reads.
_network_types := {
	"aws_security_group",
	"aws_default_security_group",
	"aws_security_group_rule",
	"aws_vpc_security_group_ingress_rule",
	"aws_network_acl",
	"aws_network_acl_rule",
	"aws_lightsail_instance_public_ports",
	"google_compute_firewall",
	"azurerm_network_security_rule",
	"azurerm_network_security_group",
} | _gcp_policy_rule_types

# Each definition below tests a rule's sources before its ports: most rules
# name no source open to the world, and the port test (protocol text,
# numbers from strings) is the costlier one (BENCHMARKS.md, "Stop 26").

# --- AWS security groups (inline ingress, security-group modules) --------

_hits contains {"group": array.concat(base, ["ingress", j]), "path": array.concat(base, ["ingress", j, attr, k]), "source": src, "address": r.address} if {
	some base, r in _security_group_like
	some j, rule in data.driftless.lib.terraform.blocks(r.config, "ingress")
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	is_array(rule[attr])
	some k, src in rule[attr]
	data.driftless.lib.network.world(src)
	_aws_ports_include_22(rule)
}

_hits contains {"group": array.concat(base, ["ingress", j]), "path": array.concat(base, ["ingress", j, attr]), "source": _union_text(rule[attr]), "address": r.address} if {
	some base, r in _security_group_like
	some j, rule in data.driftless.lib.terraform.blocks(r.config, "ingress")
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	data.driftless.lib.network.world_union(rule[attr])
	_aws_ports_include_22(rule)
}

# How a source list that covers every address is named in the message.
_union_text(sources) := sprintf("%s (together every address)", [concat(" + ", sources)])

_security_group_like[["resources", i, "config"]] := r if {
	count({"aws_security_group", "aws_default_security_group"} & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in {"aws_security_group", "aws_default_security_group"}
}

_security_group_like[["modules", i, "config"]] := r if {
	some i, r in input.modules
	contains(object.get(r.config, "source", ""), "security-group")
}

_aws_ports_include_22(rule) if {
	data.driftless.lib.network.tcp_or_all(rule.protocol)
	data.driftless.lib.network.range_includes_22(rule.from_port, rule.to_port)
}

_aws_ports_include_22(rule) if data.driftless.lib.network.all_traffic(rule.protocol)

# aws_security_group_rule

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", attr, k], "source": src, "address": r.address} if {
	"aws_security_group_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_security_group_rule"
	r.config.type == "ingress"
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	is_array(r.config[attr])
	some k, src in r.config[attr]
	data.driftless.lib.network.world(src)
	_aws_ports_include_22(r.config)
}

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", attr], "source": _union_text(r.config[attr]), "address": r.address} if {
	"aws_security_group_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_security_group_rule"
	r.config.type == "ingress"
	some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
	data.driftless.lib.network.world_union(r.config[attr])
	_aws_ports_include_22(r.config)
}

# aws_vpc_security_group_ingress_rule

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", attr], "source": src, "address": r.address} if {
	"aws_vpc_security_group_ingress_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_vpc_security_group_ingress_rule"
	_vpc_rule_ports_include_22(r.config)
	some attr in ["cidr_ipv4", "cidr_ipv6"]
	src := r.config[attr]
	data.driftless.lib.network.world(src)
}

_vpc_rule_ports_include_22(c) if data.driftless.lib.network.all_traffic(c.ip_protocol)

_vpc_rule_ports_include_22(c) if {
	data.driftless.lib.network.tcp_or_all(c.ip_protocol)
	data.driftless.lib.network.range_includes_22(c.from_port, c.to_port)
}

_opens(hit) := "opens" if not hit.when

_opens(hit) := "may open" if hit.when

# --- AWS rules written with conditionals ------------------------------------

_hits contains hit if {
	_has_alternatives
	some base, r in _security_group_like
	some j, rule in data.driftless.lib.terraform.blocks(r.config, "ingress")
	some hit in _conditional_hits(array.concat(base, ["ingress", j]), rule, r.address)
}

_hits contains hit if {
	_has_alternatives
	"aws_security_group_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_security_group_rule"
	some hit in _conditional_hits(["resources", i, "config"], r.config, r.address)
}

# Whether the parser listed any alternative in this document: without one,
# no rule is walked for conditionals (a call per rule otherwise).
_has_alternatives if count(object.get(input, "alternatives", [])) > 0

# The hits of an AWS rule (at `prefix` in the input) that is not open as
# written but is when the conditionals in it take the branches of one
# condition: located at the first such branch, with "when".
_conditional_hits(prefix, rule, address) := {hit |
	alts := data.driftless.lib.terraform.alternatives_under(prefix)
	count(alts) > 0
	not _aws_open(rule)
	some when in {a.when | some a in alts}
	v := data.driftless.lib.terraform.variant(rule, alts, when)
	_aws_open(v)
	hit := {
		"group": array.concat(prefix, ["when", when]),
		"path": sort([a.path | some a in alts; a.when == when])[0],
		"source": concat(", ", _aws_world_sources(v)),
		"address": address,
		"when": when,
	}
}

_aws_open(rule) if {
	object.get(rule, "type", "ingress") == "ingress"
	_aws_ports_include_22(rule)
	count(_aws_world_sources(rule)) > 0
}

# The world-open sources of an AWS rule: each one, or the list that
# covers every address together.
_aws_world_sources(rule) := array.concat(
	[src |
		some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
		is_array(rule[attr])
		some src in rule[attr]
		data.driftless.lib.network.world(src)
	],
	[_union_text(rule[attr]) |
		some attr in ["cidr_blocks", "ipv6_cidr_blocks"]
		data.driftless.lib.network.world_union(rule[attr])
	],
)

# --- AWS network ACLs -----------------------------------------------------

_hits contains {"group": ["resources", i, "config", "ingress", j], "path": ["resources", i, "config", "ingress", j, attr], "source": src, "address": r.address} if {
	"aws_network_acl" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_network_acl"
	some j, rule in data.driftless.lib.terraform.blocks(r.config, "ingress")
	data.driftless.lib.network.lower_text(object.get(rule, "action", "allow")) == "allow"
	some attr in ["cidr_block", "ipv6_cidr_block"]
	src := rule[attr]
	data.driftless.lib.network.world(src)
	_aws_ports_include_22(rule)
}

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", attr], "source": src, "address": r.address} if {
	"aws_network_acl_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_network_acl_rule"
	not r.config.egress == true
	data.driftless.lib.network.lower_text(object.get(r.config, "rule_action", "allow")) == "allow"
	some attr in ["cidr_block", "ipv6_cidr_block"]
	src := r.config[attr]
	data.driftless.lib.network.world(src)
	_aws_ports_include_22(r.config)
}

# --- AWS Lightsail public ports --------------------------------------------

_hits contains {"group": ["resources", i, "config", "port_info", j], "path": ["resources", i, "config", "port_info", j, attr, k], "source": src, "address": r.address} if {
	"aws_lightsail_instance_public_ports" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "aws_lightsail_instance_public_ports"
	some j, port in data.driftless.lib.terraform.blocks(r.config, "port_info")
	some attr in ["cidrs", "ipv6_cidrs"]
	is_array(port[attr])
	some k, src in port[attr]
	data.driftless.lib.network.world(src)
	_aws_ports_include_22(port)
}

# --- GCP firewalls --------------------------------------------------------

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", "source_ranges", k], "source": src, "address": r.address} if {
	"google_compute_firewall" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "google_compute_firewall"
	data.driftless.lib.network.lower_text(object.get(r.config, "direction", "INGRESS")) == "ingress"
	not r.config.disabled == true
	some allow in data.driftless.lib.terraform.blocks(r.config, "allow")
	_gcp_allows_22(allow)
	is_array(r.config.source_ranges)
	some k, src in r.config.source_ranges
	data.driftless.lib.network.world(src)
}

_hits contains {"group": ["resources", i], "path": ["resources", i, "config", "source_ranges"], "source": _union_text(r.config.source_ranges), "address": r.address} if {
	some i, r in _gcp_ingress_allowing_22
	data.driftless.lib.network.world_union(r.config.source_ranges)
}

# An ingress firewall that names no source at all applies to every
# address: the provider sends 0.0.0.0/0 (its documented default).
_hits contains {"group": ["resources", i], "path": ["resources", i, "config", "source_ranges"], "source": "0.0.0.0/0 (no `source_ranges`, `source_tags` or `source_service_accounts`: the provider's default)", "address": r.address} if {
	some i, r in _gcp_ingress_allowing_22
	every attr in ["source_ranges", "source_tags", "source_service_accounts"] {
		object.get(r.config, attr, null) == null
	}
}

_gcp_ingress_allowing_22[i] := r if {
	"google_compute_firewall" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "google_compute_firewall"
	data.driftless.lib.network.lower_text(object.get(r.config, "direction", "INGRESS")) == "ingress"
	not r.config.disabled == true
	some allow in data.driftless.lib.terraform.blocks(r.config, "allow")
	_gcp_allows_22(allow)
}

# Firewall policy rules (network, regional and hierarchical policies):
# `match { src_ip_ranges, layer4_configs { ip_protocol, ports } }`.
_hits contains {"group": ["resources", i], "path": array.concat(m.path, ["src_ip_ranges", k]), "source": src, "address": r.address} if {
	some i, r in _gcp_policy_rules_allowing_22
	some m in _gcp_policy_matches(i, r)
	some k, src in m.match.src_ip_ranges
	data.driftless.lib.network.world(src)
}

_hits contains {"group": ["resources", i], "path": array.concat(m.path, ["src_ip_ranges"]), "source": _union_text(m.match.src_ip_ranges), "address": r.address} if {
	some i, r in _gcp_policy_rules_allowing_22
	some m in _gcp_policy_matches(i, r)
	data.driftless.lib.network.world_union(m.match.src_ip_ranges)
}

_gcp_policy_rule_types := {
	"google_compute_network_firewall_policy_rule",
	"google_compute_region_network_firewall_policy_rule",
	"google_compute_firewall_policy_rule",
}

_gcp_policy_rules_allowing_22[i] := r if {
	count(_gcp_policy_rule_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _gcp_policy_rule_types
	data.driftless.lib.network.lower_text(r.config.action) == "allow"
	data.driftless.lib.network.lower_text(r.config.direction) == "ingress"
	not r.config.disabled == true
	some m in data.driftless.lib.terraform.blocks(r.config, "match")
	some l4 in data.driftless.lib.terraform.blocks(m, "layer4_configs")
	# the `allow` shape: `ports` only when written (none means all ports)
	_gcp_allows_22(object.union(object.filter(l4, ["ports"]), {"protocol": l4.ip_protocol}))
}

_gcp_policy_matches(i, r) := [{"path": ["resources", i, "config", "match", j], "match": m} |
	some j, m in data.driftless.lib.terraform.blocks(r.config, "match")
	is_array(m.src_ip_ranges)
]

_gcp_allows_22(allow) if data.driftless.lib.network.all_traffic(allow.protocol)

_gcp_allows_22(allow) if {
	data.driftless.lib.network.tcp_or_all(allow.protocol)
	not allow.ports
}

_gcp_allows_22(allow) if {
	data.driftless.lib.network.tcp_or_all(allow.protocol)
	is_array(allow.ports)
	some port in allow.ports
	data.driftless.lib.network.includes_22(port)
}

# --- Azure network security groups and rules -------------------------------

_hits contains {"group": base, "path": array.concat(base, src_path), "source": src, "address": r.address} if {
	some base, rule in _azure_rules
	r := _azure_owner[base]
	data.driftless.lib.network.lower_text(rule.direction) == "inbound"
	data.driftless.lib.network.lower_text(rule.access) == "allow"
	data.driftless.lib.network.tcp_or_all(rule.protocol)
	_azure_ports_include_22(rule)
	some src_path, src in _azure_sources(rule)
	data.driftless.lib.network.world(src)
}

_hits contains {"group": base, "path": array.concat(base, ["source_address_prefixes"]), "source": _union_text(rule.source_address_prefixes), "address": r.address} if {
	some base, rule in _azure_rules
	r := _azure_owner[base]
	data.driftless.lib.network.lower_text(rule.direction) == "inbound"
	data.driftless.lib.network.lower_text(rule.access) == "allow"
	data.driftless.lib.network.tcp_or_all(rule.protocol)
	_azure_ports_include_22(rule)
	data.driftless.lib.network.world_union(rule.source_address_prefixes)
}

_azure_rules[["resources", i, "config"]] := r.config if {
	"azurerm_network_security_rule" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "azurerm_network_security_rule"
}

_azure_rules[["resources", i, "config", "security_rule", j]] := rule if {
	"azurerm_network_security_group" in data.driftless.lib.terraform.resource_types
	some i, r in input.resources
	r.type == "azurerm_network_security_group"
	some j, rule in data.driftless.lib.terraform.blocks(r.config, "security_rule")
}

_azure_owner[base] := input.resources[base[1]] if some base, _ in _azure_rules

_azure_ports_include_22(rule) if data.driftless.lib.network.includes_22(rule.destination_port_range)

_azure_ports_include_22(rule) if {
	is_array(rule.destination_port_ranges)
	some p in rule.destination_port_ranges
	data.driftless.lib.network.includes_22(p)
}

_azure_sources(rule) := {["source_address_prefix"]: rule.source_address_prefix} if {
	is_string(rule.source_address_prefix)
}

_azure_sources(rule) := {["source_address_prefixes", k]: s |
	some k, s in rule.source_address_prefixes
} if {
	not is_string(rule.source_address_prefix)
	is_array(rule.source_address_prefixes)
}
