# VER001: a module source is not pinned. Registry modules (also with a
# `//subdir`) need a `version` that is bounded above (`5.1.2`, `~> 5.1`,
# `>= 5, < 6`; strict mode: one exact version); git, http(s), S3 and GCS
# sources need `?ref=` naming something other than a branch (strict mode: a
# full commit SHA). Local paths are fine.
package driftless.terraform.module_pin

import data.driftless.config

metadata := {"id": "VER001"}

# Each module call's source when it is a string, and which of them are
# remote, found once per document: the three checks below share them (on
# the compiled VM a Rego function call costs thousands of instructions).
_sources[i] := src if {
	some i, m in input.modules
	src := m.config.source
	is_string(src)
}

_remote_sources[i] := src if {
	some i, src in _sources
	some prefix in _remote_prefixes
	startswith(src, prefix)
}

deny contains {"msg": msg, "path": ["modules", i, "config", "version"]} if {
	some i, src in _sources
	not _remote_sources[i]
	_registry(src)
	m := input.modules[i]
	not _has_version(m.config)
	msg := sprintf("module `%s` uses registry module `%s` without a `version`", [m.name, src])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "version"]} if {
	some i, src in _sources
	not _remote_sources[i]
	_registry(src)
	m := input.modules[i]
	_has_version(m.config)
	not _bounded_above(m.config.version)
	msg := sprintf("module `%s` accepts any version of `%s` from `%s` up: the range has no upper bound, so the next major version is taken without review", [m.name, src, m.config.version])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "version"]} if {
	config.strict
	some i, src in _sources
	not _remote_sources[i]
	_registry(src)
	m := input.modules[i]
	_has_version(m.config)
	_bounded_above(m.config.version)
	not _exact(m.config.version)
	msg := sprintf("module `%s` takes `%s` in range `%s`; strict mode wants one exact version", [m.name, src, m.config.version])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "source"]} if {
	some i, src in _remote_sources
	ref := _ref(src)
	_branch(ref)
	msg := sprintf("module `%s` uses `%s` with `ref=%s`, a branch: it follows whatever is pushed there", [input.modules[i].name, src, ref])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "source"]} if {
	some i, src in _remote_sources
	not _ref(src)
	msg := sprintf("module `%s` uses `%s` without `?ref=`; it follows the default branch", [input.modules[i].name, src])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "source"]} if {
	config.strict
	some i, src in _remote_sources
	ref := _ref(src)
	not _branch(ref)
	not regex.match(`^[0-9a-f]{40}$`, ref)
	msg := sprintf("module `%s` is pinned to `%s`, which can be moved; strict mode wants a commit SHA", [input.modules[i].name, ref])
}

_has_version(c) if {
	is_string(c.version)
	c.version != ""
}

_local(src) if startswith(src, "./")

_local(src) if startswith(src, "../")

_local(src) if startswith(src, "/")

# `namespace/name/provider` or `host/namespace/name/provider`, optionally
# with a `//subdir` inside the module package (a source that is not remote:
# see `_remote_sources`).
_registry(src) if {
	not _local(src)
	not contains(src, "::")
	not contains(src, "://")
	not contains(src, "${")
	parts := split(split(src, "//")[0], "/")
	count(parts) in {3, 4}
	not "" in parts
}

# Git refs that name a branch, which moves with every push.
_branches := {"main", "master", "develop", "development", "dev", "trunk", "HEAD"}

_branch(ref) if ref in _branches

# The parts of a version constraint (`>= 1.0, < 2.0`), each as its operator
# (`=` when none is written) and version. Terraform's constraint syntax.
_constraints(version) := [c |
	some part in split(version, ",")
	c := _constraint(trim_space(part))
]

_constraint(part) := {"op": op, "v": trim_space(trim_prefix(part, op))} if {
	# two-character operators first, so `>=` is not read as `>`
	ops := [op | some op in [">=", "<=", "~>", "!=", ">", "<", "="]; startswith(part, op)]
	op := ops[0]
} else := {"op": "=", "v": part}

# A constraint that some part caps from above: an exact version, `<`, `<=`
# or `~>` (which allows only the last given component to grow).
_bounded_above(version) if {
	some c in _constraints(version)
	c.op in {"=", "<", "<=", "~>"}
}

# One exact version and nothing else.
_exact(version) if {
	cs := _constraints(version)
	count(cs) == 1
	cs[0].op == "="
}

# Prefix tests rather than `regex.match`: each regex call builds a fresh
# matcher cache in regorus (BENCHMARKS.md).

_remote_prefixes := [
	"git::", "hg::", "s3::", "gcs::", "http::", "https::",
	"https://", "http://", "git://", "ssh://",
	"github.com/", "bitbucket.org/", "gitlab.com/", "git@",
]

# The value of `ref=` in the query string.
_ref(src) := ref if {
	query := split(src, "?")[1]
	some pair in split(query, "&")
	startswith(pair, "ref=")
	ref := substring(pair, 4, -1)
	ref != ""
}
