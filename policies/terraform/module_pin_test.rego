package driftless.terraform.module_pin_test

import data.driftless.terraform.module_pin

mod(config) := {"modules": [{"name": "m", "address": "module.m", "config": config}]}

test_registry_without_version if {
	some f in module_pin.deny with input as mod({"source": "terraform-aws-modules/vpc/aws"})
	f.path == ["modules", 0, "config", "version"]
	count(module_pin.deny) == 1 with input as mod({"source": "app.terraform.io/acme/vpc/aws"})
}

test_registry_with_version_is_fine if {
	count(module_pin.deny) == 0 with input as mod({"source": "terraform-aws-modules/vpc/aws", "version": "5.1.2"})
}

test_git_sources_need_a_ref if {
	count(module_pin.deny) == 1 with input as mod({"source": "git::https://example.com/vpc.git"})
	count(module_pin.deny) == 1 with input as mod({"source": "github.com/acme/vpc"})
	count(module_pin.deny) == 1 with input as mod({"source": "git@github.com:acme/vpc.git"})
	count(module_pin.deny) == 1 with input as mod({"source": "s3::https://s3.amazonaws.com/bucket/vpc.zip"})
	count(module_pin.deny) == 0 with input as mod({"source": "git::https://example.com/vpc.git?ref=v1.2.0"})
}

test_local_paths_are_fine if {
	count(module_pin.deny) == 0 with input as mod({"source": "./modules/vpc"})
	count(module_pin.deny) == 0 with input as mod({"source": "../shared/vpc"})
}

test_strict_wants_a_commit if {
	tag := mod({"source": "git::https://example.com/vpc.git?ref=v1.2.0"})
	count(module_pin.deny) == 1 with input as tag with data.driftless.config.strict as true
	sha := mod({"source": "git::https://example.com/vpc.git?ref=0123456789abcdef0123456789abcdef01234567"})
	count(module_pin.deny) == 0 with input as sha with data.driftless.config.strict as true
}

test_registry_submodule_is_a_registry_source if {
	src := "terraform-google-modules/kubernetes-engine/google//modules/private-cluster"
	some f in module_pin.deny with input as mod({"source": src})
	f.path == ["modules", 0, "config", "version"]
	count(module_pin.deny) == 0 with input as mod({"source": src, "version": "~> 30.0"})
	count(module_pin.deny) == 1 with input as mod({"source": "app.terraform.io/acme/vpc/aws//modules/x"})
}

test_branch_ref_is_not_a_pin if {
	every b in ["main", "master", "develop", "trunk", "HEAD"] {
		some f in module_pin.deny with input as mod({"source": sprintf("git::https://example.com/vpc.git?ref=%s", [b])})
		contains(f.msg, "a branch")
	}
	count(module_pin.deny) == 1 with input as mod({"source": "github.com/acme/vpc?ref=main"})
	count(module_pin.deny) == 0 with input as mod({"source": "github.com/acme/vpc?ref=v1.0.0"})
}

test_branch_ref_is_one_finding_in_strict_mode if {
	count(module_pin.deny) == 1 with input as mod({"source": "github.com/acme/vpc?ref=main"})
		with data.driftless.config.strict as true
}

test_open_version_range_is_a_finding if {
	some f in module_pin.deny with input as mod({"source": "terraform-aws-modules/vpc/aws", "version": ">= 5.0"})
	contains(f.msg, "no upper bound")
	f.path == ["modules", 0, "config", "version"]
	count(module_pin.deny) == 1 with input as mod({"source": "terraform-aws-modules/vpc/aws", "version": ">5.0, != 5.2"})
}

test_bounded_versions_are_fine if {
	every v in ["5.1.2", "= 5.1.2", "~> 5.1", ">= 5.0, < 6.0", ">= 5.0,<=5.9"] {
		count(module_pin.deny) == 0 with input as mod({"source": "terraform-aws-modules/vpc/aws", "version": v})
	}
}

test_strict_wants_an_exact_version if {
	ranged := mod({"source": "terraform-aws-modules/vpc/aws", "version": "~> 5.1"})
	some f in module_pin.deny with input as ranged with data.driftless.config.strict as true
	contains(f.msg, "one exact version")
	exact := mod({"source": "terraform-aws-modules/vpc/aws", "version": "5.1.2"})
	count(module_pin.deny) == 0 with input as exact with data.driftless.config.strict as true
}

terragrunt(source) := {"modules": [], "terraform": [{"file": "terragrunt.hcl", "config": {"source": source}}]}

test_terragrunt_sources if {
	some f in module_pin.deny with input as terragrunt("git::git@github.com:acme/modules.git//vpc")
	f.path == ["terraform", 0, "config", "source"]
	contains(f.msg, "Terragrunt")
	count(module_pin.deny) == 1 with input as terragrunt("git::git@github.com:acme/modules.git//vpc?ref=main")
	count(module_pin.deny) == 0 with input as terragrunt("git::git@github.com:acme/modules.git//vpc?ref=v0.0.3")
	count(module_pin.deny) == 0 with input as terragrunt("../modules//vpc")
}

test_terragrunt_registry_sources if {
	count(module_pin.deny) == 1 with input as terragrunt("tfr:///terraform-aws-modules/vpc/aws")
	count(module_pin.deny) == 0 with input as terragrunt("tfr:///terraform-aws-modules/vpc/aws?version=3.5.0")
	count(module_pin.deny) == 0 with input as terragrunt("tfr://registry.terraform.io/terraform-aws-modules/vpc/aws//modules/x?version=3.5.0")
	some f in module_pin.deny with input as terragrunt("tfr:///terraform-aws-modules/vpc/aws?version=>=3.0")
	contains(f.msg, "no upper bound")
}
