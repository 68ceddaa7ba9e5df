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
