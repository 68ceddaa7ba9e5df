# Helpers for the Dockerfile input (docs/input-dockerfile.md): every shell
# command of every RUN (shell form, exec form and heredocs) with its path.
package driftless.lib.dockerfile

# Each simple command: {"path": [... "commands", c], "words": [...],
# "skip": n, "op": operator after it, "next": the following command's
# words (or [])}. `words` has prefixes such as `sudo`, `env X=1` and
# `X=1` removed; `skip` is how many, so word k of `words` is
# `array.concat(path, [k + skip])` in the input.
commands contains cmd if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "run"
	some c, raw in object.get(instr, "commands", [])
	skip := _prefix_length(raw)
	cmd := {
		"path": ["stages", s, "instructions", j, "commands", c],
		"words": array.slice(raw, skip, count(raw)),
		"skip": skip,
		"op": _operator(instr, c),
		"next": _next_words(instr, c),
	}
}

_operator(instr, c) := instr.operators[c]

_operator(instr, c) := "" if not instr.operators[c]

_next_words(instr, c) := w if {
	next := instr.commands[c + 1]
	w := array.slice(next, _prefix_length(next), count(next))
}

_next_words(instr, c) := [] if not instr.commands[c + 1]

# Leading words that do not name the program: sudo (with its flags), env
# (with assignments), bare assignments, exec/command/nice/time.
_prefix_length(words) := _count_prefix(words, 0)

# Rego has no loops over positions, so prefixes are counted up to four.
_count_prefix(words, k) := 0 if not _is_prefix(words[k])

_count_prefix(words, k) := n if {
	_is_prefix(words[k])
	not _is_prefix(words[k + 1])
	n := k + 1
}

_count_prefix(words, k) := n if {
	_is_prefix(words[k])
	_is_prefix(words[k + 1])
	not _is_prefix(words[k + 2])
	n := k + 2
}

_count_prefix(words, k) := n if {
	_is_prefix(words[k])
	_is_prefix(words[k + 1])
	_is_prefix(words[k + 2])
	not _is_prefix(words[k + 3])
	n := k + 3
}

_count_prefix(words, k) := n if {
	_is_prefix(words[k])
	_is_prefix(words[k + 1])
	_is_prefix(words[k + 2])
	_is_prefix(words[k + 3])
	n := k + 4
}

_is_prefix(w) if w in {"sudo", "env", "exec", "command", "nice", "time", "nohup"}

_is_prefix(w) if regex.match(`^[A-Za-z_][A-Za-z0-9_]*=`, w)

_is_prefix(w) if {
	startswith(w, "-")
	not startswith(w, "--")
	count(w) == 2
}

# The program name without its directory (`/usr/sbin/sshd` → `sshd`).
program(words) := base if {
	parts := split(words[0], "/")
	base := parts[count(parts) - 1]
}
