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

update(type, before, after, unknown) := {
	"address": sprintf("%s.x", [type]), "type": type, "name": "x",
	"change": {"actions": ["update"], "before": before, "after": after, "after_unknown": unknown},
}

test_rollout_resources_are_not_servers if {
	plan := {"format_version": "1.2", "resource_changes": [
		change("aws_ecs_service", ["update"]),
		change("aws_ecs_task_definition", ["update"]),
		change("aws_launch_template", ["update"]),
		change("google_compute_instance_group_manager", ["update"]),
		change("google_cloud_run_v2_service", ["update"]),
		change("aws_eks_node_group", ["update"]),
	]}
	count(in_place_update.deny) == 0 with input as plan
}

test_servers_of_each_cloud if {
	plan := {"format_version": "1.2", "resource_changes": [
		change("google_compute_instance", ["update"]),
		change("azurerm_linux_virtual_machine", ["update"]),
		change("hcloud_server", ["update"]),
	]}
	count(in_place_update.deny) == 3 with input as plan
}

test_tags_only_update_is_fine if {
	rc := update("aws_instance", {"ami": "ami-1", "tags": {"team": "a"}, "tags_all": {"team": "a"}}, {"ami": "ami-1", "tags": {"team": "b"}, "tags_all": {"team": "b"}}, {})
	count(in_place_update.deny) == 0 with input as {"format_version": "1.2", "resource_changes": [rc]}
}

test_labels_only_update_is_fine if {
	rc := update("google_compute_instance", {"labels": {}, "effective_labels": {}}, {"labels": {"env": "prod"}, "effective_labels": {"env": "prod"}}, {"terraform_labels": true})
	count(in_place_update.deny) == 0 with input as {"format_version": "1.2", "resource_changes": [rc]}
}

test_tags_and_more_is_reported if {
	rc := update("aws_instance", {"instance_type": "t3.micro", "tags": {}}, {"instance_type": "t3.small", "tags": {"a": "b"}}, {})
	count(in_place_update.deny) == 1 with input as {"format_version": "1.2", "resource_changes": [rc]}
}

test_unknown_values_count_as_changes if {
	rc := update("aws_instance", {"tags": {}}, {"tags": {"a": "b"}}, {"user_data": true})
	count(in_place_update.deny) == 1 with input as {"format_version": "1.2", "resource_changes": [rc]}
}

test_update_without_visible_changes_is_reported if {
	rc := update("aws_instance", null, null, {})
	count(in_place_update.deny) == 1 with input as {"format_version": "1.2", "resource_changes": [rc]}
}
