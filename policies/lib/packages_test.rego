package driftless.lib.packages_test

import data.driftless.lib.packages

_pkg(index, name, manager) := {"index": index, "name": name, "manager": manager}

# apt, apk and zypper pin with `=` only: the inline test.
test_equals_managers_keep_written_order if {
	cmd := {"words": ["apt-get", "install", "b", "a=1", "c"], "skip": 0, "packages": [
		_pkg(2, "b", "apt"),
		_pkg(3, "a=1", "apt"),
		_pkg(4, "c", "apt"),
	]}
	[p.name | some p in packages.unpinned(cmd)] == ["b", "c"]
}

test_no_packages_none_unpinned if {
	packages.unpinned({"words": ["apk", "add"], "skip": 0, "packages": []}) == []
}

# Other managers go through every pin form (`==`, `-v`, `@`), and
# `pip install --upgrade pip` is not an application dependency.
test_other_managers_read_their_own_pins if {
	pip := {"words": ["pip", "install", "--upgrade", "pip", "a==1", "b>=2", "c@https://x"], "skip": 0, "packages": [
		_pkg(3, "pip", "pip"),
		_pkg(4, "a==1", "pip"),
		_pkg(5, "b>=2", "pip"),
		_pkg(6, "c@https://x", "pip"),
	]}
	[p.name | some p in packages.unpinned(pip)] == ["b>=2"]
	gem := {"words": ["gem", "install", "rails", "-v", "7.0", "rake"], "skip": 0, "packages": [
		_pkg(2, "rails", "gem"),
		_pkg(5, "rake", "gem"),
	]}
	[p.name | some p in packages.unpinned(gem)] == ["rake"]
}

# A command built by hand with packages of several managers is read
# package by package, not by the `=` shortcut of its first.
test_mixed_managers_are_read_package_by_package if {
	cmd := {"words": ["x", "curl", "flask==2.0", "lodash", "yum-utils-1.1"], "skip": 0, "packages": [
		_pkg(1, "curl", "apt"),
		_pkg(2, "flask==2.0", "pip"),
		_pkg(3, "lodash", "npm"),
		_pkg(4, "yum-utils-1.1", "yum"),
	]}
	[p.name | some p in packages.unpinned(cmd)] == ["curl", "lodash"]
}
