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
