//! Image fixes through the real pipeline (discover → parse → rules →
//! filter → fix → diff/write), with a test resolver in place of the
//! registry: the `--diff` patch per format (snapshots), and the round trip
//! (every fixed file still parses and scans clean for TAG001–TAG003).
//! The registry client itself is tested against a loopback registry
//! (tests/fix_registry.rs).

mod common;

use std::path::Path;
use std::sync::Arc;

use driftless::config::Config;
use driftless::finding::Finding;
use driftless::fix::registry::{Pinned, ResolveError};
use driftless::fix::{self, FixContext, Pin, apply, diff};
use driftless::scan::{self, ScanOptions};
use driftless::workspace::{Evaluation, Flags, Workspace};

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// `latest` or no tag → `1.27.3`, any other tag kept; one digest for all.
struct TestRegistry;

impl Pin for TestRegistry {
    fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
        let (name, tag) = match reference.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') && t != "latest" => (n, t),
            Some((n, "latest")) => (n, "1.27.3"),
            _ => (reference, "1.27.3"),
        };
        Ok(Pinned {
            reference: format!("{name}:{tag}@{DIGEST}"),
            tag: tag.into(),
            digest: DIGEST.into(),
            note: String::new(),
        })
    }
}

/// The active findings of a strict scan of `dir`.
fn scan_dir(dir: &Path) -> Vec<Finding> {
    let flags = Flags {
        strict: true,
        ..Flags::default()
    };
    let (ws, problems) = Workspace::open(Config::default(), &flags, Evaluation::default());
    assert!(problems.is_empty(), "{:?}", problems.lines());
    let options = ScanOptions {
        paths: vec![dir.to_path_buf()],
        discover: Default::default(),
        terraform: Default::default(),
        max_file_size: scan::DEFAULT_MAX_FILE_SIZE,
        progress: false,
        stdin_filename: None,
        ..ScanOptions::default()
    };
    scan::scan(&options, &ws.engines).findings
}

fn context() -> FixContext {
    FixContext::new(Default::default(), false).with_pinner(Arc::new(TestRegistry))
}

/// What `--diff` prints for the files, with no fix error.
fn diff_of(files: &[(&str, &str)]) -> String {
    let dir = common::temp_tree(files);
    let findings = scan_dir(dir.path());
    let collected = fix::collect(&findings, &context(), false);
    let errors: Vec<_> = collected.errors.iter().map(|(_, e)| &e.message).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let plan = apply::plan(collected.fixes);
    assert!(plan.rejected.is_empty(), "{:?}", plan.rejected);
    diff::render(&plan.patches, Some(dir.path()))
}

#[test]
fn diff_dockerfile() {
    insta::assert_snapshot!(diff_of(&[(
        "Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM node AS build\nCOPY --from=alpine:3.20 /etc/os-release /x\nRUN --mount=type=bind,from=busybox:latest,target=/b true\n\nFROM \"nginx:latest\"\nCOPY --from=build /app /usr/share/nginx/html\n",
    )]));
}

#[test]
fn diff_kubernetes() {
    insta::assert_snapshot!(diff_of(&[(
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: cache\n          image: redis\n        - name: web\n          image: 'nginx:1.27' # the front end\n      initContainers:\n        - name: init\n          image: \"busybox:latest\"\n",
    )]));
}

#[test]
fn diff_compose() {
    insta::assert_snapshot!(diff_of(&[(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:latest\n  db:\n    image: \"postgres:16\"\n",
    )]));
}

#[test]
fn diff_kustomize() {
    insta::assert_snapshot!(diff_of(&[
        (
            "overlay/kustomization.yaml",
            "resources:\n  - deploy.yaml\nimages:\n  - name: nginx\n    newTag: latest\n  - name: redis\n    newName: registry.example.com/redis\n",
        ),
        (
            "overlay/deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
        ),
    ]));
}

#[test]
fn diff_helm_values() {
    insta::assert_snapshot!(diff_of(&[
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 1.0.0\n"
        ),
        (
            "chart/values.yaml",
            "image:\n  repository: nginx\n  tag: latest\nsidecar:\n  repository: envoyproxy/envoy\n  tag: v1.31.0\n  digest: \"\"\n",
        ),
    ]));
}

#[test]
fn diff_terraform() {
    insta::assert_snapshot!(diff_of(&[(
        "infra/main.tf",
        "variable \"repo\" {\n  default = \"ghcr.io/acme/app\"\n}\n\nresource \"docker_container\" \"web\" {\n  name  = \"web\"\n  image = \"nginx:latest\"\n}\n\nresource \"docker_container\" \"app\" {\n  name  = \"app\"\n  image = \"${var.repo}:latest\"\n}\n",
    )]));
}

/// The fixture of the round trip: every format, CRLF and a BOM included.
const ROUND_TRIP: &[(&str, &str)] = &[
    (
        "Dockerfile",
        "\u{feff}FROM node:latest AS build\r\nCOPY --from=alpine /x /y\r\nFROM nginx\r\n",
    ),
    (
        "k8s/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: 'redis:7'\n",
    ),
    ("compose.yaml", "services:\n  web:\n    image: nginx\n"),
    (
        "overlay/kustomization.yaml",
        "images:\n  - name: nginx\n    newTag: latest\n",
    ),
    (
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    ),
    (
        "chart/values.yaml",
        "image:\n  repository: nginx\n  tag: \"\"\n",
    ),
    (
        "infra/main.tf",
        "resource \"docker_container\" \"web\" {\n  name  = \"web\"\n  image = \"nginx\"\n}\n",
    ),
];

#[test]
fn fixed_files_still_parse_and_scan_clean_for_the_image_rules() {
    let dir = common::temp_tree(ROUND_TRIP);
    let before = scan_dir(dir.path());
    let image_rules = |f: &&Finding| f.rule_id.starts_with("TAG");
    let fixable = before.iter().filter(image_rules).count();
    assert!(fixable >= 7, "{before:#?}");
    let collected = fix::collect(&before, &context(), false);
    assert!(collected.errors.is_empty());
    let plan = apply::plan(collected.fixes);
    assert_eq!(plan.applied.len(), fixable);
    for patch in &plan.patches {
        apply::write(patch).unwrap();
    }
    let after = scan_dir(dir.path());
    let left: Vec<_> = after
        .iter()
        .filter(|f| image_rules(f) || f.rule_id == "PARSE001")
        .map(|f| format!("{} {}: {}", f.rule_id, f.file.path.display(), f.message))
        .collect();
    assert!(left.is_empty(), "{left:#?}");
    let dockerfile = std::fs::read(dir.path().join("Dockerfile")).unwrap();
    assert!(dockerfile.starts_with(b"\xEF\xBB\xBFFROM node:1.27.3@sha256:"));
    assert!(dockerfile.ends_with(b"\r\nFROM nginx:1.27.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n"));
}
