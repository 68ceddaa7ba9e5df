# VER004: packages are installed without a version pin (apt, apk, yum/dnf,
# zypper, pip, npm, gem, go install @latest). Lockfile installs (`npm ci`,
# `pip install -r`) and local files are fine.
#
# One finding per install command (one decision: pin this command's
# packages), located at its first unpinned package, naming all of them,
# with the others as related locations. Its fingerprint is the command's
# program and manager, so a baseline survives one more package on the line.
package driftless.dockerfile.unpinned_package

metadata := {"id": "VER004"}

deny contains finding if {
	some cmd in data.driftless.lib.dockerfile.all_commands
	cmd.packages != []
	ordered := data.driftless.lib.packages.unpinned(cmd)
	count(ordered) > 0
	first := ordered[0]
	finding := {
		"msg": _message(cmd, ordered),
		"path": array.concat(cmd.path, [first.index]),
		"related": [{"path": array.concat(cmd.path, [p.index]), "msg": sprintf("`%s` is not pinned either", [p.name])} |
			some p in array.slice(ordered, 1, count(ordered))
		],
		"fingerprint": sprintf("%s %s", [cmd.program, first.manager]),
	}
}

_message(cmd, [p]) := sprintf("`%s` installs `%s` without a version pin (%s)", [cmd.program, p.name, data.driftless.lib.packages.example[p.manager]])

_message(cmd, ordered) := msg if {
	count(ordered) > 1
	names := concat(", ", [sprintf("`%s`", [p.name]) | some p in ordered])
	msg := sprintf("`%s` installs %d packages without a version pin: %s (%s)", [cmd.program, count(ordered), names, data.driftless.lib.packages.example[ordered[0].manager]])
}
