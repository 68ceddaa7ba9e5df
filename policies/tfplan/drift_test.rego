package driftless.tfplan.drift_test

import data.driftless.tfplan.drift

test_drift_names_changed_attributes if {
	plan := {"format_version": "1.2", "resource_drift": [{
		"address": "aws_security_group.web", "type": "aws_security_group",
		"change": {"actions": ["update"], "before": {"description": "web", "tags": {"a": "1"}}, "after": {"description": "web", "tags": {"a": "2"}}},
	}]}
	some f in drift.deny with input as plan
	f.path == ["resource_drift", 0, "address"]
	contains(f.msg, "tags: (changed) → (changed)")
}

test_no_drift if {
	count(drift.deny) == 0 with input as {"format_version": "1.2", "resource_changes": []}
}
