//! `driftless scan -`: one stream from standard input (`helm template . |
//! driftless scan -`, `kustomize build | driftless scan -`,
//! `terraform show -json plan | driftless scan -`), classified by
//! `--stdin-filename` or by its content, reported at lines of the stream.

mod common;

use common::driftless;

/// Runs `driftless scan ARGS --format json` with `input` on stdin; returns
/// the exit code and `(rule, path, line, column)` of each finding.
fn scan_stdin(args: &[&str], input: &str) -> (i32, Vec<(String, String, u64, u64)>) {
    let out = driftless()
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .write_stdin(input)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(report) => report,
        Err(_) => return (code, Vec::new()),
    };
    let hits = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    (code, hits)
}

fn hit(rule: &str, path: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_owned(), path.to_owned(), line, column)
}

/// What `helm template` writes: `---` and `# Source:` comments between
/// rendered templates.
const HELM_TEMPLATE_OUTPUT: &str = "---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
immutable: true
data:
  mode: prod
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: \"nginx:latest\"
";

#[test]
fn helm_template_output_is_reported_at_lines_of_the_stream() {
    let (code, hits) = scan_stdin(&["-"], HELM_TEMPLATE_OUTPUT);
    assert_eq!(code, 1);
    assert_eq!(hits, vec![hit("TAG001", "stdin", 21, 18)]);
}

#[test]
fn stdin_filename_names_the_stream_and_decides_its_kind() {
    let (_, hits) = scan_stdin(
        &["-", "--stdin-filename", "charts/web/rendered.yaml"],
        HELM_TEMPLATE_OUTPUT,
    );
    assert_eq!(
        hits,
        vec![hit("TAG001", "charts/web/rendered.yaml", 21, 18)]
    );
    // a stream that content would read as YAML, named a Dockerfile
    let dockerfile = "# build\nfrom nginx:latest\n";
    let (_, named) = scan_stdin(&["--stdin-filename", "Containerfile"], dockerfile);
    assert_eq!(named, vec![hit("TAG001", "Containerfile", 2, 6)]);
}

#[test]
fn a_dockerfile_on_stdin_is_recognised_by_its_content() {
    let (code, hits) = scan_stdin(&["-"], "# syntax=docker/dockerfile:1\nFROM node\n");
    assert_eq!(code, 1);
    assert_eq!(hits, vec![hit("TAG002", "stdin", 2, 6)]);
}

#[test]
fn a_terraform_plan_on_stdin_is_read_as_a_plan() {
    let plan =
        std::fs::read_to_string(common::root().join("fixtures/rules/UPD001/plan.json")).unwrap();
    let (code, hits) = scan_stdin(&["-", "--select", "UPD001"], &plan);
    assert_eq!(code, 1);
    assert!(!hits.is_empty());
    assert!(
        hits.iter().all(|h| h.0 == "UPD001" && h.1 == "stdin"),
        "{hits:?}"
    );
}

#[test]
fn an_empty_stream_is_not_a_pass() {
    let (code, _) = scan_stdin(&["-"], "\n");
    assert_eq!(code, 2);
}

#[test]
fn an_oversized_stream_fails_the_gate() {
    let (code, hits) = scan_stdin(&["-", "--max-file-size", "16"], HELM_TEMPLATE_OUTPUT);
    assert_eq!(code, 1);
    assert_eq!(hits, vec![hit("PARSE001", "stdin", 1, 1)]);
}

/// What `kustomize build` writes: objects separated by `---`, no comments;
/// the overlay's `images` transformer already applied.
const KUSTOMIZE_BUILD_OUTPUT: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-8g2h5b7k9c
data:
  mode: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - image: registry.example/web:latest
          name: web
";

#[test]
fn kustomize_build_output_is_reported_at_lines_of_the_stream() {
    let (code, hits) = scan_stdin(&["-", "--select", "TAG001"], KUSTOMIZE_BUILD_OUTPUT);
    assert_eq!(code, 1);
    assert_eq!(hits, vec![hit("TAG001", "stdin", 16, 18)]);
}

#[test]
fn a_compose_file_on_stdin_is_recognised_by_its_content() {
    let compose = "services:\n  box:\n    image: alpine:3.20\n    ports:\n      - \"22:22\"\n";
    let (code, hits) = scan_stdin(&["-"], compose);
    assert_eq!(code, 1);
    assert_eq!(hits, vec![hit("SSH003", "stdin", 5, 9)]);
}
