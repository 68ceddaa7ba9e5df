# Ports, protocols and address ranges, for the network rules (SSH001).
package driftless.lib.network

import data.driftless.config

# Sources that mean "anyone on the internet", in every cloud's spelling:
# any CIDR with prefix length 0, `*`, `0.0.0.0`, `Internet`, `any`.
world(source) if {
	is_string(source)
	s := lower(trim_space(source))
	_world_source(s)
	not _allowed(source)
}

_world_source(s) if s in {"*", "0.0.0.0", "internet", "any", "::"}

_world_source(s) if endswith(s, "/0")

# A list of CIDRs whose union is every address of one family (`0.0.0.0/1`
# and `128.0.0.0/1`; `::/1` and `8000::/1`) while none of them alone is the
# world. CIDR blocks either nest or are disjoint, so the blocks not inside
# another one are disjoint, and they cover the space when their sizes add
# up to its size. Sizes are counted in units of the family's /32 (IPv4) or
# /62 (IPv6) blocks, so they stay within 64-bit integers; an IPv6 list
# that needs blocks longer than /62 to cover everything is not found.
world_union(sources) if {
	is_array(sources)
	# one block alone is the world or not: `world` decides (and most lists
	# hold one block, so the walk below is skipped for them)
	count(sources) > 1
	not _any_world(sources)
	some family in [{"v4": true, "unit": 32}, {"v4": false, "unit": 62}]
	cidrs := [c | some c in sources; _cidr_of_family(c, family.v4)]
	count(cidrs) > 1
	outer := [c |
		some i, c in cidrs
		not _inside_another(cidrs, i)
	]
	sizes := [bits.lsh(1, family.unit - len) |
		some c in outer
		len := to_number(split(c, "/")[1])
		len <= family.unit
	]
	sum(sizes) == bits.lsh(1, family.unit)
}

_any_world(sources) if {
	some s in sources
	world(s)
}

_cidr_of_family(c, true) if {
	is_string(c)
	regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$`, c)
	net.cidr_is_valid(c)
}

_cidr_of_family(c, false) if {
	is_string(c)
	contains(c, ":")
	regex.match(`^[0-9a-fA-F:]+/[0-9]{1,3}$`, c)
	net.cidr_is_valid(c)
}

# Block i lies inside a larger block of the list, or the same block is
# written again earlier in the list.
_inside_another(cidrs, i) if {
	some j, other in cidrs
	j != i
	net.cidr_contains(other, cidrs[i])
	not net.cidr_contains(cidrs[i], other)
}

_inside_another(cidrs, i) if {
	some j, other in cidrs
	j < i
	net.cidr_contains(other, cidrs[i])
	net.cidr_contains(cidrs[i], other)
}

# Ranges the team allows explicitly (config option SSH001.allowed_sources).
_allowed(source) if source in config.options.SSH001.allowed_sources

# A port specification includes port 22: a number, "22", a range
# "20-30", "*", or a comma-separated list of those (Azure).
includes_22(spec) if num(spec) == 22

includes_22(spec) if {
	is_string(spec)
	some part in split(spec, ",")
	_part_includes_22(trim_space(part))
}

_part_includes_22(part) if part == "*"

_part_includes_22(part) if {
	bounds := split(part, "-")
	count(bounds) == 2
	num(trim_space(bounds[0])) <= 22
	num(trim_space(bounds[1])) >= 22
}

_part_includes_22(part) if {
	not contains(part, "-")
	part != "*"
	num(part) == 22
}

# A from/to port pair includes 22.
range_includes_22(from, to) if {
	num(from) <= 22
	num(to) >= 22
}

# A number, or a string of digits as a number; undefined otherwise (an
# unresolved `${var.port}` must not make the rule fail).
num(x) := x if is_number(x)

num(x) := to_number(concat("", [sign, significant])) if {
	is_string(x)
	unsigned := trim_prefix(x, "-")
	trim_left(unsigned, "0123456789") == ""
	sign := trim_suffix(x, unsigned)
	significant := trim_left(unsigned, "0")
	significant != ""
}

# Zero, however many zeros (to_number refuses leading zeros: "0022", "00").
num(x) := 0 if {
	is_string(x)
	unsigned := trim_prefix(x, "-")
	unsigned != ""
	trim_left(unsigned, "0") == ""
}

# Protocols that carry SSH: TCP or everything.
tcp_or_all(protocol) if lower(sprintf("%v", [protocol])) in {"tcp", "6", "-1", "all", "*"}

# Protocol values that mean "all protocols, all ports".
all_traffic(protocol) if lower(sprintf("%v", [protocol])) in {"-1", "all", "*"}

# lower() that is undefined, not an error, for values that are not strings
# (an unresolved expression or a number where text was expected).
lower_text(x) := lower(x) if is_string(x)
