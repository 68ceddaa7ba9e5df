//! `driftless test`: runs the `test_*` rules of Rego policies, like
//! `opa test` (regorus has no runner of its own).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use regorus::Value;
use regorus::unstable::{Rule, RuleHead};

use super::policy::{PolicyError, PolicyFile, Role};
use super::recursion::ref_path;

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

/// Line coverage of one policy file, merged over every test engine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileCoverage {
    pub path: String,
    /// Lines some test evaluated.
    pub covered: BTreeSet<u32>,
    /// Lines no test evaluated.
    pub not_covered: BTreeSet<u32>,
}

impl FileCoverage {
    /// Covered share of the evaluable lines, in percent (100 when the file
    /// has none).
    pub fn percent(&self) -> f64 {
        let total = self.covered.len() + self.not_covered.len();
        if total == 0 {
            100.0
        } else {
            self.covered.len() as f64 * 100.0 / total as f64
        }
    }
}

/// Everything a test run produced.
#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<TestResult>,
    /// Files that could not be loaded (their tests did not run).
    pub errors: Vec<PolicyError>,
    /// Line coverage of the policies under test (not of the test files),
    /// when requested.
    pub coverage: Option<Vec<FileCoverage>>,
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
/// A fallback for files the AST walk cannot read.
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

/// The `test_*` rules (not functions) of the module loaded from `path`, in
/// source order, read from regorus's AST.
fn test_rules(engine: &mut regorus::Engine, path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for module in engine.get_modules().iter() {
        if module.package.span.source.get_path() != path {
            continue;
        }
        for rule in &module.policy {
            let head = match rule.as_ref() {
                Rule::Spec {
                    head: RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. },
                    ..
                } => refr,
                _ => continue,
            };
            if let Some((name, rest)) = ref_path(head)
                && rest.is_empty()
                && name.starts_with("test_")
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    names
}

/// Runs the tests of `files` with the given support files (libraries and
/// rules) loaded. Files are admitted like `--policy` files (syntax, call
/// cycles, analysis) before anything is evaluated; each test file gets its
/// own engine, so one broken file does not hide the results of the others.
pub fn run(files: &[PolicyFile], coverage: bool) -> TestReport {
    let (admitted, errors) = super::admit(files.to_vec());
    let mut report = TestReport {
        errors,
        ..TestReport::default()
    };
    let support: Vec<&PolicyFile> = admitted.iter().filter(|f| f.role != Role::Test).collect();
    let mut merged: BTreeMap<String, FileCoverage> = BTreeMap::new();
    for test in admitted.iter().filter(|f| f.role == Role::Test) {
        let mut engine = super::new_engine();
        engine.set_enable_coverage(coverage);
        if let Err(e) = load(&mut engine, &support, test) {
            report.errors.push(e.or_in(&test.path));
            continue;
        }
        for name in test_rules(&mut engine, &test.path) {
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
            merge_coverage(&mut merged, cov);
        }
    }
    if coverage {
        report.coverage = Some(finish_coverage(merged, files));
    }
    report
}

/// Loads the support files and one test file, and analyses them.
fn load(
    engine: &mut regorus::Engine,
    support: &[&PolicyFile],
    test: &PolicyFile,
) -> Result<(), PolicyError> {
    for f in support.iter().copied().chain([test]) {
        engine
            .add_policy(f.path.clone(), f.text.clone())
            .map_err(|e| PolicyError::from_regorus(&f.path, &e))?;
    }
    super::analyse_engine(engine, &test.path)
}

fn merge_coverage(merged: &mut BTreeMap<String, FileCoverage>, report: regorus::coverage::Report) {
    for file in report.files {
        let entry = merged
            .entry(file.path.clone())
            .or_insert_with(|| FileCoverage {
                path: file.path.clone(),
                ..FileCoverage::default()
            });
        entry.covered.extend(file.covered);
        entry.not_covered.extend(file.not_covered);
    }
}

/// A line covered by any test is covered; test files themselves and
/// built-in libraries pulled in for user tests are left out.
fn finish_coverage(
    merged: BTreeMap<String, FileCoverage>,
    files: &[PolicyFile],
) -> Vec<FileCoverage> {
    let only_builtin = files.iter().all(|f| f.builtin);
    let wanted = |path: &str| {
        files
            .iter()
            .any(|f| f.path == path && f.role != Role::Test && (only_builtin || !f.builtin))
    };
    merged
        .into_values()
        .filter(|c| wanted(&c.path))
        .map(|mut c| {
            let covered = c.covered.clone();
            c.not_covered.retain(|l| !covered.contains(l));
            c
        })
        .collect()
}

/// Renders coverage for the console: one line per file with its
/// percentage and the lines no test reached (as ranges), then the total.
pub fn render_coverage(files: &[FileCoverage]) -> String {
    let mut out = String::from("coverage:\n");
    let (mut covered, mut total) = (0, 0);
    for f in files {
        covered += f.covered.len();
        total += f.covered.len() + f.not_covered.len();
        out.push_str(&format!("  {:>6.1}%  {}", f.percent(), f.path));
        if !f.not_covered.is_empty() {
            out.push_str(&format!("  (not covered: {})", ranges(&f.not_covered)));
        }
        out.push('\n');
    }
    let percent = if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    };
    out.push_str(&format!(
        "  {percent:>6.1}%  total ({covered}/{total} lines)\n"
    ));
    out
}

/// `{3, 4, 5, 9}` → `3-5, 9`.
fn ranges(lines: &BTreeSet<u32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = lines.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    parts.join(", ")
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

    #[test]
    fn recursive_and_broken_files_are_reported_without_stopping_the_run() {
        let rule = file(
            "p/r.rego",
            "package t.kubernetes.r\n\nmetadata := {\"id\": \"X1\"}\n\ndeny contains \"bad\" if input.bad\n",
        );
        let ok = file(
            "p/r_test.rego",
            "package t.kubernetes.r_test\n\nimport data.t.kubernetes.r\n\ntest_denies if { \"bad\" in r.deny with input as {\"bad\": true} }\n",
        );
        let recursive = file(
            "p/loop_test.rego",
            "package t.loop_test\n\nf(n) := f(n - 1)\n\ntest_loop if { f(3) == 0 }\n",
        );
        let unsafe_test = file(
            "p/unsafe_test.rego",
            "package t.unsafe_test\n\ntest_unsafe if { y == 1 }\n",
        );
        let unsafe_lib = file("p/lib.rego", "package t.lib.broken\n\nh if { q }\n");
        let report = run(&[rule, ok, recursive, unsafe_test, unsafe_lib], false);
        let names: Vec<_> = report
            .results
            .iter()
            .map(|r| (r.name.as_str(), &r.outcome))
            .collect();
        assert_eq!(
            names,
            vec![("data.t.kubernetes.r_test.test_denies", &Outcome::Pass)]
        );
        let mut errors: Vec<_> = report
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.line, e.column))
            .collect();
        errors.sort();
        assert_eq!(
            errors,
            vec![
                ("p/lib.rego", 3, 8),
                ("p/loop_test.rego", 3, 1),
                ("p/unsafe_test.rego", 3, 18)
            ]
        );
        assert!(!report.success());
    }

    #[test]
    fn coverage_is_merged_over_test_files_and_leaves_tests_out() {
        let rule = file(
            "p/r.rego",
            "package t.kubernetes.r\n\nmetadata := {\"id\": \"X1\"}\n\ndeny contains \"a\" if {\n  input.a\n}\n\ndeny contains \"b\" if {\n  input.b\n}\n",
        );
        let a = file(
            "p/a_test.rego",
            "package t.a_test\n\nimport data.t.kubernetes.r\n\ntest_a if { \"a\" in r.deny with input as {\"a\": true} }\n",
        );
        let report = run(&[rule.clone(), a.clone()], true);
        let cov = report.coverage.expect("requested");
        assert_eq!(cov.len(), 1, "{cov:?}");
        assert_eq!(cov[0].path, "p/r.rego");
        // regorus counts a body line as covered when it was evaluated, and a
        // rule head as covered when the rule produced a value.
        assert!(cov[0].covered.contains(&5), "{cov:?}");
        assert!(cov[0].not_covered.contains(&9), "{cov:?}");
        let b = file(
            "p/b_test.rego",
            "package t.b_test\n\nimport data.t.kubernetes.r\n\ntest_b if { \"b\" in r.deny with input as {\"b\": true} }\n",
        );
        let both = run(&[rule, a, b], true).coverage.expect("requested");
        assert!(
            both[0].covered.contains(&5) && both[0].covered.contains(&9),
            "{both:?}"
        );
        assert!(both[0].not_covered.is_empty(), "{both:?}");
        let text = render_coverage(&both);
        assert!(text.contains("p/r.rego"), "{text}");
        assert!(text.contains("total"), "{text}");
    }

    #[test]
    fn line_ranges_are_compact() {
        assert_eq!(
            ranges(&BTreeSet::from([3, 4, 5, 9, 11, 12])),
            "3-5, 9, 11-12"
        );
    }
}
