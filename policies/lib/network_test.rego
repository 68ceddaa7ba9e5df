package driftless.lib.network_test

import data.driftless.lib.network

test_num_reads_numbers_and_digit_strings if {
	network.num(22) == 22
	network.num("22") == 22
	network.num("-1") == -1
	network.num("0022") == 22
	network.num("-0022") == -22
	network.num("0") == 0
	network.num("00") == 0
	network.num("-0") == 0
}

test_num_is_undefined_for_anything_else if {
	not network.num("-")
	not network.num("")
	not network.num("1-2")
	not network.num("--1")
	not network.num("22 ")
	not network.num("${var.port}")
	not network.num(null)
}

test_includes_22 if {
	network.includes_22(22)
	network.includes_22("20-30")
	network.includes_22("80, 22")
	network.includes_22("*")
	not network.includes_22("2222")
	not network.includes_22("23-30")
}

test_world_union_is_the_whole_address_space if {
	network.world_union(["0.0.0.0/1", "128.0.0.0/1"])
	network.world_union(["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"])
	network.world_union(["0.0.0.0/1", "0.0.0.0/1", "128.0.0.0/1"])
	not network.world_union(["0.0.0.0/1", "10.0.0.0/8"])
	not network.world_union(["0.0.0.0/1", "0.0.0.0/1"])
	not network.world_union(["0.0.0.0/0", "128.0.0.0/1"])
	not network.world_union("${var.cidrs}")
}

test_world_union_ipv6 if {
	network.world_union(["::/1", "8000::/1"])
	network.world_union(["::/1", "8000::/2", "c000::/2", "2001:db8::/32"])
	not network.world_union(["::/1", "2001:db8::/32"])
	not network.world_union(["0.0.0.0/1", "8000::/1"])
}
