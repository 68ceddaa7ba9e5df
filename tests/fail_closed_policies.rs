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
    let rules = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect();
    (out.status.code(), report["errors"].to_string(), rules)
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
