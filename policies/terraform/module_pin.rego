# VER001: a module source is not pinned. Registry modules (also with a
# `//subdir`) need a `version` that is bounded above (`5.1.2`, `~> 5.1`,
# `>= 5, < 6`; strict mode: one exact version); git, http(s), S3 and GCS
# sources need `?ref=` naming something other than a branch (strict mode: a
# full commit SHA). Local paths are fine.
package driftless.terraform.module_pin

import data.driftless.config

metadata := {"id": "VER001"}

# Every remote-capable source, keyed by the path of the block that names
# it: module calls (`["modules", i]`) and Terragrunt's `terraform { source
# = ... }` (`["terraform", i]`, from `terragrunt.hcl`). Each entry holds
# the `label` used in messages, the `src` to judge and the `config` that
# may hold its `version`. Found once per document: the checks below share
# them (on the compiled VM a Rego function call costs thousands of
# instructions).
_calls[["modules", i]] := {"label": sprintf("module `%s`", [m.name]), "src": m.config.source, "config": m.config, "version_path": ["modules", i, "config", "version"]} if {
	some i, m in input.modules
	is_string(m.config.source)
	not _local(m.config.source)
}

_calls[["terraform", i]] := {"label": "the Terragrunt `terraform` block", "src": t.config.source, "config": {}, "version_path": ["terraform", i, "config", "source"]} if {
	some i, t in input.terraform
	is_string(t.config.source)
	not startswith(t.config.source, "tfr://")
}

# `tfr://[host]/namespace/name/provider[//subdir]?version=...`: Terragrunt's
# registry source, judged as the registry module it names with the version
# from its query string.
_calls[["terraform", i]] := {"label": "the Terragrunt `terraform` block", "src": address, "config": _tfr_config(src), "version_path": ["terraform", i, "config", "source"]} if {
	some i, t in input.terraform
	src := t.config.source
	is_string(src)
	startswith(src, "tfr://")
	address := trim_prefix(split(trim_prefix(src, "tfr://"), "?")[0], "/")
}

_tfr_config(src) := {"version": _tfr_version(src)} if _tfr_version(src)

_tfr_config(src) := {} if not _tfr_version(src)

_tfr_version(src) := version if {
	parts := split(src, "?")
	count(parts) > 1
	some pair in split(parts[1], "&")
	startswith(pair, "version=")
	version := substring(pair, 8, -1)
}

_remote_calls[key] := call if {
	some key, call in _calls
	strings.any_prefix_match(call.src, _remote_prefixes)
}

_registry_calls[key] := call if {
	some key, call in _calls
	not _remote_calls[key]
	_registry(call.src)
}

deny contains {"msg": msg, "path": call.version_path} if {
	some call in _registry_calls
	not _has_version(call.config)
	msg := sprintf("%s uses registry module `%s` without a `version`", [call.label, call.src])
}

deny contains {"msg": msg, "path": call.version_path} if {
	some call in _registry_calls
	_has_version(call.config)
	not _bounded_above(call.config.version)
	msg := sprintf("%s accepts any version of `%s` from `%s` up: the range has no upper bound, so the next major version is taken without review", [call.label, call.src, call.config.version])
}

deny contains {"msg": msg, "path": call.version_path} if {
	config.strict
	some call in _registry_calls
	_has_version(call.config)
	_bounded_above(call.config.version)
	not _exact(call.config.version)
	msg := sprintf("%s takes `%s` in range `%s`; strict mode wants one exact version", [call.label, call.src, call.config.version])
}

deny contains {"msg": msg, "path": array.concat(key, ["config", "source"])} if {
	some key, call in _remote_calls
	ref := _ref(call.src)
	_branch(ref)
	msg := sprintf("%s uses `%s` with `ref=%s`, a branch: it follows whatever is pushed there", [call.label, call.src, ref])
}

deny contains {"msg": msg, "path": array.concat(key, ["config", "source"])} if {
	some key, call in _remote_calls
	not _ref(call.src)
	msg := sprintf("%s uses `%s` without `?ref=`; it follows the default branch", [call.label, call.src])
}

deny contains {"msg": msg, "path": array.concat(key, ["config", "source"])} if {
	config.strict
	some key, call in _remote_calls
	ref := _ref(call.src)
	not _branch(ref)
	not regex.match(`^[0-9a-f]{40}$`, ref)
	msg := sprintf("%s is pinned to `%s`, which can be moved; strict mode wants a commit SHA", [call.label, ref])
}

_has_version(c) if {
	is_string(c.version)
	c.version != ""
}

# Local paths, which need no pin (most module calls of a repository that
# composes its own modules): one builtin call decides.
_local(src) if strings.any_prefix_match(src, ["./", "../", "/"])

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

_constraint(part) := {"op": op, "v": trim_space(substring(part, count(op), -1))} if op := _operator(part)

# The operator a constraint starts with, two-character ones first so `>=`
# is not read as `>`; "" for a bare version (which means `=`). Disjoint
# bodies rather than `else`, which the compiled VM and the interpreter
# must agree on.
_operator(part) := op if {
	op := substring(part, 0, 2)
	op in _two_char_operators
}

_operator(part) := op if {
	not substring(part, 0, 2) in _two_char_operators
	op := substring(part, 0, 1)
	op in {">", "<", "="}
}

_operator(part) := "" if {
	not substring(part, 0, 2) in _two_char_operators
	not substring(part, 0, 1) in {">", "<", "="}
}

_two_char_operators := {">=", "<=", "~>", "!="}

# A constraint that some part caps from above: an exact version, `<`, `<=`
# or `~>` (which allows only the last given component to grow).
_bounded_above(version) if {
	some c in _constraints(version)
	c.op in {"", "=", "<", "<=", "~>"}
}

# One exact version and nothing else.
_exact(version) if {
	cs := _constraints(version)
	count(cs) == 1
	cs[0].op in {"", "="}
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
