# VER001: a module source is not pinned. Registry modules need `version`;
# git, http(s), S3 and GCS sources need `?ref=` (strict mode: a full commit
# SHA). Local paths are fine.
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

deny contains {"msg": msg, "path": ["modules", i, "config", "source"]} if {
	some i, src in _remote_sources
	not _ref(src)
	msg := sprintf("module `%s` uses `%s` without `?ref=`; it follows the default branch", [input.modules[i].name, src])
}

deny contains {"msg": msg, "path": ["modules", i, "config", "source"]} if {
	config.strict
	some i, src in _remote_sources
	ref := _ref(src)
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

# `namespace/name/provider` or `host/namespace/name/provider` (a source
# that is not remote: see `_remote_sources`).
_registry(src) if {
	not _local(src)
	not contains(src, "::")
	not contains(src, "://")
	not contains(src, "${")
	parts := split(src, "/")
	count(parts) in {3, 4}
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
