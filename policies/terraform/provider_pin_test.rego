package driftless.terraform.provider_pin_test

import data.driftless.terraform.provider_pin

doc(tf, root) := {"module": ".", "root": root, "terraform": tf}

test_provider_without_version if {
	tf := [{"config": {"required_version": ">= 1.6", "required_providers": [{"aws": {"source": "hashicorp/aws"}, "google": {"source": "hashicorp/google", "version": "~> 6.0"}}]}}]
	some f in provider_pin.deny with input as doc(tf, true)
	f.path == ["terraform", 0, "config", "required_providers", 0, "aws"]
	count(provider_pin.deny) == 1 with input as doc(tf, true)
}

test_root_without_required_version if {
	tf := [{"config": {"required_providers": [{"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}]}}]
	count(provider_pin.deny) == 1 with input as doc(tf, true)
	count(provider_pin.deny) == 0 with input as doc(tf, false)
}

test_message_names_no_absolute_path if {
	some f in provider_pin.deny with input as {"module": "/home/me/repo/infra", "root": true, "terraform": []}
	not contains(f.msg, "/home/me")
}

test_root_without_terraform_block if {
	some f in provider_pin.deny with input as doc([], true)
	f.path == ["module"]
}

test_legacy_string_constraint_is_fine if {
	tf := [{"config": {"required_version": "1.9.0", "required_providers": [{"aws": "~> 5.0"}]}}]
	count(provider_pin.deny) == 0 with input as doc(tf, true)
}
