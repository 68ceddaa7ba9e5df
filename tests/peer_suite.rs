//! External check against a peer's test suite (KICS fixtures with expected
//! lines, mapped to our rule IDs in `mapping.json`). The fixtures live in
//! `../shared/peer-suites/kics` beside CI's clone, not in users' clones, so
//! this test is `#[ignore]`d and `.ci/run` runs it with
//! `DRIFTLESS_PEER_SUITE` pointing at the folder.
//!
//! A positive matches when a finding of a mapped rule is on the expected
//! line or inside the block/instruction that line belongs to (we are often
//! more precise than the peer). A negative file must have no finding of the
//! mapped rules.

mod common;

use std::path::{Path, PathBuf};

use common::driftless;

#[derive(Debug)]
struct Expected {
    file: String,
    line: u64,
}

fn expected_results(query: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(query.join("test/positive_expected_result.json")).unwrap();
    let items: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let positives = files(query, "positive");
    items
        .iter()
        .map(|item| Expected {
            file: item["fileName"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| positives[0].clone()),
            line: item["line"].as_u64().unwrap(),
        })
        .collect()
}

fn files(query: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(query.join("test"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(prefix) && !n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// KICS splits package pinning by manager (one query for apt, one for pip,
/// …) while VER004 covers every manager, and its fixtures for one manager
/// contain unpinned installs of others. For those queries only findings
/// about the query's own manager are compared.
fn manager_of(query: &str) -> Option<&'static str> {
    let managers = [
        ("apt_get", "`apt-get`"),
        ("pip", "`pip"),
        ("apk", "`apk`"),
        ("npm", "`npm`"),
        ("gem", "`gem`"),
        ("yum", "`yum`"),
        ("zypper", "`zypper`"),
        ("dnf", "`dnf`"),
    ];
    managers
        .iter()
        .find(|(key, _)| query.starts_with("dockerfile/") && query.contains(key))
        .map(|(_, m)| *m)
}

/// Scans one fixture file alone (copied into an empty directory so
/// Terraform fixtures do not become one module) and returns the lines of
/// findings of the given rules.
fn finding_lines(file: &Path, rules: &[String], strict: bool, subject: Option<&str>) -> Vec<u64> {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(file.file_name().unwrap());
    std::fs::copy(file, &target).unwrap();
    let mut cmd = driftless();
    cmd.args(["scan", "--format", "json", "--select", &rules.join(",")]);
    if strict {
        cmd.arg("--strict");
    }
    let out = cmd.arg(&target).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] != "PARSE001")
        .filter(|f| subject.is_none_or(|m| f["message"].as_str().unwrap_or("").contains(m)))
        .map(|f| f["start"]["line"].as_u64().unwrap())
        .collect()
}

/// The 1-based line range of the block or instruction that `line` starts or
/// belongs to: braces for HCL, `\` continuations for Dockerfiles,
/// indentation for YAML.
fn block_range(text: &str, line: u64, ext: &str) -> (u64, u64) {
    let lines: Vec<&str> = text.lines().collect();
    let idx = (line as usize)
        .saturating_sub(1)
        .min(lines.len().saturating_sub(1));
    match ext {
        "tf" => brace_block(&lines, idx),
        "dockerfile" => {
            let mut end = idx;
            while end + 1 < lines.len() && lines[end].trim_end().ends_with('\\') {
                end += 1;
            }
            (line, end as u64 + 1)
        }
        _ => {
            let indent = |l: &str| l.len() - l.trim_start().len();
            let base = indent(lines[idx].trim_start_matches("- "));
            let mut end = idx;
            while end + 1 < lines.len()
                && (lines[end + 1].trim().is_empty() || indent(lines[end + 1]) > base)
            {
                end += 1;
            }
            (line, end as u64 + 1)
        }
    }
}

/// HCL: the top-level block (resource, module, ...) the line belongs to.
/// KICS's line inside a resource is often an arbitrary attribute of it (the
/// first `allow` block of a firewall whose third opens SSH), so agreement
/// is judged per resource.
fn brace_block(lines: &[&str], idx: usize) -> (u64, u64) {
    let mut depth = 0i32;
    let mut start = 0;
    for (i, l) in lines.iter().enumerate().take(idx + 1) {
        if depth == 0 && l.contains('{') {
            start = i;
        }
        depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
    }
    let mut depth = 0i32;
    let mut end = start;
    for (i, l) in lines.iter().enumerate().skip(start) {
        depth += l.matches('{').count() as i32 - l.matches('}').count() as i32;
        end = i;
        if depth <= 0 && i > start {
            break;
        }
    }
    (start as u64 + 1, end as u64 + 1)
}

/// Expectations of the peer we deliberately do not share, with the reason.
/// Each entry is `query/file:line`.
const DISAGREEMENTS: &[(&str, &str)] = &[(
    "terraform/aws/network_acl_with_unrestricted_access_to_ssh/positive4.tf:14",
    "a vpc-module ACL entry with protocol tcp and ports 0-0 opens port 0 only, not 22 \
     (AWS semantics); driftless does not evaluate module inputs for NACLs",
)];

#[test]
#[ignore = "needs DRIFTLESS_PEER_SUITE (run by .ci/run)"]
fn kics_fixtures_agree_with_our_rules() {
    let root = PathBuf::from(
        std::env::var("DRIFTLESS_PEER_SUITE").expect("DRIFTLESS_PEER_SUITE points at the suite"),
    );
    let mapping: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("mapping.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (query, rules) in &mapping {
        let rules: Vec<String> = rules
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect();
        let strict = rules.iter().any(|r| r == "TAG003");
        let dir = root.join(query);
        for exp in expected_results(&dir) {
            let file = dir.join("test").join(&exp.file);
            let text = std::fs::read_to_string(&file).unwrap();
            let ext = file.extension().unwrap().to_string_lossy().to_string();
            let (lo, hi) = block_range(&text, exp.line, &ext);
            let lines = finding_lines(&file, &rules, strict, manager_of(query));
            checked += 1;
            let key = format!("{query}/{}:{}", exp.file, exp.line);
            if DISAGREEMENTS.iter().any(|(k, _)| *k == key) {
                continue;
            }
            if !lines.iter().any(|l| *l >= lo && *l <= hi) {
                failures.push(format!(
                    "{query}/{}: expected {rules:?} at line {} (block {lo}-{hi}), found lines {lines:?}",
                    exp.file, exp.line
                ));
            }
        }
        for negative in files(&dir, "negative") {
            let lines = finding_lines(
                &dir.join("test").join(&negative),
                &rules,
                strict,
                manager_of(query),
            );
            checked += 1;
            if !lines.is_empty() {
                failures.push(format!(
                    "{query}/{negative}: negative file has {rules:?} findings at lines {lines:?}"
                ));
            }
        }
    }
    println!("peer suite: {checked} checks, {} failures", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn block_ranges_follow_each_syntax() {
    let hcl = "resource \"a\" \"b\" {\n  ingress {\n    from_port = 22\n  }\n}\nresource \"c\" \"d\" {\n}\n";
    assert_eq!(block_range(hcl, 2, "tf"), (1, 5));
    assert_eq!(block_range(hcl, 3, "tf"), (1, 5));
    assert_eq!(block_range(hcl, 6, "tf"), (6, 7));
    let docker = "FROM a\nRUN apt-get install \\\n  curl\nRUN x\n";
    assert_eq!(block_range(docker, 2, "dockerfile"), (2, 3));
    let yaml = "spec:\n  containers:\n    - name: a\n      image: x\nkind: Pod\n";
    assert_eq!(block_range(yaml, 2, "yaml"), (2, 4));
}
