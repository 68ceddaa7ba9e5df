# Helpers for the Dockerfile input (docs/input-dockerfile.md): every shell
# command of every RUN (shell form, exec form and heredocs) with its path.
package driftless.lib.dockerfile

# Each simple command of every stage's RUN, in file order: {"path":
# ["stages", s, "instructions", j, "commands", c], "words": [...],
# "skip": n, "program": name, "packages": [...], "op": operator after it,
# "next": the following command's words, or []}. `words` has prefixes such
# as `sudo`, `env X=1` and `X=1` removed; `skip` is how many, so word k of
# `words` is `array.concat(path, [k + skip])` in the input. A package's
# `index` counts the prefixes, so it is `array.concat(path, [p.index])`.
#
# The parser lists them as `input.commands` (src/parse/dockerfile/
# analysed.rs): built here, they cost more than parsing the file. An input
# written by hand, as in rule tests, has no `commands`; the same list is
# then built from its stages with driftless.parse_command
# (src/parse/dockerfile/command.rs). tests/dockerfile_commands.rs checks
# that both agree on every fixture.
commands := input.commands if {
	is_array(input.commands)
} else := [cmd |
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "run"
	some c, raw in object.get(instr, "commands", [])
	parsed := driftless.parse_command(raw)
	parsed.program != null
	cmd := {
		"path": ["stages", s, "instructions", j, "commands", c],
		"words": array.slice(raw, parsed.skip, count(raw)),
		"skip": parsed.skip,
		"program": parsed.program,
		"packages": parsed.packages,
		"op": object.get(instr, ["operators", c], ""),
		"next": object.get(instr, ["commands", c + 1], []),
	}
]

# The commands of `ONBUILD RUN` triggers, in the shape of `commands`, with
# paths into the trigger (`["stages", s, "instructions", j, "trigger",
# "commands", c]`): an image built FROM this one runs them, so rules check
# them as the RUN they will become. Built here (ONBUILD is rare) rather
# than listed by the parser.
onbuild_commands := [cmd |
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "onbuild"
	trigger := instr.trigger
	trigger.cmd == "run"
	some c, raw in object.get(trigger, "commands", [])
	parsed := driftless.parse_command(raw)
	parsed.program != null
	cmd := {
		"path": ["stages", s, "instructions", j, "trigger", "commands", c],
		"words": array.slice(raw, parsed.skip, count(raw)),
		"skip": parsed.skip,
		"program": parsed.program,
		"packages": parsed.packages,
		"op": object.get(trigger, ["operators", c], ""),
		"next": object.get(trigger, ["commands", c + 1], []),
	}
]

# Every command the image or its children run: `commands`, then the
# `ONBUILD RUN` triggers' (what the built-in RUN rules iterate).
all_commands := array.concat(commands, onbuild_commands)

# The program of a command's words (`next` above), or null.
program(words) := driftless.parse_command(words).program

# Images a stage uses besides its FROM, as BuildKit pulls them:
# `COPY --from=nginx:1.27` and `RUN --mount=…,from=busybox:1.36` when the
# value is not an earlier stage (by name, case-insensitively, or by index).
# Each is {"path": [...], "image": text, "ref": parsed or null, "how":
# "COPY --from", "RUN --mount" or "ONBUILD COPY --from"}; references with
# an unresolved `$` are left out (their `ref` would be null). Mounts are
# read from `flag_list`: `flags` keeps only the last `--mount`.
images contains {"path": ["stages", s, "instructions", j, "trigger", "flags", "from"], "image": image, "ref": driftless.parse_image(image), "how": "ONBUILD COPY --from"} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "onbuild"
	instr.trigger.cmd == "copy"
	image := instr.trigger.flags.from
	_clearly_an_image(image)
}

images contains {"path": ["stages", s, "instructions", j, "flags", "from"], "image": image, "ref": driftless.parse_image(image), "how": "COPY --from"} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "copy"
	image := instr.flags.from
	_external_image(image, s)
}

images contains {"path": ["stages", s, "instructions", j, "flag_list", m, "value"], "image": image, "ref": driftless.parse_image(image), "how": "RUN --mount"} if {
	some s, stage in input.stages
	some j, instr in stage.instructions
	instr.cmd == "run"
	some m, flag in object.get(instr, "flag_list", [])
	flag.name == "mount"
	is_string(flag.value)
	some option in split(flag.value, ",")
	startswith(option, "from=")
	image := substring(option, 5, -1)
	_external_image(image, s)
}

# In a trigger, a bare name may be a stage of the child's Dockerfile: only
# a reference with a tag, digest or path (no stage name has `:`, `@`, `/`).
_clearly_an_image(image) if {
	is_string(image)
	not contains(image, "$")
	regex.match(`[:/@]`, image)
}

_external_image(image, s) if {
	is_string(image)
	not contains(image, "$")
	not regex.match(`^[0-9]+$`, image)
	not _earlier_stage(lower(image), s)
}

_earlier_stage(name, s) if {
	some k, stage in input.stages
	k < s
	is_string(stage.name)
	lower(stage.name) == name
}
