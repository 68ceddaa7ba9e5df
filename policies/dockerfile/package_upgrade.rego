# UPD006: the image build upgrades packages in place.
package driftless.dockerfile.package_upgrade

metadata := {"id": "UPD006"}

_upgrades := {
	"apt-get": {"upgrade", "dist-upgrade", "full-upgrade"},
	"apt": {"upgrade", "dist-upgrade", "full-upgrade"},
	"aptitude": {"upgrade", "safe-upgrade", "full-upgrade"},
	"yum": {"update", "upgrade", "distro-sync"},
	"dnf": {"update", "upgrade", "distro-sync"},
	"microdnf": {"update", "upgrade"},
	"tdnf": {"update", "upgrade"},
	"apk": {"upgrade"},
	"zypper": {"update", "up", "dist-upgrade", "dup", "patch"},
}

deny contains {"msg": msg, "path": array.concat(cmd.path, [k + cmd.skip])} if {
	some cmd in data.driftless.lib.dockerfile.commands
	program := cmd.program
	upgrades := _upgrades[program]
	some k, w in cmd.words
	w in upgrades
	k == _subcommand(cmd.words)
	msg := sprintf("`%s %s` upgrades packages in place; rebuild from a newer pinned base image instead", [program, w])
}

# The first word after the program that is not an option (computed only
# for a command that has an upgrade word at all: most have none).
_subcommand(words) := min({k | some k, w in words; k > 0; not startswith(w, "-")})
