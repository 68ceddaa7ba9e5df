//! What `driftless scan --fix` does for each rule, for `driftless explain`
//! and docs/rules.md. Kept beside the catalogue (the rule documentation)
//! rather than in the fix modules, which depend on the scan: the catalogue
//! must not. Whether a fix is safe comes from the fixes themselves
//! ([`crate::fix::availability`]); tests/fix_rules.rs checks both agree.

use crate::fix::{Applicability, availability};

/// The applicability of a rule's automatic fix as `explain` and
/// docs/rules.md name it: `safe (--fix)`, `unsafe (--unsafe-fixes)` or
/// `none`.
pub fn label(id: &str) -> &'static str {
    match availability(id) {
        Some(Applicability::Safe) => "safe (--fix)",
        Some(Applicability::Unsafe) => "unsafe (--unsafe-fixes)",
        None => "none",
    }
}

/// What a rule's automatic fix does and why it is (un)safe.
pub fn description(id: &str) -> Option<&'static str> {
    Some(match id {
        "TAG001" | "TAG002" | "TAG003" => {
            "pins the image to `version@digest` resolved from its registry, where the reference is written (the `ARG` default, the variable default, the Kustomize `images` entry). Safe: the digest is what the tag points at today."
        }
        "UPD002" => {
            "adds `lifecycle { create_before_destroy = true }` to the resource block in the module that declares it (an existing `lifecycle` block gets the attribute, `false` becomes `true`). The plan address is followed through the module calls of the plan's `configuration`; local module sources are read relative to the plan file's directory, else the current directory; a module from a registry or git is not edited. Unsafe: the replacement order changes, so the new object exists beside the old one (which fails for resources with unique names or fixed addresses), and Terraform applies the same order to the resources it depends on."
        }
        "VER006" => {
            "writes `immutable: true` after the object's `kind:` (YAML, indented like it; JSON, as the next member), or sets `immutable: false` to `true`. Unsafe: Kubernetes then rejects every change to the object's data, so a rollout that edits it in place instead of creating it under a new name fails. No fix inside Terraform (a `kubectl_manifest` or `kubernetes_manifest` that embeds the object): edit it there by hand."
        }
        "VER001" => {
            "pins a git source (Terraform `git::…`, `github.com/o/r`, `git@…`; Kustomize remote resources) without `?ref=` or with a branch to `?ref=<commit>`, the commit the branch (or the default branch) points at now according to `git ls-remote`, keeping `//subdir` and the other query parameters. Safe: that commit is what the next `terraform init` fetches. A Terraform registry module without `version` or with an open range gets `version = \"x.y.z\"`: the version `terraform init` installed for that call when `.terraform/modules/modules.json` beside the file records one (safe, no network needed), else its latest release from the registry's module API (service discovery at `https://HOST/.well-known/terraform.json`; a loopback host such as `127.0.0.1:5000` over plain HTTP, for local mirrors); that edit is unsafe (`--unsafe-fixes`), since the latest release may not be the one installed before. Resolving a ref or the latest release needs the network (not with `--no-network`). No fix: HTTP archives, S3 and GCS sources, Terragrunt `tfr://` sources, Helm chart dependencies, remote manifest files."
        }
        "UPD005" => {
            "removes the `ignore_changes` attribute, and its `lifecycle` block when nothing else is in it (`.tf` files). Unsafe: the next apply reverts the changes that were ignored (tags or capacity set by other tools)."
        }
        "SSH003" => {
            "removes port 22 (`22`, `22/tcp`) from `EXPOSE` (the instruction when it was its only port), the SSH server package from an install command that installs other packages too, and the block-style list item of a Kubernetes `containerPort` or Service port 22 or a Compose `ports`/`expose` entry (the `ports:` key too when it was the only item; never a Service's only port). Unsafe: whoever logs in over SSH loses access. No fix: `sshd` started by `CMD`, `ENTRYPOINT` or `RUN`, port ranges, flow-style lists, an install command of the SSH server alone, JSON manifests."
        }
        _ => return None,
    })
}
