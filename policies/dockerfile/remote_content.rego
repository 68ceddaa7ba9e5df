# VER005: remote content fetched without verification: `ADD <url>` without
# `--checksum`, and `curl`/`wget` piped into a shell.
package driftless.dockerfile.remote_content

metadata := {"id": "VER005"}

deny contains {"msg": msg, "path": ["stages", s, "instructions", j, "args", k]} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "add"
	not instr.flags.checksum
	some k, arg in instr.args
	some scheme in ["http://", "https://"]
	startswith(arg, scheme)
	msg := sprintf("`ADD %s` downloads without `--checksum`; the content is not verified", [arg])
}

_shells := {"sh", "bash", "zsh", "dash", "ash", "ksh"}

# The downloads and shells among the commands, found in one walk over every
# command per document; the two checks below walk only these (each step of
# a loop costs the VM thousands of instructions, BENCHMARKS.md, "Stop 27").
_fetches_and_shells := [cmd |
	programs := _shells | {"curl", "wget"}
	some cmd in data.driftless.lib.dockerfile.all_commands
	cmd.program in programs
]

deny contains {"msg": msg, "path": array.concat(cmd.path, [cmd.skip])} if {
	# read once, not once per command: each read of a rule is a call
	shells := _shells
	some cmd in _fetches_and_shells
	cmd.program in {"curl", "wget"}
	cmd.op == "|"
	shell := data.driftless.lib.dockerfile.program(cmd.next)
	shell in shells
	msg := sprintf("`%s … | %s` runs a downloaded script without verifying it", [cmd.program, shell])
}

# `sh -c "$(curl -fsSL https://…)"`: the shell runs what the download
# printed, unverified, just like a pipe into it.
deny contains {"msg": msg, "path": array.concat(cmd.path, [cmd.skip + k])} if {
	shells := _shells
	some cmd in _fetches_and_shells
	cmd.program in shells
	some k, word in cmd.words
	k > 0
	some fetch in ["curl", "wget"]
	_substitutes_output_of(word, fetch)
	msg := sprintf("`%s -c \"$(%s …)\"` runs a downloaded script without verifying it", [cmd.program, fetch])
}

_substitutes_output_of(word, fetch) if contains(word, concat("", ["$(", fetch, " "]))

_substitutes_output_of(word, fetch) if contains(word, concat("", ["`", fetch, " "]))
