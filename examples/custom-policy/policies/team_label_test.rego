# Unit tests for ACME001: run them with `driftless test examples/custom-policy`.
package acme.kubernetes.team_label_test

import data.acme.kubernetes.team_label

deployment(labels) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "labels": labels},
	"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27.2"}]}}},
}

test_missing_team_label_is_denied if {
	some f in team_label.deny with input as deployment({"app": "web"})
	f.path == ["metadata", "labels", "team"]
	f.msg == "Deployment `web` has no `team` label"
}

test_no_labels_at_all_is_denied if {
	count(team_label.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "web"}}
}

test_empty_team_label_is_denied if {
	some f in team_label.deny with input as deployment({"team": " "})
	contains(f.msg, "empty")
}

test_team_label_passes if {
	count(team_label.deny) == 0 with input as deployment({"team": "payments"})
}

test_other_kinds_are_ignored if {
	count(team_label.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "web"}}
}
