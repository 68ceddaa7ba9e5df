//! The SARIF report validates against the OASIS SARIF 2.1.0 schema (a copy
//! lives in tests/schemas so the suite runs in any clone).

mod common;

use common::driftless;

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn sarif_for(args: &[&str]) -> serde_json::Value {
    let out = driftless()
        .args(["scan", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

fn assert_valid(sarif: &serde_json::Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn demo_report_is_schema_valid_and_complete() {
    let sarif = sarif_for(&["fixtures/demo"]);
    assert_valid(&sarif);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    // Every rule family in the demo: see tests/scan_demo.rs for the list.
    assert_eq!(results.len(), 26);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/demo/"), "{uri}");
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    for rule in rules {
        assert!(rule["help"]["markdown"].is_string());
        assert!(rule["properties"]["security-severity"].is_string());
    }
}

#[test]
fn a_clean_scan_is_valid_too() {
    let sarif = sarif_for(&["--select", "SSH001", "fixtures/demo/k8s"]);
    assert_valid(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn the_validator_rejects_broken_sarif() {
    let mut sarif = sarif_for(&["fixtures/demo"]);
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] =
        serde_json::json!(0);
    assert!(validator().iter_errors(&sarif).next().is_some());
}
