package driftless.dockerfile.unpinned_package_test

import data.driftless.dockerfile.unpinned_package

run(words) := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "run", "commands": [words], "operators": [""]}]}]}

# The packages reported, at the finding's own place or a related one.
names(words) := {n |
	some f in unpinned_package.deny with input as run(words)
	some path in array.concat([f.path], [r.path | some r in f.related])
	n := words[path[count(path) - 1]]
}

test_one_finding_per_install_command if {
	words := ["apt-get", "install", "-y", "gcc", "make=4.3-4.1", "libc6-dev", "git"]
	findings := unpinned_package.deny with input as run(words)
	count(findings) == 1
	some f in findings
	f.path[count(f.path) - 1] == 3
	[r.path[count(r.path) - 1] | some r in f.related] == [5, 6]
	f.msg == "`apt-get` installs 3 packages without a version pin: `gcc`, `libc6-dev`, `git` (name=version)"
	f.fingerprint == "apt-get apt"
}

test_two_commands_two_findings if {
	doc := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "run", "commands": [["apk", "add", "curl", "git"], ["pip", "install", "flask", "requests"]], "operators": ["", "&&"]}]}]}
	count(unpinned_package.deny) == 2 with input as doc
}

test_apt if {
	names(["apt-get", "install", "-y", "curl", "git=1:2.39.5-0+deb12u1"]) == {"curl"}
	names(["sudo", "apt-get", "-y", "install", "curl"]) == {"curl"}
	names(["apt", "install", "./local.deb"]) == set()
}

test_apt_option_values_are_not_packages if {
	names(["apt-get", "install", "-t", "bookworm-backports", "curl"]) == {"curl"}
	names(["apt-get", "install", "-y", "-t", "python=2.7"]) == set()
	names(["apt-get", "install", "-y", "-t", "python"]) == {"python"}
}

test_apk if {
	names(["apk", "add", "--no-cache", "--virtual", ".build-deps", "gcc", "musl-dev=1.2.5-r0"]) == {"gcc"}
	names(["apk", "--update", "add", "libstdc++==11.2.1-r2"]) == set()
}

test_yum_dnf_microdnf if {
	names(["yum", "install", "-y", "httpd"]) == {"httpd"}
	names(["dnf", "-y", "install", "httpd-2.24.2"]) == set()
	names(["microdnf", "install", "python3-pip"]) == {"python3-pip"}
	names(["yum", "install", "-y", "rethinkdb-$VERSION"]) == set()
}

test_zypper if {
	names(["zypper", "install", "-y", "httpd"]) == {"httpd"}
	names(["zypper", "in", "httpd=2.4.46"]) == set()
}

test_pip if {
	names(["pip", "install", "requests", "flask==3.0.3"]) == {"requests"}
	names(["pip3", "install", "--no-cache-dir", "-r", "requirements.txt"]) == set()
	names(["python3", "-m", "pip", "install", "requests>=2"]) == {"requests>=2"}
	names(["pip", "install", "--user", "pip"]) == {"pip"}
	names(["pip", "install", "--upgrade", "pip"]) == set()
	names(["pip", "install", "./dist/app-1.0-py3-none-any.whl"]) == set()
	names(["pip", "install", "-c", "constraints.txt"]) == set()
}

test_npm if {
	names(["npm", "install", "-g", "@angular/cli", "typescript@5.6.3"]) == {"@angular/cli"}
	names(["npm", "i", "@scope/pkg@1.2.3"]) == set()
	names(["npm", "ci"]) == set()
	names(["npm", "install"]) == set()
	names(["npm", "install", "git+ssh://git@github.com:npm/cli#semver:^5.0"]) == set()
	names(["yarn", "add", "left-pad"]) == {"left-pad"}
}

test_gem_version_pins_only_its_package if {
	names(["gem", "install", "rails", "-v", "7.1.0", "bundler"]) == {"bundler"}
	names(["gem", "install", "bundler:2.5.0"]) == set()
}

test_go_install_latest if {
	names(["go", "install", "golang.org/x/tools/gopls@latest"]) == {"golang.org/x/tools/gopls@latest"}
	names(["go", "install", "golang.org/x/tools/gopls@v0.16.2"]) == set()
}

test_path_points_at_the_word if {
	some f in unpinned_package.deny with input as run(["sudo", "apt-get", "install", "curl"])
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 3]
}

test_onbuild_run_is_checked_as_the_run_it_becomes if {
	trigger := {"cmd": "run", "commands": [["apt-get", "install", "-y", "curl"]], "operators": [""]}
	doc := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "onbuild", "commands": [], "trigger": trigger}]}]}
	some f in unpinned_package.deny with input as doc
	f.path == ["stages", 0, "instructions", 0, "trigger", "commands", 0, 3]
}
