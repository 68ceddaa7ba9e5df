//! `driftless test [DIR]...`: runs the `test_*` rules of Rego policies.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::engine;
use crate::report::write::print_stdout;

use super::{EXIT_CLEAN, EXIT_FINDINGS, usage_error};

/// Loads the policies and their tests (with the built-in libraries) and
/// runs every test, like `opa test`.
pub(super) fn run(dirs: &[PathBuf], coverage: bool) -> u8 {
    // A test of a rule that builds huge values stops like a scan does.
    let _watchdog = crate::memory::Watchdog::start(crate::memory::default_limit());
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let read = if dir.is_file() {
            std::fs::read_to_string(dir)
                .map(|t| vec![(dir.clone(), t)])
                .map_err(|e| e.to_string())
        } else {
            engine::policy::read_dir(dir).map_err(|e| e.to_string())
        };
        match read {
            Ok(read) => {
                for (path, text) in read {
                    match engine::policy::policy_file(path.display().to_string(), text, false) {
                        Ok(f) => files.push(f),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => return usage_error(&e),
        }
    }
    // Users' tests can use the built-in helper libraries unless they ship
    // their own copy of the same package.
    let packages: BTreeSet<String> = files.iter().map(|f| f.package.clone()).collect();
    files.extend(
        engine::policy::builtin()
            .into_iter()
            .filter(|f| f.role == engine::Role::Library && !packages.contains(&f.package)),
    );
    let mut report = engine::test_runner::run(&files, coverage);
    report.errors.splice(0..0, errors);
    print_stdout(&render_test_report(&report));
    if report.success() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// `driftless test` output: one line per test (PASS/FAIL/ERROR), the files
/// that could not be loaded, a summary, and coverage when asked for.
fn render_test_report(report: &engine::test_runner::TestReport) -> String {
    use engine::test_runner::Outcome;
    let mut out = String::new();
    for r in &report.results {
        out.push_str(&format!("{r}\n"));
    }
    for e in &report.errors {
        out.push_str(&format!("ERROR {e}\n"));
    }
    let pass = report.count(|o| *o == Outcome::Pass);
    let fail = report.count(|o| *o == Outcome::Fail);
    let error = report.count(|o| matches!(o, Outcome::Error(_)));
    out.push_str(&format!("{}\n", "-".repeat(40)));
    if report.results.is_empty() {
        out.push_str("no test_* rules found\n");
    }
    out.push_str(&format!(
        "{} tests: {pass} passed, {fail} failed, {error} errors",
        report.results.len()
    ));
    if !report.errors.is_empty() {
        out.push_str(&format!(
            "; {} policy files could not be loaded",
            report.errors.len()
        ));
    }
    out.push('\n');
    if let Some(cov) = &report.coverage {
        out.push_str(&engine::test_runner::render_coverage(cov));
    }
    out
}
