//! `driftless rules`, `explain`, `inspect` and `test`: the commands that let
//! users understand the rules and write their own.

mod common;

use common::driftless;

#[test]
fn rules_lists_the_whole_catalogue() {
    let out = driftless().args(["rules"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "TAG001", "TAG002", "TAG003", "SSH001", "SSH002", "SSH003", "UPD001", "UPD002", "UPD003",
        "UPD004", "UPD005", "UPD006", "VER001", "VER002", "VER003", "VER004", "VER005", "VER006",
        "VER007", "PARSE001",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{text}"
        );
    }
    let strict: Vec<&str> = text
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("yes"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(strict, vec!["TAG003", "UPD005", "VER007"]);
}

#[test]
fn rules_as_json_carry_metadata() {
    let out = driftless()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ssh001 = rules.iter().find(|r| r["id"] == "SSH001").unwrap();
    assert_eq!(ssh001["severity"], "critical");
    assert_eq!(ssh001["kinds"], serde_json::json!(["terraform"]));
    assert_eq!(ssh001["strict"], false);
}

#[test]
fn explain_prints_why_fix_and_examples() {
    let out = driftless().args(["explain", "ver004"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("VER004"), "{text}");
    for section in [
        "Why it matters",
        "How to fix",
        "Bad",
        "Good",
        "pip install requests",
    ] {
        assert!(text.contains(section), "missing {section}:\n{text}");
    }
}

#[test]
fn explain_rejects_unknown_ids() {
    let out = driftless().args(["explain", "NOPE"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn inspect_shows_the_dockerfile_input() {
    let out = driftless()
        .args(["inspect", "fixtures/demo/app/Dockerfile"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs[0]["kind"], "dockerfile");
    let from = &docs[0]["input"]["stages"][0]["from"];
    assert_eq!(from["image"], "node:latest");
    assert_eq!(from["ref"]["tag"], "latest");
}

#[test]
fn inspect_shows_every_kubernetes_document() {
    let out = driftless()
        .args(["inspect", "fixtures/demo/k8s/workloads.yaml"])
        .output()
        .unwrap();
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = docs
        .iter()
        .map(|d| d["input"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["Deployment", "CronJob", "Pod"]);
}

#[test]
fn inspect_shows_the_terraform_module_with_evaluated_values() {
    let out = driftless()
        .args(["inspect", "fixtures/rules/TAG001/ecs/main.tf"])
        .output()
        .unwrap();
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let task = &docs[0]["input"]["resources"][0];
    assert_eq!(task["address"], "aws_ecs_task_definition.api");
    assert_eq!(
        task["config"]["container_definitions"][0]["image"],
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest"
    );
}

#[test]
fn test_command_runs_the_builtin_policy_tests() {
    let out = driftless().args(["test", "policies"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
}
