//! JUnit XML for CI test-report views (Jenkins, GitLab, Azure DevOps…):
//! one `<testsuite>` per file, one `<testcase>` per finding with
//! `classname` = the repository-relative path and `name` = `RULE at
//! line:col` (unique per file: GitLab keeps only the first of duplicate
//! names). Findings are `<failure>`s, unparseable files (`PARSE001`) and
//! broken rules `<error>`s, findings shown with `--show-suppressed`
//! `<skipped>`. A clean run has one passing testcase, so the report is
//! never empty. Warnings go to `<system-err>` of a `driftless` suite.

use std::collections::{BTreeMap, HashMap};

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::finding::Finding;
use crate::rules::fails_closed;

/// The name of the suite for run-level results (clean run, errors, warnings).
const RUN_SUITE: &str = "driftless";

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut junit = JunitReport::new("driftless");
    let mut suites: BTreeMap<String, (TestSuite, HashMap<String, usize>)> = BTreeMap::new();
    for f in report.findings {
        let path = report.repo_relative(&f.file.path);
        let (suite, names) = suites
            .entry(path.clone())
            .or_insert_with(|| (file_suite(&path), HashMap::new()));
        suite.add_test_case(test_case(report, f, &path, names));
    }
    junit.add_test_suites(suites.into_values().map(|(s, _)| s));
    if let Some(run) = run_suite(report) {
        junit.add_test_suite(run);
    }
    without_root_skipped(&junit.to_string().unwrap_or_default())
}

/// A suite for one file; the file is the suite's `file` attribute (where
/// the xUnit plugin's `junit-10.xsd` allows it; it has no `file` or `line`
/// on a testcase, whose line is in its name and failure text).
fn file_suite(path: &str) -> TestSuite {
    let mut suite = TestSuite::new(path);
    suite.extra.insert("file".into(), path.into());
    suite
}

/// The XML without `skipped` on `<testsuites>`, which quick-junit always
/// writes and the xUnit plugin's schema rejects (each `<testsuite>` keeps
/// its own `skipped` count, which the schema allows).
fn without_root_skipped(xml: &str) -> String {
    let Some(start) = xml.find("<testsuites") else {
        return xml.to_string();
    };
    let end = start + xml[start..].find('>').unwrap_or(0);
    let tag = &xml[start..end];
    let Some(attr) = tag.find(" skipped=\"") else {
        return xml.to_string();
    };
    let value_end = tag[attr + 10..]
        .find('"')
        .map_or(tag.len(), |i| attr + 10 + i + 1);
    format!("{}{}", &xml[..start + attr], &xml[start + value_end..])
}

fn test_case(
    report: &Report,
    f: &Finding,
    path: &str,
    names: &mut HashMap<String, usize>,
) -> TestCase {
    let start = f.start_pos();
    let mut name = format!("{} at {}:{}", f.rule_id, start.line, start.column);
    let seen = names.entry(name.clone()).or_insert(0);
    *seen += 1;
    if *seen > 1 {
        name = format!("{name} ({seen})");
    }
    let status = match &f.suppression {
        Some(s) => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("suppressed: {}", s.justification));
            status
        }
        None => {
            let kind = if fails_closed(&f.rule_id) {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            status
                .set_message(format!("[{}] {}", f.severity, f.message))
                .set_type(f.severity.as_str())
                .set_description(description(report, f, path));
            status
        }
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(path);
    case
}

/// The failure body: the location line every CI log viewer links, the
/// rule's title, how to fix it and where to read more.
fn description(report: &Report, f: &Finding, path: &str) -> String {
    let start = f.start_pos();
    let mut text = format!(
        "{path}:{}:{}: {} [{}] {}",
        start.line, start.column, f.rule_id, f.severity, f.message
    );
    if let Some(rule) = report.catalogue.get(&f.rule_id) {
        text.push_str(&format!("\nrule: {}", rule.title));
        if !rule.fix.is_empty() {
            text.push_str(&format!("\nhelp: {}", rule.fix));
        }
        text.push_str(&format!("\nsee: {}", rule.help_uri()));
    }
    text
}

/// Run-level results: a passing case when nothing is active, an error case
/// per broken rule or policy, and the warnings.
fn run_suite(report: &Report) -> Option<TestSuite> {
    let mut suite = TestSuite::new(RUN_SUITE);
    for (i, err) in report
        .policy_errors
        .iter()
        .map(|e| e.to_string())
        .chain(report.rule_errors.iter().map(|e| e.to_string()))
        .enumerate()
    {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(err.clone()).set_type("policy-error");
        let mut case = TestCase::new(format!("policy error {}", i + 1), status);
        case.set_classname(RUN_SUITE);
        suite.add_test_case(case);
    }
    if report.active().next().is_none() && suite.test_cases.is_empty() {
        let mut case = TestCase::new(
            format!(
                "no findings in {} file{}",
                report.stats.files,
                if report.stats.files == 1 { "" } else { "s" }
            ),
            TestCaseStatus::success(),
        );
        case.set_classname(RUN_SUITE);
        suite.add_test_case(case);
    }
    if !report.warnings.is_empty() {
        let lines: Vec<String> = report.warnings.iter().map(|w| w.to_line()).collect();
        suite.set_system_err(lines.join("\n"));
    }
    (!suite.test_cases.is_empty() || suite.system_err.is_some()).then_some(suite)
}
