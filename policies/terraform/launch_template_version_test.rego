package driftless.terraform.launch_template_version_test

import data.driftless.terraform.launch_template_version

res(type, config) := {"resources": [{"type": type, "name": "x", "address": sprintf("%s.x", [type]), "config": config}]}

test_asg_latest if {
	some f in launch_template_version.deny with input as res("aws_autoscaling_group", {"launch_template": [{"id": "lt-1", "version": "$Latest"}]})
	f.path == ["resources", 0, "config", "launch_template", 0, "version"]
}

test_mixed_instances_policy_default if {
	cfg := {"mixed_instances_policy": [{"launch_template": [{"launch_template_specification": [{"version": "$Default"}]}]}]}
	count(launch_template_version.deny) == 1 with input as res("aws_autoscaling_group", cfg)
}

test_node_group_and_fleet if {
	count(launch_template_version.deny) == 1 with input as res("aws_eks_node_group", {"launch_template": [{"version": "$Latest"}]})
	cfg := {"launch_template_config": [{"launch_template_specification": [{"version": "$Latest"}]}]}
	count(launch_template_version.deny) == 1 with input as res("aws_spot_fleet_request", cfg)
}

test_exact_versions_are_fine if {
	count(launch_template_version.deny) == 0 with input as res("aws_autoscaling_group", {"launch_template": [{"version": "${aws_launch_template.app.latest_version}"}]})
	count(launch_template_version.deny) == 0 with input as res("aws_autoscaling_group", {"launch_template": [{"version": "3"}]})
}
