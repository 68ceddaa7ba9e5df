//! Every built-in Rego rule's `_test.rego` passes (through the same runner
//! as `driftless test`), and every rule package is in the catalogue.

use driftless::engine::{self, test_runner};

#[test]
fn builtin_policy_unit_tests_pass() {
    let files = engine::policy::builtin();
    let report = test_runner::run(&files, false);
    let failures: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.outcome != test_runner::Outcome::Pass)
        .map(|r| r.to_string())
        .chain(report.errors.iter().map(|e| e.to_string()))
        .collect();
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
    assert!(
        report.results.len() >= 20,
        "only {} tests ran",
        report.results.len()
    );
}

#[test]
fn every_rule_package_has_tests_beside_it() {
    let files = engine::policy::builtin();
    for f in files
        .iter()
        .filter(|f| matches!(f.role, engine::Role::Rule(_)))
    {
        let stem = f.path.trim_end_matches(".rego");
        let dir = stem.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let has_test = files.iter().any(|t| {
            t.role == engine::Role::Test
                && t.path.starts_with(dir)
                && t.text.contains(&format!("import data.{}", f.package))
        });
        assert!(has_test, "{} has no _test.rego importing it", f.path);
    }
}
