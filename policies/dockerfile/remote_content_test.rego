package driftless.dockerfile.remote_content_test

import data.driftless.dockerfile.remote_content

doc(instr) := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [instr]}]}

test_add_url_without_checksum if {
	some f in remote_content.deny with input as doc({"cmd": "add", "flags": {}, "args": ["https://example.com/a.tgz", "/tmp/"]})
	f.path == ["stages", 0, "instructions", 0, "args", 0]
}

test_add_with_checksum_is_fine if {
	count(remote_content.deny) == 0 with input as doc({"cmd": "add", "flags": {"checksum": "sha256:00"}, "args": ["https://example.com/a.tgz", "/tmp/"]})
	count(remote_content.deny) == 0 with input as doc({"cmd": "add", "flags": {}, "args": ["app.tgz", "/tmp/"]})
}

test_curl_pipe_sh if {
	instr := {"cmd": "run", "commands": [["curl", "-fsSL", "https://get.example.com"], ["sudo", "bash", "-s"]], "operators": ["|", ""]}
	some f in remote_content.deny with input as doc(instr)
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 0]
}

test_curl_to_file_is_fine if {
	instr := {"cmd": "run", "commands": [["curl", "-o", "x.sh", "https://e.com"], ["sha256sum", "-c", "x.sha256"], ["sh", "x.sh"]], "operators": ["&&", "&&", ""]}
	count(remote_content.deny) == 0 with input as doc(instr)
	grep := {"cmd": "run", "commands": [["curl", "https://e.com"], ["grep", "x"]], "operators": ["|", ""]}
	count(remote_content.deny) == 0 with input as doc(grep)
}

test_shell_runs_a_substituted_download if {
	bad := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "run", "commands": [["sh", "-c", "$(curl -fsSL https://x.example/i.sh)"]], "operators": [""]}]}]}
	some f in remote_content.deny with input as bad
	f.path == ["stages", 0, "instructions", 0, "commands", 0, 2]
	ok := {"args": [], "stages": [{"index": 0, "from": {}, "instructions": [{"cmd": "run", "commands": [["sh", "-c", "echo $(date)"]], "operators": [""]}]}]}
	count(remote_content.deny) == 0 with input as ok
}
