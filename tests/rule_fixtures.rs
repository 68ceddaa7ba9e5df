//! One snapshot per rule (like ruff): `fixtures/rules/<ID>/` holds bad and
//! good cases for that rule; the scan with only that rule selected is
//! snapshotted as `path:line:col: message` lines. Files whose name starts
//! with `ok` must produce no finding at all.

mod common;

use common::driftless;

fn rule_dirs() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(common::root().join("fixtures/rules"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    ids.sort();
    ids
}

fn findings_for(id: &str) -> Vec<(String, String)> {
    let dir = format!("fixtures/rules/{id}");
    let out = driftless()
        .args(["scan", "--format", "json", "--strict", "--select", id, &dir])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{id}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{id}: {:?}",
        report["errors"]
    );
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_string();
            let line = format!(
                "{}:{}:{}-{}:{}: {} {}",
                path.trim_start_matches(&format!("{dir}/")),
                f["start"]["line"],
                f["start"]["column"],
                f["end"]["line"],
                f["end"]["column"],
                f["rule_id"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            );
            (path, line)
        })
        .collect()
}

#[test]
fn every_rule_fixture_matches_its_snapshot() {
    let ids = rule_dirs();
    assert!(!ids.is_empty());
    for id in ids {
        let findings = findings_for(&id);
        for (path, line) in &findings {
            let name = path.rsplit('/').next().unwrap();
            assert!(
                !name.starts_with("ok"),
                "{id}: finding in a clean file: {line}"
            );
            assert!(
                line.contains(&format!(" {id} ")),
                "{id}: finding of another rule: {line}"
            );
        }
        assert!(
            !findings.is_empty(),
            "{id}: the fixtures produce no finding"
        );
        let text: Vec<String> = findings.into_iter().map(|(_, l)| l).collect();
        insta::assert_snapshot!(format!("rule_{id}"), text.join("\n"));
    }
}
