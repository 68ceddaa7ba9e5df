package driftless.tfplan.in_place_update_test

import data.driftless.tfplan.in_place_update

change(type, actions) := {
	"address": sprintf("%s.x", [type]), "type": type, "name": "x",
	"change": {"actions": actions, "before": {"instance_type": "t3.micro", "ami": "ami-1"}, "after": {"instance_type": "t3.small", "ami": "ami-1"}, "after_unknown": {}},
}

test_in_place_instance_update if {
	plan := {"format_version": "1.2", "resource_changes": [change("aws_instance", ["update"])]}
	some f in in_place_update.deny with input as plan
	f.path == ["resource_changes", 0, "address"]
	contains(f.msg, "instance_type: t3.micro → t3.small")
	not contains(f.msg, "ami:")
}

test_other_actions_are_fine if {
	plan := {"format_version": "1.2", "resource_changes": [
		change("aws_instance", ["create"]),
		change("aws_instance", ["no-op"]),
		change("aws_instance", ["delete", "create"]),
		change("aws_instance", ["create", "delete"]),
		change("aws_instance", ["read"]),
		change("aws_instance", ["delete"]),
	]}
	count(in_place_update.deny) == 0 with input as plan
}

test_non_server_updates_are_fine if {
	plan := {"format_version": "1.2", "resource_changes": [change("aws_s3_bucket", ["update"])]}
	count(in_place_update.deny) == 0 with input as plan
}

test_configured_type_list if {
	plan := {"format_version": "1.2", "resource_changes": [change("aws_s3_bucket", ["update"])]}
	count(in_place_update.deny) == 1 with input as plan
		with data.driftless.config.options.UPD001.resource_types as ["aws_s3_bucket"]
}

test_malformed_plans_are_not_errors if {
	count(in_place_update.deny) == 0 with input as {"format_version": "1.2", "resource_changes": "kind"}
}
