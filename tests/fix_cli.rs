//! `driftless scan --fix / --diff / --unsafe-fixes / --no-network` through
//! the binary: what is reported when a fix cannot be made, what offline
//! mode counts, which findings are fixed at all (active ones only), and the
//! exit codes. Fixes that succeed need a registry: they are tested with a
//! test resolver in tests/fix_image.rs and end to end against the loopback
//! registry in tests/fix_registry.rs.

mod common;

use common::{driftless, temp_tree};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: redis\n";

/// A registry that refuses connections at once: no test waits for the
/// network or reaches the internet.
const NO_REGISTRY: [&str; 4] = [
    "--registry-mirror",
    "docker.io=http://127.0.0.1:9",
    "--registry-timeout",
    "2",
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &std::path::Path, args: &[&str]) -> Run {
    let out = driftless()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_fix_that_fails_is_reported_at_its_finding_and_the_finding_stays() {
    let dir = temp_tree(&[("pod.yaml", POD)]);
    let mut args = vec!["--fix", "--format", "json", "pod.yaml"];
    args.extend(NO_REGISTRY);
    let out = run(dir.path(), &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("pod.yaml:8:14: TAG002 not fixed: "),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Fixed 0 findings"), "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["rule_id"], "TAG002");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(),
        POD
    );
}

#[test]
fn offline_image_fixes_are_counted_not_tried() {
    let dir = temp_tree(&[("pod.yaml", POD)]);
    let out = run(
        dir.path(),
        &["--fix", "--no-network", "--strict", "pod.yaml"],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("Fixed 0 findings (2 fixes need the network; run without --no-network)"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not fixed"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(),
        POD
    );
    let out = run(dir.path(), &["--diff", "--no-network", "pod.yaml"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr
            .contains("Would fix 0 findings (1 fix needs the network; run without --no-network)"),
        "{}",
        out.stderr
    );
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let suppressed = POD.replace(
        "      image: redis\n",
        "      # driftless:ignore[TAG002] pulled by digest at deploy time\n      image: redis\n",
    );
    let dir = temp_tree(&[("pod.yaml", &suppressed)]);
    let out = run(dir.path(), &["--fix", "--no-network", "pod.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("Fixed 0 findings\n"), "{}", out.stderr);
}

#[test]
fn diff_with_nothing_to_fix_prints_nothing_and_exits_0() {
    let clean = POD.replace(
        "image: redis",
        "image: redis:7@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    let dir = temp_tree(&[("pod.yaml", &clean)]);
    let out = run(dir.path(), &["--diff", "pod.yaml"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert!(out.stderr.contains("Would fix 0 findings"));
}

#[test]
fn diff_with_a_fix_that_cannot_be_made_exits_1_and_writes_nothing() {
    let dockerfile = "ARG BASE=node:latest\nFROM $BASE\n";
    let dir = temp_tree(&[("Dockerfile", dockerfile)]);
    let mut args = vec!["--diff", "Dockerfile"];
    args.extend(NO_REGISTRY);
    let out = run(dir.path(), &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("TAG001 not fixed: "), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        dockerfile
    );
}

#[test]
fn unsafe_fixes_alone_says_how_many_findings_have_a_fix() {
    let dir = temp_tree(&[("pod.yaml", POD)]);
    let out = run(dir.path(), &["--unsafe-fixes", "--strict", "pod.yaml"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("2 findings have a fix (0 unsafe)"),
        "{}",
        out.stderr
    );
}

#[test]
fn quiet_leaves_out_the_summary_but_not_the_failures() {
    let dir = temp_tree(&[("Dockerfile", "ARG BASE=node:latest\nFROM $BASE\n")]);
    let mut args = vec!["--fix", "--quiet", "Dockerfile"];
    args.extend(NO_REGISTRY);
    let out = run(dir.path(), &args);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("TAG001 not fixed: "), "{}", out.stderr);
    assert!(!out.stderr.contains("Fixed"), "{}", out.stderr);
    let out = run(
        dir.path(),
        &["--diff", "--quiet", "--no-network", "Dockerfile"],
    );
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn malformed_registry_options_are_usage_errors() {
    let dir = temp_tree(&[("pod.yaml", POD)]);
    for bad in [
        ["--registry-mirror", "docker.io"],
        ["--registry-timeout", "0"],
        ["--platform", "linux"],
    ] {
        let out = run(dir.path(), &["--fix", bad[0], bad[1], "pod.yaml"]);
        assert_eq!(out.code, 2, "{bad:?}: {}", out.stderr);
    }
}

#[test]
fn the_config_fix_table_sets_the_defaults_and_is_checked() {
    let config = "fix:\n  network: false\n  registry_timeout: 5\n  platform: linux/arm64/v8\n  registry_mirrors:\n    docker.io: http://127.0.0.1:9\n";
    let dir = temp_tree(&[("pod.yaml", POD), (".driftless.yaml", config)]);
    let out = run(dir.path(), &["--fix", "pod.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("(1 fix needs the network"),
        "{}",
        out.stderr
    );
    let dir = temp_tree(&[
        ("pod.yaml", POD),
        (".driftless.yaml", "fix:\n  platform: linux\n"),
    ]);
    let out = run(dir.path(), &["--fix", "pod.yaml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("os/arch"), "{}", out.stderr);
}
