# Which words of a command are packages being installed, and with which
# manager, is parsed once in Rust (driftless.parse_command, see
# lib.dockerfile.commands): each package is {"index", "name", "manager"}.
# This library decides which of them are pinned.
package driftless.lib.packages

# The packages of a command (an item of dockerfile.commands) installed
# without a version pin, in the order they are written (an array: a set
# would have to be put back in that order, a walk per package).
unpinned(cmd) := [p |
	some p in cmd.packages
	not contains(p.name, "=")
] if {
	_pinned_with_equals(cmd)
} else := [p |
	some p in cmd.packages
	not _pinned(cmd, p)
	not _self_upgrade(cmd, p)
]

# Every package of the command is installed by a manager that pins with
# `name=version` and nothing else (apt, apk, zypper: most install commands,
# and a command's packages share its manager). For them the first `_pinned`
# definition below is the whole test, made inline: a call of a function of
# nine definitions costs the VM an entry into each for every unpinned
# package (BENCHMARKS.md, "Stop 27").
_pinned_with_equals(cmd) if {
	every p in cmd.packages {
		p.manager in _equals_managers
	}
}

_equals_managers := {"apt", "apk", "zypper"}

# How to pin a package with each manager, for messages.
example := {
	"apt": "name=version",
	"apk": "name=version",
	"yum": "name-version",
	"zypper": "name=version",
	"pip": "name==version",
	"npm": "name@version",
	"gem": "name:version or -v version",
	"go": "module@vX.Y.Z",
}

# --- pins -----------------------------------------------------------------

_pinned(_, p) if {
	p.manager in _equals_managers
	contains(p.name, "=")
}

_pinned(_, p) if {
	p.manager == "yum"
	regex.match(`.+-(\$|\{|[0-9])`, p.name)
}

_pinned(_, p) if {
	p.manager == "yum"
	contains(p.name, "=")
}

_pinned(_, p) if {
	p.manager == "pip"
	contains(p.name, "=")
	not contains(p.name, ">=")
	not contains(p.name, "<=")
	not contains(p.name, "!=")
	not contains(p.name, "~=")
}

_pinned(_, p) if {
	p.manager == "pip"
	contains(p.name, "@")
}

_pinned(_, p) if {
	p.manager == "npm"
	contains(trim_prefix(p.name, "@"), "@")
}

_pinned(_, p) if {
	p.manager == "gem"
	contains(p.name, ":")
}

# gem: `-v` pins only the package right before it.
_pinned(cmd, p) if {
	p.manager == "gem"
	cmd.words[(p.index - cmd.skip) + 1] in {"-v", "--version"}
}

_pinned(_, p) if {
	p.manager == "go"
	not endswith(p.name, "@latest")
}

# `pip install --upgrade pip` (the installer updating itself, with its
# packaging tools) is not an application dependency.
_self_upgrade(cmd, p) if {
	p.manager == "pip"
	p.name in {"pip", "setuptools", "wheel"}
	some w in cmd.words
	w in {"--upgrade", "-U"}
}
