package driftless.dockerfile.package_upgrade_test

import data.driftless.dockerfile.package_upgrade

run(commands) := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "run", "commands": commands, "operators": []}]}]}

test_apt_upgrade if {
	some f in package_upgrade.deny with input as run([["apt-get", "update"], ["apt-get", "-y", "dist-upgrade"]])
	f.path == ["stages", 0, "instructions", 0, "commands", 1, 2]
}

test_each_manager if {
	count(package_upgrade.deny) == 5 with input as run([
		["apt", "full-upgrade"], ["yum", "update", "-y"], ["dnf", "upgrade"],
		["apk", "upgrade", "--no-cache"], ["sudo", "zypper", "up"],
	])
}

test_update_of_indexes_is_fine if {
	count(package_upgrade.deny) == 0 with input as run([["apt-get", "update"], ["apk", "update"], ["apt-get", "install", "upgrade"]])
}

test_option_values_are_not_the_subcommand if {
	some f in package_upgrade.deny with input as run([["apt-get", "-o", "Dpkg::Options::=--force-confold", "-y", "upgrade"]])
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 4]
	count(package_upgrade.deny) == 1 with input as run([["dnf", "--setopt", "tsflags=nodocs", "update", "-y"]])
	count(package_upgrade.deny) == 0 with input as run([["apt-get", "-o", "upgrade", "install", "curl=1"]])
}

test_only_upgrade_install if {
	some f in package_upgrade.deny with input as run([["apt-get", "install", "--only-upgrade", "-y", "openssl"]])
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 2]
}

test_pacman_system_upgrade if {
	count(package_upgrade.deny) == 3 with input as run([["pacman", "-Syu", "--noconfirm"], ["pacman", "-Su"], ["pacman", "--sysupgrade"]])
	count(package_upgrade.deny) == 0 with input as run([["pacman", "-Sy"], ["pacman", "-S", "--noconfirm", "git"]])
}
