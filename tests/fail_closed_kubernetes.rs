//! YAML and JSON read as kubectl reads them, failing closed: each test is a
//! manifest that kubectl would apply (or refuse) differently from a naive
//! reader, run through the real binary, checking the exit code and the
//! located finding.

use std::path::Path;

use assert_cmd::Command;

/// (rule, path, line, column, message) of every finding, sorted.
type Hit = (String, String, u64, u64, String);

/// `driftless scan -f json ARGS` in `dir`: exit code and findings.
fn scan(dir: &Path, args: &[&str]) -> (i32, Vec<Hit>) {
    let out = Command::cargo_bin("driftless")
        .expect("binary built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .args(["scan", "-f", "json"])
        .args(args)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {stderr}"));
    let mut hits: Vec<Hit> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_owned(),
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["start"]["line"].as_u64().unwrap_or_default(),
                f["start"]["column"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    hits.sort();
    (out.status.code().expect("exit code"), hits)
}

/// The findings without their messages.
fn located(hits: &[Hit]) -> Vec<(&str, &str, u64, u64)> {
    hits.iter()
        .map(|h| (h.0.as_str(), h.1.as_str(), h.2, h.3))
        .collect()
}

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const PINNED: &str =
    "nginx:1.27.2@sha256:0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn alias_expansion_over_its_byte_bound_is_eval001_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("tmp");
    // One 1 MB scalar behind an anchor, used 20 times: 20 MB of values from
    // a 1 MB file, far under the node budget.
    let big = "x".repeat(1 << 20);
    let refs = vec!["*big"; 20].join(", ");
    let text = format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations: {{a: &big {big}}}\nspec:\n  x: [{refs}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{{name: a, image: nginx:latest}}]}}\n"
    );
    write(dir.path(), "bomb.yaml", text);
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    // at the 16th alias: the anchor's kept copy and 15 aliases make 16 MB
    assert_eq!(
        located(&hits),
        [
            ("EVAL001", "bomb.yaml", 7, 97),
            ("TAG001", "bomb.yaml", 12, 38)
        ]
    );
    assert_eq!(
        hits[0].4,
        "YAML alias expansion exceeds 16 MB: this document is not checked"
    );
}

#[test]
fn a_pod_carrying_items_is_the_list_of_its_items() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: decoy}}\nspec: {{containers: [{{name: a, image: \"{PINNED}\"}}]}}\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {{name: web}}\n  spec:\n    template:\n      spec:\n        containers:\n        - name: app\n          image: nginx:latest\n"
    );
    write(dir.path(), "decoy.yaml", text);
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(located(&hits), [("TAG001", "decoy.yaml", 14, 18)]);
}

#[test]
fn typed_list_items_without_kind_take_the_lists() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "pods.yaml",
        "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec:\n    containers:\n    - name: c\n      image: nginx:latest\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(located(&hits), [("TAG001", "pods.yaml", 8, 14)]);
}

#[test]
fn list_items_kubectl_cannot_decode_fail_the_gate() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- name: not an object kubectl can apply\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(located(&hits), [("PARSE001", "list.yaml", 4, 3)]);
}

#[test]
fn yaml_1_1_line_breaks_end_comments() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, brk) in [
        ("nel.yaml", "\u{85}"),
        ("ls.yaml", "\u{2028}"),
        ("ps.yaml", "\u{2029}"),
    ] {
        write(
            dir.path(),
            name,
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n# note{brk}spec: {{containers: [{{name: a, image: nginx:latest}}]}}\n"
            ),
        );
    }
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    let rules: Vec<_> = hits
        .iter()
        .map(|h| (h.0.as_str(), h.1.as_str(), h.2))
        .collect();
    assert_eq!(
        rules,
        [
            ("TAG001", "ls.yaml", 4),
            ("TAG001", "nel.yaml", 4),
            ("TAG001", "ps.yaml", 4)
        ]
    );
}

#[test]
fn binary_scalars_are_decoded_before_rules_see_them() {
    let dir = tempfile::tempdir().expect("tmp");
    // base64 of `nginx:latest`
    write(
        dir.path(),
        "bin.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: !!binary bmdpbng6bGF0ZXN0\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(located(&hits), [("TAG001", "bin.yaml", 7, 21)]);
    assert!(hits[0].4.contains("`nginx:latest`"), "{hits:?}");
}

#[test]
fn json_streams_and_escaped_keys_are_manifests() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "stream.json",
        format!(
            "{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"a\"}},\"spec\":{{\"containers\":[{{\"name\":\"a\",\"image\":\"{PINNED}\"}}]}}}}\n{{\"\\u0061piVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"b\"}},\"spec\":{{\"containers\":[{{\"name\":\"a\",\"image\":\"nginx:latest\"}}]}}}}\n"
        ),
    );
    // broken, and only an escaped key says it is a manifest
    write(
        dir.path(),
        "broken.json",
        "{\"\\u0061piVersion\": \"v1\", \"\\u006bind\": \"Pod\",}\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&hits),
        [
            ("PARSE001", "broken.json", 1, 46),
            ("TAG001", "stream.json", 2, 104)
        ]
    );
}

#[test]
fn indented_quoted_and_tabbed_manifests_are_detected_on_content() {
    let dir = tempfile::tempdir().expect("tmp");
    // kubectl accepts a tab after `:` (go-yaml)
    write(
        dir.path(),
        "tab.yaml",
        "apiVersion:\tv1\nkind:\tPod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image:\tnginx:latest\n",
    );
    // broken, with quoted and indented keys only
    write(
        dir.path(),
        "quoted.yaml",
        "  \"apiVersion\": v1\n  \"kind\": Pod\n  spec: [1, 2\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&hits),
        [
            ("PARSE001", "quoted.yaml", 4, 1),
            ("TAG001", "tab.yaml", 7, 12)
        ]
    );
}

#[test]
fn other_yaml_and_json_stay_silent_even_when_broken() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        ".github/workflows/ci.yaml",
        "name: CI\non: push\njobs:\n  build: [\n",
    );
    write(
        dir.path(),
        "playbook.yml",
        "- hosts: all\n  tasks:\n  - name: x\n    shell: \"echo \\\\d\"\n   bad: indent\n",
    );
    write(
        dir.path(),
        "openapi.yaml",
        "openapi: 3.0.0\ncomponents:\n  schemas:\n    Thing:\n      properties:\n        kind: {type: string}\n        items: {type: array}\n",
    );
    write(
        dir.path(),
        "package.json",
        "{\"name\": \"x\", \"kind\": \"module\",}\n",
    );
    let (code, hits) = scan(dir.path(), &["."]);
    assert_eq!((code, hits), (0, vec![]));
}

#[test]
fn classification_of_an_oversized_file_reads_past_its_first_kilobytes() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut text = "# a comment line that is long enough to take some room\n".repeat(1400);
    text.push_str("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    assert!(text.len() > 72 * 1024);
    write(dir.path(), "late.yaml", &text);
    let (code, hits) = scan(dir.path(), &["--max-file-size", "64KB", "."]);
    assert_eq!(code, 1);
    assert_eq!(located(&hits), [("PARSE001", "late.yaml", 1, 1)]);
    assert!(hits[0].4.contains("over the"), "{hits:?}");
}

#[test]
fn helm_templates_are_skipped_only_beside_a_chart_and_never_when_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: nginx:latest}]}\n";
    // not a chart: an empty Chart.yaml does not hide the manifests
    write(d, "app/Chart.yaml", "");
    write(d, "app/templates/pod.yaml", pod);
    // a chart: its templates are skipped on a walk…
    write(
        d,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write(d, "chart/templates/pod.yaml", pod);
    let (code, hits) = scan(d, &["."]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&hits),
        [("TAG001", "app/templates/pod.yaml", 4, 38)]
    );
    // …but scanned when named on the command line
    let (code, hits) = scan(d, &["chart/templates/pod.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        located(&hits),
        [("TAG001", "chart/templates/pod.yaml", 4, 38)]
    );
}
