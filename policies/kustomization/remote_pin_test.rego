package driftless.kustomization.remote_pin_test

import data.driftless.kustomization.remote_pin

test_remote_without_ref if {
	some f in remote_pin.deny with input as {"resources": ["github.com/acme/deploy//base"]}
	f.path == ["resources", 0]
}

test_remote_on_a_branch if {
	count(remote_pin.deny) == 1 with input as {"components": ["https://github.com/acme/c.git//x?ref=main"]}
}

test_tagged_remote_and_local_paths_are_fine if {
	count(remote_pin.deny) == 0 with input as {"resources": ["../base", "svc.yaml", "github.com/acme/deploy//base?ref=v1.2.0"]}
}

test_strict_wants_a_commit if {
	count(remote_pin.deny) == 1 with input as {"resources": ["github.com/acme/deploy//base?ref=v1.2.0"]}
		with data.driftless.config.strict as true
	count(remote_pin.deny) == 0 with input as {"resources": ["github.com/acme/deploy//base?ref=0123456789abcdef0123456789abcdef01234567"]}
		with data.driftless.config.strict as true
}
