//! Hostile user policies: one per way a `--policy` file could weaken the
//! built-in rules or escape the evaluator's bounds. Each must end in exit 2
//! with a diagnostic naming the file (and line or rule), never in a crash,
//! an abort (exit 134) or a silent exit 0, and the built-in rules must
//! still report.

mod common;

use common::{driftless, temp_tree};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n";

/// Scans a pod with the policy folder `files` and returns the exit code,
/// the report's `errors` as text and the rule IDs found.
fn scan_with_policies(files: &[(&str, &str)]) -> (Option<i32>, String, Vec<String>) {
    let (code, report) = scan_report(files);
    let rules = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    (code, report["errors"].to_string(), rules)
}

/// Scans a pod with the policy folder `files`: the exit code and the JSON
/// report.
fn scan_report(files: &[(&str, &str)]) -> (Option<i32>, serde_json::Value) {
    let mut tree: Vec<(&str, &str)> = files.to_vec();
    tree.push(("app/pod.yaml", POD));
    let dir = temp_tree(&tree);
    let out = driftless()
        .args(["scan", "--format", "json", "--policy"])
        .arg(dir.path().join("p"))
        .arg(dir.path().join("app"))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

#[test]
fn user_files_cannot_redefine_or_extend_builtin_packages() {
    let hostile = [
        (
            "p/image.rego",
            "package driftless.lib.image\n\nallowed(_, _) if true\n",
        ),
        (
            "p/images.rego",
            "package driftless.lib.kubernetes\n\nimages := []\n",
        ),
        (
            "p/latest.rego",
            "package driftless.kubernetes.latest_tag\n\nmetadata := {\"id\": \"TAG001\"}\n\ndeny := set()\n",
        ),
        ("p/root.rego", "package driftless\n\nlib := {}\n"),
        (
            "p/ref_head.rego",
            "package driftless.lib\n\nkubernetes.images := []\n",
        ),
        (
            "p/quoted.rego",
            "package driftless[\"lib\"].kubernetes\n\ncontainers := []\n",
        ),
    ];
    let (code, errors, rules) = scan_with_policies(&hostile);
    for (path, _) in hostile {
        let name = path.trim_start_matches("p/");
        assert!(errors.contains(&format!("{name}:1:1")), "{name}: {errors}");
    }
    assert_eq!(
        errors.matches("reserved").count(),
        hostile.len(),
        "{errors}"
    );
    assert!(
        rules.contains(&"TAG001".to_string()),
        "the built-in rule still reports: {rules:?}"
    );
    assert_eq!(code, Some(2), "{errors}");
}

#[test]
fn a_constant_nested_too_deep_to_parse_is_rejected_before_parsing() {
    let depth = 24;
    let policy = format!(
        "package acme.kubernetes.deep\n\nmetadata := {{\"id\": \"DEEP001\", \"title\": \"deep\"}}\n\nx := {}1{}\n\ndeny contains \"x\" if x\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (code, errors, rules) = scan_with_policies(&[("p/deep.rego", &policy)]);
    assert!(errors.contains("deep.rego:5:22"), "{errors}");
    assert!(errors.contains("nest more than 16 levels"), "{errors}");
    assert!(rules.contains(&"TAG001".to_string()), "{rules:?}");
    assert_eq!(code, Some(2), "{errors}");
}

#[test]
fn a_chain_of_thousands_of_functions_is_rejected_instead_of_overflowing_the_stack() {
    let mut policy = String::from(
        "package acme.kubernetes.chain\n\nmetadata := {\"id\": \"CHAIN001\", \"title\": \"chain\"}\n\nf0(x) := x\n",
    );
    for i in 1..=3000 {
        policy.push_str(&format!("f{i}(x) := f{}(x)\n", i - 1));
    }
    policy.push_str("\ndeny contains \"x\" if f3000(1) == 1\n");
    let (code, errors, rules) = scan_with_policies(&[("p/chain.rego", &policy)]);
    assert!(errors.contains("chain.rego:3007:1"), "{errors}");
    assert!(errors.contains("3002 nested"), "{errors}");
    assert!(!rules.contains(&"CHAIN001".to_string()), "{rules:?}");
    assert!(rules.contains(&"TAG001".to_string()), "{rules:?}");
    assert_eq!(code, Some(2), "{errors}");
}

#[test]
fn a_range_too_large_to_allocate_is_a_rule_error_not_an_abort() {
    let policy = "package acme.kubernetes.huge\n\nmetadata := {\"id\": \"HUGE001\", \"title\": \"huge\"}\n\ndeny contains \"x\" if count(numbers.range(1, 2e8)) > 0\n";
    let cidr = "package acme.kubernetes.cidr\n\nmetadata := {\"id\": \"CIDR001\", \"title\": \"cidr\"}\n\ndeny contains \"x\" if count(net.cidr_expand(\"0.0.0.0/0\")) > 0\n";
    let (code, errors, rules) =
        scan_with_policies(&[("p/huge.rego", policy), ("p/cidr.rego", cidr)]);
    assert!(errors.contains("HUGE001"), "names the rule: {errors}");
    assert!(errors.contains("huge.rego"), "names the file: {errors}");
    assert!(errors.contains("CIDR001"), "names the rule: {errors}");
    assert!(errors.contains("cidr.rego"), "names the file: {errors}");
    assert_eq!(errors.matches("at most 1000000").count(), 2, "{errors}");
    assert!(rules.contains(&"TAG001".to_string()), "{rules:?}");
    assert_eq!(code, Some(2), "{errors}");
}

/// `text` without the temporary directories (`/tmp/.tmpAbC123/`) a scan
/// ran in, so two runs can be compared.
fn without_temp_dirs(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split("/.tmp").enumerate() {
        if i == 0 {
            out.push_str(part.strip_suffix("/tmp").unwrap_or(part));
            continue;
        }
        let rest = part.split_once('/').map_or("", |(_, rest)| rest);
        out.push_str(rest.strip_suffix("/tmp").unwrap_or(rest));
    }
    out
}

/// A custom rule that loops 16 million times: on the interpreter it ran
/// until the 5 s clock stopped it, so whether it finished (and the exit
/// code) depended on the machine's load. Compiled for the VM, it stops at
/// the instruction budget: the same error, naming the rule and the
/// document, in every run.
#[test]
fn a_custom_rule_over_the_instruction_budget_fails_the_same_way_every_run() {
    let policy = "package acme.kubernetes.slow\n\nmetadata := {\"id\": \"SLOW001\", \"title\": \"slow\"}\n\n\
        deny contains \"x\" if {\n\tsome i in numbers.range(1, 4000)\n\tsome j in numbers.range(1, 4000)\n\ti + j < 0\n}\n";
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (code, errors, rules) = scan_with_policies(&[("p/slow.rego", policy)]);
            (code, without_temp_dirs(&errors), rules)
        })
        .collect();
    let (code, errors, rules) = &runs[0];
    assert!(
        errors.contains("rule SLOW001 (p/slow.rego) failed on app/pod.yaml"),
        "{errors}"
    );
    assert!(
        errors.contains("exceeded maximum instruction limit"),
        "the budget of work stops it, not the clock: {errors}"
    );
    assert!(rules.contains(&"TAG001".to_string()), "{rules:?}");
    assert_eq!(*code, Some(2), "{errors}");
    assert_eq!(runs[0], runs[1], "the same outcome in every run");
}

/// A custom rule using `with`, which regorus's VM compiler rejects, is the
/// only rule left to the interpreter: it still reports, and a warning
/// located at the construct names it, because its bound is the clock.
#[test]
fn a_custom_rule_the_vm_cannot_compile_runs_on_the_interpreter_with_a_warning() {
    let policy = "package acme.kubernetes.withy\n\nmetadata := {\"id\": \"WITH001\", \"title\": \"with\"}\n\n\
        name := input.metadata.name\n\ndeny contains \"named b\" if {\n\tname == \"b\" with input.metadata.name as \"b\"\n}\n";
    let (code, report) = scan_report(&[("p/withy.rego", policy)]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"WITH001"), "{rules:?}");
    assert!(rules.contains(&"TAG001"), "{rules:?}");
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "one warning for the rule: {warnings:?}");
    let warning = &warnings[0];
    assert_eq!(warning["code"], "rule-on-interpreter");
    assert!(warning["path"].as_str().unwrap().ends_with("withy.rego"));
    assert_eq!(
        (&warning["line"], &warning["column"]),
        (&8.into(), &5.into())
    );
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("rule WITH001 runs on the interpreter"),
        "{message}"
    );
    assert!(message.contains("`with`"), "{message}");
    assert_eq!(code, Some(1), "a warning does not fail the gate");
}

/// A rule whose builtins double a string 40 times (a terabyte) in 40
/// instructions: no instruction budget sees it. The memory watchdog stops
/// the scan at `--max-memory` with exit code 2, naming the file it was on,
/// instead of the system killing the process (`crate::memory`).
#[cfg(target_os = "linux")]
#[test]
fn a_rule_that_grows_without_bound_stops_at_the_memory_limit_with_exit_two() {
    let mut rule = String::from(
        "package acme.dockerfile.grow\n\nmetadata := {\"id\": \"GROW001\"}\n\ns0 := \"0123456789abcdef\"\n",
    );
    for i in 1..=40 {
        rule.push_str(&format!("s{i} := concat(\"\", [s{0}, s{0}])\n", i - 1));
    }
    rule.push_str("\ndeny contains \"grown\" if count(s40) > 0\n");
    let dir = temp_tree(&[
        ("p/grow.rego", rule.as_str()),
        ("Dockerfile", "FROM alpine:3.20.3\n"),
    ]);
    let started = std::time::Instant::now();
    let out = driftless()
        .args(["scan", "--max-memory", "300MB", "--policy"])
        .arg(dir.path().join("p"))
        .arg(dir.path().join("Dockerfile"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("over its limit of 300 MiB"), "{stderr}");
    assert!(
        stderr.contains("working on: ") && stderr.contains("Dockerfile"),
        "{stderr}"
    );
    // A generous bound for a loaded machine: the doubling reaches 300 MB in
    // well under a second.
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
