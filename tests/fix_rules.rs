//! The fixes of the rules other than the image ones (issue #18): UPD002,
//! VER006, VER001, UPD005 and SSH003. Each test scans real text, asks the
//! rule's fix for its edits, applies them, and checks the exact result, that
//! it still parses (no PARSE001/EVAL001) and that a second scan no longer
//! has the finding. `driftless explain` says for every catalogue rule
//! whether it has a fix and how safe it is.

mod common;

use std::path::Path;
use std::sync::Arc;

use driftless::engine::{EngineOptions, Engines, PolicySet};
use driftless::finding::Finding;
use driftless::fix::registry::{RegistryOptions, Resolver};
use driftless::fix::{Applicability, Fix, FixContext, availability, fix_for};
use driftless::scan::{ScanOptions, scan};

use common::{driftless, temp_tree};

fn engines(strict: bool) -> Engines {
    let (set, errors) = PolicySet::load(Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let options = EngineOptions {
        config_data: serde_json::json!({ "strict": strict }),
        enabled: None,
        ..EngineOptions::default()
    };
    Engines::new(Arc::new(set), options)
}

/// Every finding of a scan of `path` (strict rules on).
fn findings(path: &Path) -> Vec<Finding> {
    let options = ScanOptions {
        paths: vec![path.to_path_buf()],
        ..ScanOptions::default()
    };
    let result = scan(&options, &engines(true));
    assert!(result.rule_errors.is_empty(), "{:?}", result.rule_errors);
    result.findings
}

fn context(offline: bool) -> FixContext {
    FixContext {
        registry: Resolver::new(RegistryOptions::default()),
        offline,
    }
}

/// The fix of the one finding of `rule` in a scan of `path`.
fn fix_of(path: &Path, rule: &str) -> Fix {
    let all = findings(path);
    let of_rule: Vec<&Finding> = all.iter().filter(|f| f.rule_id == rule).collect();
    assert_eq!(of_rule.len(), 1, "{rule} findings: {all:#?}");
    fix_for(of_rule[0], &context(false))
        .expect("the rule has a fix")
        .unwrap_or_else(|e| panic!("fix failed: {}", e.message))
}

/// Writes the edits into their files (last first, so earlier offsets stay
/// valid), as `driftless scan --fix` does.
fn apply(fix: &Fix) {
    let mut by_file: std::collections::BTreeMap<_, Vec<_>> = Default::default();
    for edit in &fix.edits {
        by_file
            .entry(edit.file.path.clone())
            .or_insert_with(Vec::new)
            .push(edit);
    }
    for (path, mut edits) in by_file {
        let mut text = edits[0].file.text.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.start));
        for edit in edits {
            text.replace_range(edit.start..edit.end, &edit.replacement);
        }
        std::fs::write(path, text).unwrap();
    }
}

/// Applies the fix of `rule`'s one finding in `dir`, then checks that the
/// fixed files still parse and no longer have a `rule` finding.
fn fix_and_rescan(dir: &Path, rule: &str) -> Fix {
    let fix = fix_of(dir, rule);
    assert_eq!(fix.rule_id, rule);
    apply(&fix);
    let after = findings(dir);
    let unexpected: Vec<&Finding> = after
        .iter()
        .filter(|f| f.rule_id == rule || f.rule_id == "PARSE001" || f.rule_id == "EVAL001")
        .collect();
    assert!(unexpected.is_empty(), "after the fix: {unexpected:#?}");
    fix
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

// ---- driftless explain ----------------------------------------------------

#[test]
fn explain_says_for_every_rule_whether_and_how_it_is_fixed() {
    let out = driftless()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .or_else(|| rules["rules"].as_array())
        .expect("rules list")
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 15, "{ids:?}");
    for id in ids {
        let out = driftless().args(["explain", id]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let expected = match availability(id) {
            Some(Applicability::Safe) => "Fix: safe (--fix)",
            Some(Applicability::Unsafe) => "Fix: unsafe (--unsafe-fixes)",
            None => "Fix: none",
        };
        assert!(
            text.lines().any(|l| l == expected),
            "{id}: wants `{expected}`:\n{text}"
        );
    }
    for (id, line) in [
        ("VER006", "Fix: unsafe (--unsafe-fixes)"),
        ("UPD005", "Fix: unsafe (--unsafe-fixes)"),
        ("VER002", "Fix: none"),
    ] {
        let out = driftless().args(["explain", id]).output().unwrap();
        assert!(
            String::from_utf8(out.stdout).unwrap().contains(line),
            "{id}"
        );
    }
}

// ---- VER006 ---------------------------------------------------------------

#[test]
fn ver006_adds_immutable_after_kind_in_yaml() {
    let dir = temp_tree(&[(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap  # settings\nmetadata:\n  name: app-v1\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nimmutable: true\n",
    )]);
    let fix = fix_and_rescan(dir.path(), "VER006");
    assert_eq!(fix.applicability, Applicability::Unsafe);
    assert_eq!(
        read(dir.path(), "cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap  # settings\nimmutable: true\nmetadata:\n  name: app-v1\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nimmutable: true\n"
    );
}

#[test]
fn ver006_sets_immutable_false_to_true() {
    let dir = temp_tree(&[(
        "s.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nimmutable: false\nmetadata:\n  name: s\n",
    )]);
    // the ConfigMap keeps its finding; the Secret's is fixed
    let all = findings(dir.path());
    let secret = all
        .iter()
        .find(|f| f.rule_id == "VER006" && f.message.contains("Secret"))
        .unwrap();
    let fix = fix_for(secret, &context(false)).unwrap().unwrap();
    apply(&fix);
    assert_eq!(
        read(dir.path(), "s.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a: b\n---\napiVersion: v1\nkind: Secret\nimmutable: true\nmetadata:\n  name: s\n"
    );
}

#[test]
fn ver006_adds_immutable_in_a_list_item_and_in_json() {
    let dir = temp_tree(&[(
        "list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n",
    )]);
    fix_and_rescan(dir.path(), "VER006");
    assert_eq!(
        read(dir.path(), "list.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    immutable: true\n    metadata:\n      name: a\n"
    );
    let dir = temp_tree(&[(
        "cm.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"a\"}\n}\n",
    )]);
    fix_and_rescan(dir.path(), "VER006");
    assert_eq!(
        read(dir.path(), "cm.json"),
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"immutable\": true,\n  \"metadata\": {\"name\": \"a\"}\n}\n"
    );
}
