# ACME001: every Deployment names the team that owns it.
#
# A custom driftless rule: one package per rule and document kind (the
# `kubernetes` segment of the package name selects the documents it sees),
# `metadata` with the rule's ID and documentation, and `deny` findings that
# point at the offending value with a JSON path into the input.
package acme.kubernetes.team_label

metadata := {
	"id": "ACME001",
	"title": "Deployment has no `team` label",
	"severity": "medium",
	"description": "Every Deployment must say which team owns it, so alerts, costs and incidents reach the right people.",
	"remediation": "Add `metadata.labels.team` with the owning team's name.",
	"tags": ["ownership"],
}

# The label is missing: point at `metadata.labels` (or at `metadata` when
# there are no labels at all — driftless falls back to the nearest existing
# parent of the path).
deny contains {"msg": msg, "path": ["metadata", "labels", "team"]} if {
	input.kind == "Deployment"
	not has_team
	msg := sprintf("Deployment `%s` has no `team` label", [object.get(input, ["metadata", "name"], "(unnamed)")])
}

# The label is there but empty.
deny contains {"msg": msg, "path": ["metadata", "labels", "team"]} if {
	input.kind == "Deployment"
	trim_space(input.metadata.labels.team) == ""
	msg := sprintf("Deployment `%s` has an empty `team` label", [input.metadata.name])
}

has_team if {
	is_string(input.metadata.labels.team)
}

