package driftless.tfplan.delete_before_create_test

import data.driftless.tfplan.delete_before_create

plan(actions) := {"format_version": "1.2", "resource_changes": [{"address": "aws_instance.web", "type": "aws_instance", "change": {"actions": actions}}]}

test_delete_then_create if {
	some f in delete_before_create.deny with input as plan(["delete", "create"])
	f.path == ["resource_changes", 0, "address"]
}

test_create_before_destroy_is_fine if {
	count(delete_before_create.deny) == 0 with input as plan(["create", "delete"])
	count(delete_before_create.deny) == 0 with input as plan(["update"])
	count(delete_before_create.deny) == 0 with input as plan(["delete"])
}
