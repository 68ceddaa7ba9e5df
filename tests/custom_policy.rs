//! Users' own Rego rules: the worked example in examples/custom-policy runs
//! under `driftless test` and in `driftless scan --policy`, and broken user
//! policies (recursive functions, unsafe variables, failing tests, runaway
//! rules) are reported by name without taking the built-in rules down.

mod common;

use common::{driftless, hit, scan_json, temp_tree};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_worked_example_passes_its_tests() {
    let out = driftless()
        .args(["test", "examples/custom-policy"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(
            "PASS  data.acme.kubernetes.team_label_test.test_missing_team_label_is_denied"
        ),
        "{text}"
    );
    assert!(
        text.contains("5 tests: 5 passed, 0 failed, 0 errors"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn the_worked_example_reports_in_scan() {
    let (code, hits, report) = scan_json(&[
        "--policy",
        "examples/custom-policy",
        "examples/custom-policy/manifests",
    ]);
    assert_eq!(
        common::only("ACME001", &hits),
        vec![hit(
            "ACME001",
            "examples/custom-policy/manifests/deployments.yaml",
            5,
            3
        )],
        "{report:#}"
    );
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(code, 1);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "ACME001")
        .unwrap();
    assert_eq!(
        finding["message"],
        "Deployment `checkout` has no `team` label"
    );
    assert_eq!(finding["severity"], "medium");
}

#[test]
fn test_reports_fail_and_error_per_test_and_exits_one() {
    let dir = temp_tree(&[
        (
            "p/rule.rego",
            "package acme.dockerfile.r\n\nmetadata := {\"id\": \"R1\"}\n\ndeny contains \"x\" if input.bad\n",
        ),
        (
            "p/rule_test.rego",
            "package acme.dockerfile.r_test\n\nimport data.acme.dockerfile.r\n\ntest_ok if { \"x\" in r.deny with input as {\"bad\": true} }\n\ntest_wrong if { \"x\" in r.deny with input as {\"bad\": false} }\n\ntest_crash if { 1 / 0 == 1 }\n",
        ),
    ]);
    let out = driftless()
        .args(["test", "--coverage"])
        .arg(dir.path().join("p"))
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("PASS  data.acme.dockerfile.r_test.test_ok"),
        "{text}"
    );
    assert!(
        text.contains("FAIL  data.acme.dockerfile.r_test.test_wrong"),
        "{text}"
    );
    assert!(
        text.contains("ERROR data.acme.dockerfile.r_test.test_crash"),
        "{text}"
    );
    assert!(
        text.contains("rule_test.rego:9:"),
        "error is located: {text}"
    );
    assert!(
        text.contains("3 tests: 1 passed, 1 failed, 1 errors"),
        "{text}"
    );
    assert!(text.contains("coverage:"), "{text}");
    assert!(text.contains("rule.rego"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
}

const RECURSIVE: &str = "package acme.dockerfile.loop\n\nmetadata := {\"id\": \"LOOP001\"}\n\ncount_down(n) := count_down(n - 1)\n\ndeny contains \"never\" if count_down(3) == 0\n";

#[test]
fn a_recursive_user_function_is_rejected_before_evaluation() {
    let dir = temp_tree(&[
        ("p/loop.rego", RECURSIVE),
        (
            "p/loop_test.rego",
            "package acme.dockerfile.loop_test\n\nimport data.acme.dockerfile.loop\n\ntest_loop if { count(loop.deny) == 0 }\n",
        ),
        (
            "p/broken_test.rego",
            "package acme.broken_test\n\ntest_x if {\n",
        ),
        ("app/Dockerfile", "FROM alpine:latest\n"),
    ]);
    let policy = dir.path().join("p");
    let out = driftless()
        .args(["scan", "--format", "json", "--policy"])
        .arg(&policy)
        .arg(dir.path().join("app"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let errors = report["errors"].to_string();
    assert!(errors.contains("loop.rego:5:1"), "{errors}");
    assert!(errors.contains("recursive"), "{errors}");
    assert!(
        !errors.contains("broken_test.rego"),
        "test files are not loaded by scan: {errors}"
    );
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"TAG001"),
        "built-in rules still run: {report:#}"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "policy errors make the result untrustworthy"
    );

    let out = driftless().arg("test").arg(&policy).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("loop.rego:5:1"), "{text}");
    assert!(text.contains("broken_test.rego:4:1"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
}

#[test]
fn an_unsafe_user_rule_does_not_disable_the_other_rules() {
    let dir = temp_tree(&[
        (
            "p/unsafe.rego",
            "package acme.dockerfile.unsafe\n\nmetadata := {\"id\": \"BAD001\"}\n\ndeny contains \"x\" if { nope == 1 }\n",
        ),
        (
            "p/lib.rego",
            "package acme.lib.broken\n\nhelper if { undefined_var }\n",
        ),
        (
            "p/good.rego",
            "package acme.dockerfile.good\n\nmetadata := {\"id\": \"GOOD001\", \"title\": \"Every Dockerfile gets a finding\"}\n\ndeny contains \"seen\"\n",
        ),
        ("app/Dockerfile", "FROM alpine:latest\n"),
    ]);
    let out = driftless()
        .args(["scan", "--format", "json", "--policy"])
        .arg(dir.path().join("p"))
        .arg(dir.path().join("app"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let errors = report["errors"].to_string();
    assert!(errors.contains("unsafe.rego:5:24"), "{errors}");
    assert!(errors.contains("lib.rego:3:13"), "{errors}");
    let mut rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    rules.sort();
    assert_eq!(rules, vec!["GOOD001", "TAG001"], "{report:#}");
    assert_eq!(out.status.code(), Some(2));
}
