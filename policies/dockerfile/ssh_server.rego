# SSH003: the image ships an SSH server (openssh-server, dropbear, apk's
# openssh), runs sshd, or exposes port 22.
package driftless.dockerfile.ssh_server

metadata := {"id": "SSH003"}

_ssh_packages := {"openssh-server", "openssh", "dropbear", "openssh-server-pam", "dropbear-dbclient"}

# Every name of `_ssh_packages` starts with one of these: a command none of
# whose words does is passed over with one builtin call, not a walk over
# its packages (BENCHMARKS.md, "Stop 26").
_ssh_prefixes := ["openssh", "dropbear"]

deny contains {"msg": msg, "path": array.concat(cmd.path, [p.index])} if {
	# read once, not once per command: each read of a rule is a call
	prefixes := _ssh_prefixes
	some cmd in data.driftless.lib.dockerfile.all_commands
	strings.any_prefix_match(cmd.words, prefixes)
	some p in cmd.packages
	_ssh_package(p)
	msg := sprintf("the image installs the SSH server `%s`", [p.name])
}

# `openssh-server`, `openssh-server=1:9.2p1-2` (apt, apk), `openssh-server:amd64`.
_ssh_package(p) if split(split(split(p.name, "=")[0], "@")[0], ":")[0] in _ssh_packages

# yum/dnf name a version after a dash: `openssh-server-8.7p1-38.el9`.
_ssh_package(p) if {
	p.manager == "yum"
	some name in _ssh_packages
	startswith(p.name, concat("", [name, "-"]))
	regex.match(`^[0-9]`, substring(p.name, count(name) + 1, -1))
}

deny contains {"msg": "the image runs `sshd`", "path": array.concat(cmd.path, [cmd.skip])} if {
	some cmd in data.driftless.lib.dockerfile.all_commands
	cmd.program == "sshd"
}

deny contains {"msg": "the image starts `sshd`", "path": ["stages", s, "instructions", j, "args", k]} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd in {"cmd", "entrypoint"}
	some k, arg in instr.args
	_sshd(arg)
}

# `sshd` or a path to it (prefix tests: a `regex.match` builds a fresh
# matcher cache on every call in regorus).
_sshd(arg) if arg == "sshd"

_sshd(arg) if endswith(arg, "/sshd")

deny contains {"msg": sprintf("`EXPOSE %s` exposes SSH", [arg]), "path": ["stages", s, "instructions", j, "args", k]} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "expose"
	some k, arg in instr.args
	_exposes_22(arg)
}

# `ONBUILD EXPOSE 22`: every image built FROM this one exposes SSH.
deny contains {"msg": sprintf("`ONBUILD EXPOSE %s` exposes SSH in every image built from this one", [arg]), "path": ["stages", s, "instructions", j, "trigger", "args", k]} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "onbuild"
	instr.trigger.cmd == "expose"
	some k, arg in instr.trigger.args
	_exposes_22(arg)
}

# `22`, `22/tcp`, a range `20-30`; UDP-only is not SSH.
_exposes_22(arg) if {
	parts := split(arg, "/")
	not _udp(parts)
	not _other_plain_port(parts[0])
	data.driftless.lib.network.includes_22(parts[0])
}

# `8080`: digits without a leading zero, not 22 — most `EXPOSE`s, told
# apart with two builtins instead of the port-range parser.
_other_plain_port(p) if {
	trim_left(p, "0123456789") == ""
	not startswith(p, "0")
	p != "22"
}

_udp(parts) if lower(parts[1]) == "udp"
