package driftless.lib.terraform_test

import data.driftless.lib.terraform

test_blocks_accepts_lists_objects_and_absence if {
	terraform.blocks({"ingress": [{"a": 1}, {"a": 2}]}, "ingress") == [{"a": 1}, {"a": 2}]
	terraform.blocks({"ingress": {"a": 1}}, "ingress") == [{"a": 1}]
	terraform.blocks({}, "ingress") == []
}

test_takes_images if {
	terraform.takes_images("kubernetes_deployment_v1")
	terraform.takes_images("aws_ecs_task_definition")
	not terraform.takes_images("aws_instance")
}

test_resource_types_lists_each_type_once if {
	types := terraform.resource_types with input as {"resources": [
		{"type": "aws_instance"}, {"type": "aws_security_group"}, {"type": "aws_instance"}, {"name": "no type"},
	]}
	types == {"aws_instance", "aws_security_group"}
}

test_variant_takes_the_branches_of_one_condition if {
	alts := [
		{"key": ["from_port"], "value": 22, "when": "a"},
		{"key": ["to_port"], "value": 22, "when": "a"},
		{"key": ["to_port"], "value": 443, "when": "b"},
		{"key": ["nested", "x"], "value": 1, "when": "a"},
	]
	terraform.variant({"from_port": "${a}", "to_port": "${a}", "protocol": "tcp"}, alts, "a") == {"from_port": 22, "to_port": 22, "protocol": "tcp"}
}

test_alternatives_under_a_block if {
	inp := {"alternatives": [
		{"path": ["resources", 0, "config", "ingress", 0, "from_port"], "value": 22, "when": "a"},
		{"path": ["resources", 1, "config", "image"], "value": "x", "when": "b"},
	]}
	alts := terraform.alternatives_under(["resources", 0, "config", "ingress", 0]) with input as inp
	alts == [{"path": ["alternatives", 0, "value"], "key": ["from_port"], "value": 22, "when": "a"}]
}
