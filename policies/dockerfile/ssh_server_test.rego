package driftless.dockerfile.ssh_server_test

import data.driftless.dockerfile.ssh_server

doc(instrs) := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": instrs}]}

test_installs_openssh_server if {
	instr := {"cmd": "run", "commands": [["apt-get", "install", "-y", "openssh-server=1:9.2p1-2"]], "operators": [""]}
	some f in ssh_server.deny with input as doc([instr])
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 3]
}

test_apk_openssh_and_dropbear if {
	instr := {"cmd": "run", "commands": [["apk", "add", "openssh"], ["apk", "add", "dropbear"]], "operators": ["&&", ""]}
	count(ssh_server.deny) == 2 with input as doc([instr])
}

test_runs_sshd if {
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "run", "commands": [["/usr/sbin/sshd", "-D"]], "operators": [""]}])
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "cmd", "args": ["/usr/sbin/sshd", "-D"]}])
}

test_expose_forms if {
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "expose", "args": ["80", "443", "22"]}])
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "expose", "args": ["22/tcp"]}])
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "expose", "args": ["20-30"]}])
	count(ssh_server.deny) == 0 with input as doc([{"cmd": "expose", "args": ["2222", "8022/tcp", "22/udp", "${PORT}"]}])
	count(ssh_server.deny) == 1 with input as doc([{"cmd": "expose", "args": ["022"]}])
	count(ssh_server.deny) == 0 with input as doc([{"cmd": "expose", "args": ["8080", "0", "", "2-21"]}])
}

test_ssh_client_is_fine if {
	count(ssh_server.deny) == 0 with input as doc([{"cmd": "run", "commands": [["apt-get", "install", "openssh-client=1:9.2p1-2"]], "operators": [""]}])
}

test_yum_versioned_ssh_server if {
	count(ssh_server.deny) == 1 with input as run_words(["dnf", "install", "-y", "openssh-server-8.7p1-38.el9"])
	count(ssh_server.deny) == 1 with input as run_words(["apt-get", "install", "-y", "openssh-server:amd64"])
	count(ssh_server.deny) == 0 with input as run_words(["dnf", "install", "-y", "openssh-server-pamx"])
	count(ssh_server.deny) == 0 with input as run_words(["dnf", "install", "-y", "openssh-clients-8.7p1-38.el9"])
}

run_words(words) := doc([{"cmd": "run", "commands": [words], "operators": [""]}])

test_onbuild_expose_22 if {
	instr := {"cmd": "onbuild", "args": ["EXPOSE", "22"], "trigger": {"cmd": "expose", "args": ["22"]}}
	some f in ssh_server.deny with input as doc([instr])
	f.path == ["stages", 0, "instructions", 0, "trigger", "args", 0]
}

# The prefilter never hides an SSH package.
test_every_ssh_package_starts_with_a_prefix if {
	every name in ssh_server._ssh_packages {
		strings.any_prefix_match(name, ssh_server._ssh_prefixes)
	}
}
