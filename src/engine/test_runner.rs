//! `driftless test`: runs the `test_*` rules of Rego policies, like
//! `opa test` (regorus has no runner of its own).

use std::fmt;

use regorus::Value;

use super::policy::{PolicyError, PolicyFile, Role};

/// The outcome of one `test_*` rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    Error(String),
}

/// One test's result.
#[derive(Clone, Debug)]
pub struct TestResult {
    /// `data.<package>.<test>`.
    pub name: String,
    pub file: String,
    pub outcome: Outcome,
}

impl fmt::Display for TestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Pass => write!(f, "PASS  {}", self.name),
            Outcome::Fail => write!(f, "FAIL  {} ({})", self.name, self.file),
            Outcome::Error(e) => write!(f, "ERROR {} ({}): {e}", self.name, self.file),
        }
    }
}

/// Everything a test run produced.
#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<TestResult>,
    /// Files that could not be loaded (their tests did not run).
    pub errors: Vec<PolicyError>,
    /// regorus's coverage report, when requested.
    pub coverage: Option<String>,
}

impl TestReport {
    /// Whether every test passed and every file loaded.
    pub fn success(&self) -> bool {
        self.errors.is_empty() && self.results.iter().all(|r| r.outcome == Outcome::Pass)
    }

    /// Count of results with the given outcome kind.
    pub fn count(&self, pred: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| pred(&r.outcome)).count()
    }
}

/// The `test_*` rule names a test file defines (rule heads start a line).
pub fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (name.starts_with("test_") && name.len() > 5).then_some(name)
        })
        .collect();
    names.dedup();
    names
}

/// Runs the tests of `files` with the given support files (libraries and
/// rules) loaded. Each test file gets its own engine, so one broken file
/// does not hide the results of the others.
pub fn run(files: &[PolicyFile], coverage: bool) -> TestReport {
    let mut report = TestReport::default();
    let support: Vec<&PolicyFile> = files.iter().filter(|f| f.role != Role::Test).collect();
    let mut usable = Vec::new();
    for file in &support {
        let mut engine = super::new_engine();
        match engine.add_policy(file.path.clone(), file.text.clone()) {
            Ok(_) => usable.push(*file),
            Err(e) => report
                .errors
                .push(PolicyError::from_regorus(&file.path, &e)),
        }
    }
    let mut coverage_reports = Vec::new();
    for test in files.iter().filter(|f| f.role == Role::Test) {
        let mut engine = super::new_engine();
        engine.set_enable_coverage(coverage);
        let loaded = usable
            .iter()
            .copied()
            .chain(std::iter::once(test))
            .try_for_each(|f| {
                engine
                    .add_policy(f.path.clone(), f.text.clone())
                    .map(|_| ())
                    .map_err(|e| PolicyError::from_regorus(&f.path, &e))
            });
        if let Err(e) = loaded {
            report.errors.push(e);
            continue;
        }
        for name in test_names(&test.text) {
            let rule = format!("data.{}.{name}", test.package);
            let outcome = match engine.eval_rule(rule.clone()) {
                Ok(Value::Bool(true)) => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(e) => Outcome::Error(PolicyError::from_regorus(&test.path, &e).to_string()),
            };
            report.results.push(TestResult {
                name: rule,
                file: test.path.clone(),
                outcome,
            });
        }
        if coverage && let Ok(cov) = engine.get_coverage_report() {
            coverage_reports.push(cov.to_string_pretty().unwrap_or_default());
        }
    }
    if coverage {
        report.coverage = Some(coverage_reports.join("\n"));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::policy_file;

    fn file(path: &str, text: &str) -> PolicyFile {
        policy_file(path.into(), text.into(), false).unwrap()
    }

    #[test]
    fn finds_test_rule_names() {
        let text = "package x_test\n\ntest_a if { true }\ntest_b := true\nnot_test_c if { true }\n";
        assert_eq!(test_names(text), vec!["test_a", "test_b"]);
    }

    #[test]
    fn reports_pass_fail_and_error() {
        let rule = file(
            "p/r.rego",
            "package t.kubernetes.r\n\nmetadata := {\"id\": \"X1\"}\n\ndeny contains \"bad\" if input.bad\n",
        );
        let tests = file(
            "p/r_test.rego",
            "package t.kubernetes.r_test\n\nimport data.t.kubernetes.r\n\ntest_denies if { \"bad\" in r.deny with input as {\"bad\": true} }\n\ntest_wrong if { \"bad\" in r.deny with input as {\"bad\": false} }\n\ntest_broken if { 1 / 0 == 1 }\n",
        );
        let report = run(&[rule, tests], false);
        let outcomes: Vec<_> = report.results.iter().map(|r| r.outcome.clone()).collect();
        assert_eq!(outcomes[0], Outcome::Pass);
        assert_eq!(outcomes[1], Outcome::Fail);
        assert!(matches!(outcomes[2], Outcome::Error(_)));
        assert!(!report.success());
    }
}
