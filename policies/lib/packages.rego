# Package-manager commands: which words of a command are packages being
# installed, and whether each names a version. Words come already split by
# the Dockerfile parser (quotes removed, redirections dropped).
package driftless.lib.packages

import data.driftless.lib.dockerfile

# installs(words) contains {"index": k, "name": w, "manager": m} for each
# package argument of an install command.
installs(words) := {p |
	m := _manager(words)
	some k in _candidates(words, m)
	p := {"index": k, "name": words[k], "manager": m}
}

# The subset of installs(words) without a version pin.
unpinned(words) := {p |
	some p in installs(words)
	not _pinned(words, p)
	not _self_upgrade(words, p)
}

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

# --- which manager, and where its arguments start --------------------------

_manager(words) := "apt" if {
	dockerfile.program(words) in {"apt-get", "apt", "aptitude"}
	"install" in words
}

_manager(words) := "apk" if {
	dockerfile.program(words) == "apk"
	"add" in words
}

_manager(words) := "yum" if {
	dockerfile.program(words) in {"yum", "dnf", "microdnf", "tdnf"}
	"install" in words
}

_manager(words) := "zypper" if {
	dockerfile.program(words) == "zypper"
	_has_any(words, {"install", "in"})
}

_manager(words) := "pip" if {
	regex.match(`^pip[0-9.]*$`, dockerfile.program(words))
	"install" in words
}

_manager(words) := "pip" if {
	regex.match(`^python[0-9.]*$`, dockerfile.program(words))
	words[1] == "-m"
	words[2] == "pip"
	"install" in words
}

_manager(words) := "npm" if {
	dockerfile.program(words) == "npm"
	_has_any(words, {"install", "i", "add"})
}

_manager(words) := "npm" if {
	dockerfile.program(words) in {"yarn", "pnpm"}
	_has_any(words, {"add"})
}

_manager(words) := "gem" if {
	dockerfile.program(words) == "gem"
	"install" in words
}

_manager(words) := "go" if {
	dockerfile.program(words) == "go"
	words[1] == "install"
}

_has_any(words, set) if {
	some w in words
	w in set
}

_subcommands := {
	"apt": {"install"}, "apk": {"add"}, "yum": {"install"}, "zypper": {"install", "in"},
	"pip": {"install"}, "npm": {"install", "i", "add"}, "gem": {"install"}, "go": {"install"},
}

# Index of the subcommand word (the first one).
_start(words, m) := min({k | some k, w in words; k > 0; w in _subcommands[m]})

# Options that take the next word as their value (so it is not a package).
_value_options := {
	"apt": {"-t", "--target-release", "-c", "--config-file", "-o", "--option"},
	"apk": {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--dir"},
	"yum": {"-c", "--config", "--releasever", "-x", "--exclude", "--installroot", "--setopt", "--repo", "--enablerepo", "--disablerepo"},
	"zypper": {"-t", "--type", "-r", "--repo", "-f", "--from"},
	"pip": {
		"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
		"--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
		"--trusted-host", "--platform", "--python-version", "--implementation", "--abi",
		"--src", "--log", "--cache-dir", "--progress-bar", "--upgrade-strategy",
	},
	"npm": {"--registry", "--prefix", "--cache", "-w", "--workspace", "--tag", "--omit", "--include"},
	"gem": {"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "--source", "-s", "-P", "--platform"},
	"go": set(),
}

# Argument positions that are packages.
_candidates(words, m) := c if {
	c := _plain_args(words, m)
	count(c) > 0
}

# `apt-get install -y -t python`: with nothing else left, the value of a
# value-taking option is the package the user meant.
_candidates(words, m) := c if {
	count(_plain_args(words, m)) == 0
	c := _option_values(words, m)
}

_plain_args(words, m) := {k |
	start := _start(words, m)
	some k, w in words
	k > start
	not startswith(w, "-")
	not _consumed(words, m, k)
	_looks_like_package(w, m)
}

_option_values(words, m) := {k |
	start := _start(words, m)
	some k, w in words
	k > start
	_consumed(words, m, k)
	not startswith(w, "-")
	m != "pip"
	_looks_like_package(w, m)
}

_consumed(words, m, k) if words[k - 1] in _value_options[m]

# Paths, URLs, archives and variables are not registry packages.
_looks_like_package(w, m) if {
	not startswith(w, ".")
	not startswith(w, "/")
	not startswith(w, "~")
	not startswith(w, "$")
	not contains(w, "://")
	not regex.match(`\.(deb|rpm|apk|whl|tar\.gz|tgz|zip|gem)$`, w)
	_no_path(w, m)
}

_no_path(w, "npm") if {
	not contains(w, ":")
	_npm_path_ok(w)
}

_no_path(w, m) if {
	m != "npm"
	m != "go"
	not contains(w, "/")
}

_no_path(w, "go") if contains(w, "@")

_npm_path_ok(w) if startswith(w, "@")

_npm_path_ok(w) if not contains(w, "/")

# --- pins -----------------------------------------------------------------

_pinned(_, p) if {
	p.manager in {"apt", "apk", "zypper"}
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
	not regex.match(`(>=|<=|!=|~=)`, p.name)
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
_pinned(words, p) if {
	p.manager == "gem"
	words[p.index + 1] in {"-v", "--version"}
}

_pinned(_, p) if {
	p.manager == "go"
	not endswith(p.name, "@latest")
}

# `pip install --upgrade pip` (the installer updating itself, with its
# packaging tools) is not an application dependency.
_self_upgrade(words, p) if {
	p.manager == "pip"
	p.name in {"pip", "setuptools", "wheel"}
	_has_any(words, {"--upgrade", "-U"})
}
