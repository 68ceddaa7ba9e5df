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

# The commands of a package manager this rule knows, found in one walk
# over every command per document; the three checks below walk only these
# (each step of a loop costs the VM thousands of instructions, BENCHMARKS.md,
# "Stop 27").
_managed := [cmd |
	programs := _programs
	some cmd in data.driftless.lib.dockerfile.all_commands
	cmd.program in programs
]

_programs := {program | some program, _ in _upgrades} | {"pacman"}

# Each command's words are searched with `in` (one builtin call) for the
# few upgrade words, not walked word by word: most install commands hold
# none, and a walk costs a loop step per word (BENCHMARKS.md, "Stop 26").
deny contains {"msg": msg, "path": array.concat(cmd.path, [k + cmd.skip])} if {
	# read once, not once per command: each read of a rule is a call
	by_program := _upgrades
	some cmd in _managed
	program := cmd.program
	upgrades := by_program[program]
	some upgrade in upgrades
	upgrade in cmd.words
	some k, w in cmd.words
	w == upgrade
	k == _subcommand(program, cmd.words)
	msg := sprintf("`%s %s` upgrades packages in place; rebuild from a newer pinned base image instead", [program, w])
}

# `apt-get install --only-upgrade pkg` upgrades the packages it names that
# are already installed: an in-place upgrade too.
deny contains {"msg": msg, "path": array.concat(cmd.path, [k + cmd.skip])} if {
	some cmd in _managed
	cmd.program in {"apt-get", "apt"}
	"--only-upgrade" in cmd.words
	some k, w in cmd.words
	w == "--only-upgrade"
	msg := sprintf("`%s install --only-upgrade` upgrades packages in place; rebuild from a newer pinned base image instead", [cmd.program])
}

# `pacman -Syu` / `-Su` / `--sysupgrade`: a full system upgrade.
deny contains {"msg": msg, "path": array.concat(cmd.path, [k + cmd.skip])} if {
	some cmd in _managed
	cmd.program == "pacman"
	some k, w in cmd.words
	_pacman_sysupgrade(w)
	msg := sprintf("`pacman %s` upgrades packages in place; rebuild from a newer pinned base image instead", [w])
}

_pacman_sysupgrade(w) if w == "--sysupgrade"

_pacman_sysupgrade(w) if {
	startswith(w, "-S")
	not startswith(w, "--")
	contains(w, "u")
}

# Options whose value is the next word (`apt-get -o Dpkg::Options::=… upgrade`):
# that value is not the subcommand.
_value_options := {
	"apt-get": {"-o", "--option", "-c", "--config-file", "-t", "--target-release"},
	"apt": {"-o", "--option", "-c", "--config-file", "-t", "--target-release"},
	"aptitude": {"-o", "-t", "--target-release", "-F", "--display-format"},
	"yum": {"-c", "--config", "-x", "--exclude", "--enablerepo", "--disablerepo", "--setopt", "--releasever", "--installroot"},
	"dnf": {"-c", "--config", "-x", "--exclude", "--enablerepo", "--disablerepo", "--setopt", "--releasever", "--installroot"},
	"microdnf": {"--enablerepo", "--disablerepo", "--setopt", "--releasever", "--installroot", "--config"},
	"tdnf": {"-c", "--config", "--enablerepo", "--disablerepo", "--releasever", "--installroot"},
	"apk": {"-X", "--repository", "-p", "--root", "--repositories-file", "--arch"},
	"zypper": {"-R", "--root", "-c", "--config", "-D", "--reposd-dir"},
}

# The first word after the program that is neither an option nor an
# option's value (computed only for a command that has an upgrade word at
# all: most have none).
_subcommand(program, words) := min({k |
	some k, w in words
	k > 0
	not startswith(w, "-")
	not words[k - 1] in object.get(_value_options, program, set())
})
