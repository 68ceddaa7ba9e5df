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

test_release_assets_are_pinned_by_their_tag if {
	count(remote_pin.deny) == 0 with input as {"resources": ["https://github.com/kubernetes-sigs/kueue/releases/download/v0.12.3/manifests.yaml"]}
}

test_remote_files_on_a_branch_or_unversioned_are_not_pinned if {
	some f in remote_pin.deny with input as {"resources": ["https://example.com/deploy/manifests.yaml"]}
	contains(f.msg, "not pinned to a release or a commit")
	count(remote_pin.deny) == 1 with input as {"resources": ["https://raw.githubusercontent.com/acme/deploy/main/app.yaml"]}
	count(remote_pin.deny) == 0 with input as {"resources": ["https://raw.githubusercontent.com/acme/deploy/v1.4.0/app.yaml"]}
}
