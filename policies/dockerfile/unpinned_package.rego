# VER004: a package is installed without a version pin (apt, apk, yum/dnf,
# zypper, pip, npm, gem, go install @latest). Lockfile installs (`npm ci`,
# `pip install -r`) and local files are fine.
package driftless.dockerfile.unpinned_package

metadata := {"id": "VER004"}

deny contains {"msg": msg, "path": array.concat(cmd.path, [p.index])} if {
	some cmd in data.driftless.lib.dockerfile.commands
	cmd.packages != []
	some p in data.driftless.lib.packages.unpinned(cmd)
	msg := sprintf("`%s` installs `%s` without a version pin (%s)", [cmd.program, p.name, data.driftless.lib.packages.example[p.manager]])
}
