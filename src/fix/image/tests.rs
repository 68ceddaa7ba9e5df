use std::sync::Arc;

use super::*;
use crate::finding::{Related, Severity};
use crate::fix::registry::{Pinned, ResolveError};
use crate::fix::{FixContext, Pin};

/// Pins every reference to version `1.2.3` with a fixed digest, keeping the
/// name as written; `down/…` fails like an unreachable registry.
struct TestPins;

const DIGEST: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

impl Pin for TestPins {
    fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
        if reference.starts_with("down/") {
            return Err(ResolveError("connection refused".into()));
        }
        if reference.starts_with("gone/") {
            return Err(ResolveError(format!(
                "cannot pin `{reference}` from registry docker.io: 404 Not Found"
            )));
        }
        let parsed = crate::parse::image::parse(reference).unwrap();
        let name = match &parsed.registry {
            Some(r) => format!("{r}/{}", parsed.repository),
            None => parsed.repository.clone(),
        };
        let tag = match parsed.tag.as_deref() {
            None | Some("latest") => "1.2.3".to_string(),
            Some(t) => t.to_string(),
        };
        Ok(Pinned {
            reference: format!("{name}:{tag}@{DIGEST}"),
            tag,
            digest: DIGEST.into(),
            note: String::new(),
        })
    }
}

fn ctx() -> FixContext {
    FixContext::new(Default::default(), false).with_pinner(Arc::new(TestPins))
}

/// A finding on the first occurrence of `at` in `text`.
fn finding(path: &str, kind: Kind, text: &str, at: &str, message: &str) -> Finding {
    let file = Arc::new(SourceFile::new(path, text));
    let start = text.find(at).expect("span text present");
    Finding {
        rule_id: "TAG001".into(),
        severity: Severity::High,
        message: message.into(),
        file,
        start,
        end: start + at.len(),
        kind: Some(kind),
        document: String::new(),
        json_path: String::new(),
        suppression: None,
        related: Vec::new(),
        identity: None,
        sources: Vec::new(),
    }
}

fn fixed(f: &Finding) -> String {
    let fix = fix(f, &ctx())
        .unwrap()
        .unwrap_or_else(|e| panic!("{}", e.message));
    crate::fix::apply::plan(vec![fix]).patches[0].new_text()
}

fn error(f: &Finding) -> String {
    fix(f, &ctx()).unwrap().unwrap_err().message
}

#[test]
fn dockerfile_from_copy_and_mount_are_pinned_inside_their_syntax() {
    let text = "FROM nginx\nCOPY --from=alpine:3.20 /x /y\nRUN --mount=type=bind,from=busybox:latest,target=/b true\nFROM \"redis:7\"\n";
    let cases = [
        (
            "nginx",
            "base image `nginx` has no tag",
            "FROM nginx:1.2.3@",
        ),
        (
            "--from=alpine:3.20",
            "`COPY --from` image `alpine:3.20` is",
            "--from=alpine:3.20@",
        ),
        (
            "type=bind,from=busybox:latest,target=/b",
            "`RUN --mount` image `busybox:latest` uses",
            "from=busybox:1.2.3@sha256:1111111111111111111111111111111111111111111111111111111111111111,target=/b",
        ),
        ("\"redis:7\"", "base image `redis:7` is", "FROM \"redis:7@"),
    ];
    for (at, message, expected) in cases {
        let out = fixed(&finding("Dockerfile", Kind::Dockerfile, text, at, message));
        assert!(out.contains(expected), "{at}: {out}");
    }
}

#[test]
fn the_arg_default_is_edited_not_the_from_that_uses_it() {
    let text = "ARG BASE=node:latest\nFROM $BASE\n";
    for source in ["node:latest", "BASE=node:latest"] {
        let mut f = finding(
            "Dockerfile",
            Kind::Dockerfile,
            text,
            "$BASE",
            "base image `node:latest` uses the mutable `latest` tag",
        );
        let start = text.find(source).unwrap();
        f.sources.push(Related {
            message: "default of ARG BASE".into(),
            file: f.file.clone(),
            start,
            end: start + source.len(),
        });
        assert_eq!(
            fixed(&f),
            format!("ARG BASE=node:1.2.3@{DIGEST}\nFROM $BASE\n")
        );
    }
}

#[test]
fn the_part_the_fix_changes_is_edited_when_the_chain_ends_at_another_operand() {
    // The chain ends at `REGISTRY`'s default (the rightmost operand), but
    // the missing tag belongs after `/app`, written in the `FROM` itself.
    let text = "ARG REGISTRY=ghcr.io/acme\nFROM ${REGISTRY}/app\n";
    let mut f = finding(
        "Dockerfile",
        Kind::Dockerfile,
        text,
        "${REGISTRY}/app",
        "base image `ghcr.io/acme/app` has no tag",
    );
    let start = text.find("ghcr.io/acme").unwrap();
    f.sources.push(Related {
        message: "default of ARG REGISTRY".into(),
        file: f.file.clone(),
        start,
        end: start + "ghcr.io/acme".len(),
    });
    assert_eq!(
        fixed(&f),
        format!("ARG REGISTRY=ghcr.io/acme\nFROM ${{REGISTRY}}/app:1.2.3@{DIGEST}\n")
    );
}

#[test]
fn a_from_variable_without_a_source_is_not_written_literally() {
    let f = finding(
        "Dockerfile",
        Kind::Dockerfile,
        "ARG BASE=node:latest\nFROM $BASE\n",
        "$BASE",
        "base image `node:latest` uses the mutable `latest` tag",
    );
    assert!(error(&f).contains("not written literally at Dockerfile:2:6"));
}

#[test]
fn yaml_quoting_and_comments_are_kept() {
    let text =
        "a:\n  image: 'nginx:1.27' # it's\n  other: \"busybox:latest\" # keep\n  plain: redis\n";
    let cases = [
        (
            "'nginx:1.27'",
            "uses image `nginx:1.27` not",
            format!("image: 'nginx:1.27@{DIGEST}' # it's\n"),
        ),
        (
            "\"busybox:latest\" # keep",
            "uses image `busybox:latest` with",
            format!("other: \"busybox:1.2.3@{DIGEST}\" # keep\n"),
        ),
        (
            "redis",
            "uses image `redis` without",
            format!("plain: redis:1.2.3@{DIGEST}\n"),
        ),
    ];
    for (at, message, expected) in cases {
        let out = fixed(&finding("k.yaml", Kind::Kubernetes, text, at, message));
        assert!(out.contains(&expected), "{at}: {out}");
    }
}

#[test]
fn terraform_templates_edit_only_a_literal_tag() {
    let text = "image = \"${var.repo}:latest\"\n";
    let f = finding(
        "main.tf",
        Kind::Terraform,
        text,
        "\"${var.repo}:latest\"",
        "docker_container.a uses image `ghcr.io/o/app:latest` with the mutable `latest` tag",
    );
    assert_eq!(
        fixed(&f),
        format!("image = \"${{var.repo}}:1.2.3@{DIGEST}\"\n")
    );
    let text = "image = \"redis:${var.tag}\"\n";
    let f = finding(
        "main.tf",
        Kind::Terraform,
        text,
        "\"redis:${var.tag}\"",
        "docker_container.b uses image `redis:latest` with the mutable `latest` tag",
    );
    assert!(error(&f).contains("not written literally"), "{}", error(&f));
}

#[test]
fn a_variable_default_holding_only_the_tag_gets_version_and_digest() {
    let text = "variable \"tag\" {\n  default = \"latest\"\n}\nx = \"redis:${var.tag}\"\n";
    let mut f = finding(
        "main.tf",
        Kind::Terraform,
        text,
        "\"redis:${var.tag}\"",
        "docker_container.b uses image `redis:latest` with the mutable `latest` tag",
    );
    let start = text.find("\"latest\"").unwrap();
    f.sources.push(Related {
        message: "default of variable `tag`".into(),
        file: f.file.clone(),
        start,
        end: start + 8,
    });
    assert!(fixed(&f).contains(&format!("default = \"1.2.3@{DIGEST}\"")));
}

#[test]
fn a_tfvars_entry_named_whole_has_only_its_value_edited() {
    let text = "image_tag = \"latest\"\n";
    let mut f = finding(
        "main.tf",
        Kind::Terraform,
        "x = \"redis:${var.image_tag}\"\n",
        "\"redis:${var.image_tag}\"",
        "docker_container.b uses image `redis:latest` with the mutable `latest` tag",
    );
    let tfvars = Arc::new(SourceFile::new("terraform.tfvars", text));
    f.sources.push(Related {
        message: "terraform.tfvars".into(),
        file: tfvars,
        start: 0,
        end: text.len() - 1,
    });
    assert_eq!(fixed(&f), format!("image_tag = \"1.2.3@{DIGEST}\"\n"));
}

#[test]
fn kustomize_entries_get_new_tag_and_a_digest_line() {
    let text = "images:\r\n  - name: nginx\r\n    newTag: latest # tag\r\n  - name: redis\r\n    newName: my/redis\r\n";
    let mut f = finding(
        "kustomization.yaml",
        Kind::Kustomization,
        text,
        "latest",
        "",
    );
    f.json_path = "images[0].newTag".into();
    assert_eq!(
        fixed(&f),
        format!(
            "images:\r\n  - name: nginx\r\n    newTag: 1.2.3 # tag\r\n    digest: {DIGEST}\r\n  - name: redis\r\n    newName: my/redis\r\n"
        )
    );
    let mut f = finding(
        "kustomization.yaml",
        Kind::Kustomization,
        text,
        "my/redis",
        "",
    );
    f.json_path = "images[1].newName".into();
    assert!(fixed(&f).ends_with(&format!(
        "newName: my/redis\r\n    newTag: 1.2.3\r\n    digest: {DIGEST}\r\n"
    )));
}

#[test]
fn helm_values_set_the_tag_and_a_digest_key_when_the_map_has_one() {
    let text = "image:\n  repository: nginx\n  tag: latest\n";
    let mut f = finding(
        "values.yaml",
        Kind::Helm,
        text,
        "latest",
        "values image `nginx:latest` uses",
    );
    f.json_path = "values.image.tag".into();
    assert_eq!(
        fixed(&f),
        format!("image:\n  repository: nginx\n  tag: 1.2.3@{DIGEST}\n")
    );
    let text = "image:\n  repository: nginx\n  tag: \"\"\n  digest: \"\"\n";
    let mut f = finding(
        "values.yaml",
        Kind::Helm,
        text,
        "image",
        "values image `nginx` has no tag",
    );
    f.json_path = "values.image".into();
    assert_eq!(
        fixed(&f),
        format!("image:\n  repository: nginx\n  tag: \"1.2.3\"\n  digest: \"{DIGEST}\"\n")
    );
}

#[test]
fn a_registry_failure_is_an_error_naming_the_reference() {
    let f = finding(
        "k.yaml",
        Kind::Kubernetes,
        "image: down/app:1\n",
        "down/app:1",
        "uses image `down/app:1` not",
    );
    assert_eq!(error(&f), "cannot pin `down/app:1`: connection refused");
    // The registry client's own errors name the reference: not twice.
    let f = finding(
        "k.yaml",
        Kind::Kubernetes,
        "image: gone/app:1\n",
        "gone/app:1",
        "uses image `gone/app:1` not",
    );
    assert_eq!(
        error(&f),
        "cannot pin `gone/app:1` from registry docker.io: 404 Not Found"
    );
}

#[test]
fn yaml_strings_that_would_read_as_numbers_are_quoted() {
    assert_eq!(yaml_string("1.10"), "\"1.10\"");
    assert_eq!(yaml_string("1.2.3"), "1.2.3");
    assert_eq!(yaml_string("true"), "\"true\"");
}

#[test]
fn the_suffix_replacement_refuses_a_changed_prefix() {
    assert_eq!(
        replace_suffix("a:latest", "latest", "a:1@d").as_deref(),
        Some("1@d")
    );
    assert_eq!(replace_suffix("a:latest", "test", "a:1@d"), None);
    assert_eq!(replace_suffix("a:latest", "b", "a:1@d"), None);
}
