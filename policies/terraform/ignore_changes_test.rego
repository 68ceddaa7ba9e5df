package driftless.terraform.ignore_changes_test

import data.driftless.terraform.ignore_changes

res(config) := {"resources": [{"type": "aws_instance", "name": "web", "address": "aws_instance.web", "config": config}]}

test_ignore_list if {
	some f in ignore_changes.deny with input as res({"lifecycle": [{"ignore_changes": ["${tags}", "${ami}"]}]})
	f.path == ["resources", 0, "config", "lifecycle", 0, "ignore_changes"]
}

test_ignore_all if {
	some f in ignore_changes.deny with input as res({"lifecycle": [{"ignore_changes": "${all}"}]})
	contains(f.msg, "every attribute")
}

test_other_lifecycle_settings_are_fine if {
	count(ignore_changes.deny) == 0 with input as res({"lifecycle": [{"create_before_destroy": true}]})
	count(ignore_changes.deny) == 0 with input as res({"lifecycle": [{"ignore_changes": []}]})
}
