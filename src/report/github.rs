//! GitHub Actions workflow commands: each finding becomes an annotation on
//! the exact line of the PR diff (`::error file=…,line=…,col=…,endLine=…,
//! endColumn=…,title=…::message`), escaped as `@actions/core` does.
//! Critical/high (and PARSE001) are errors, medium warnings, low notices;
//! the most severe come first because GitHub shows only the first 10 of
//! each kind per step. A Markdown table of everything goes to
//! `$GITHUB_STEP_SUMMARY` ([`step_summary`]).

use std::fmt::Write;

use super::Report;
use crate::finding::{Finding, Severity};

/// Annotation command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error | Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// Escapes a message (`escapeData` in the toolkit).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`escapeProperty`): also `:` and `,`, which
/// delimit properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the workflow commands, then the text summary line for the log.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in report.most_severe_first() {
        out.push_str(&annotation(report, f));
    }
    for err in report
        .policy_errors
        .iter()
        .map(|e| e.to_string())
        .chain(report.rule_errors.iter().map(|e| e.to_string()))
    {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property("driftless policy error"),
            escape_data(&err)
        );
    }
    for w in report.warnings {
        let mut props = Vec::new();
        if !w.path.as_os_str().is_empty() {
            props.push(format!(
                "file={}",
                escape_property(&report.repo_relative(&w.path))
            ));
        }
        if let Some(p) = w.position {
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.utf16_column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("driftless {}", w.kind.code()))
        ));
        let _ = writeln!(
            out,
            "::warning {}::{}",
            props.join(","),
            escape_data(&w.message)
        );
    }
    out.push_str(&super::text::summary_line(report));
    out
}

fn annotation(report: &Report, f: &Finding) -> String {
    let (start, end) = (f.start_pos(), f.end_pos());
    let mut props = vec![
        format!(
            "file={}",
            escape_property(&report.repo_relative(&f.file.path))
        ),
        format!("line={}", start.line),
    ];
    // GitHub accepts columns only for single-line annotations.
    if end.line <= start.line {
        let end_col = end.utf16_column.max(start.utf16_column + 1);
        props.push(format!("col={}", start.utf16_column));
        props.push(format!("endLine={}", start.line));
        props.push(format!("endColumn={end_col}"));
    } else {
        props.push(format!("endLine={}", end.line));
    }
    let title = match report.catalogue.get(&f.rule_id) {
        Some(rule) => format!(
            "{} [{}] {}",
            f.rule_id,
            f.severity,
            rule.title.replace('`', "")
        ),
        None => format!("{} [{}]", f.rule_id, f.severity),
    };
    props.push(format!("title={}", escape_property(&title)));
    let mut message = f.message.clone();
    if let Some(rule) = report.catalogue.get(&f.rule_id)
        && !rule.fix.is_empty()
    {
        message.push_str(&format!("\nHow to fix: {}\n{}", rule.fix, rule.help_uri()));
    }
    format!(
        "::{} {}::{}\n",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// Most rows the step summary lists (GitHub caps a step summary at 1 MiB).
const SUMMARY_ROWS: usize = 500;

/// The Markdown appended to `$GITHUB_STEP_SUMMARY`: counts and a table of
/// every active finding, most severe first, plus the warnings.
pub fn step_summary(report: &Report) -> String {
    let mut md = String::from("## driftless\n\n");
    let findings = report.most_severe_first();
    let line = super::text::summary_line(report);
    if findings.is_empty() {
        let _ = writeln!(md, "✅ {}", line.trim_end().trim_start_matches("✓ "));
    } else {
        let _ = writeln!(md, "❌ {}", line.trim_end());
        md.push_str("\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
        for f in findings.iter().take(SUMMARY_ROWS) {
            let start = f.start_pos();
            let rule = match report.catalogue.get(&f.rule_id) {
                Some(r) => format!("[{}]({})", f.rule_id, r.help_uri()),
                None => f.rule_id.clone(),
            };
            let _ = writeln!(
                md,
                "| {} | {rule} | `{}:{}:{}` | {} |",
                f.severity,
                report.repo_relative(&f.file.path).replace('`', "'"),
                start.line,
                start.column,
                cell(&f.message)
            );
        }
        if findings.len() > SUMMARY_ROWS {
            let _ = writeln!(
                md,
                "\n…and {} more (see the full report).",
                findings.len() - SUMMARY_ROWS
            );
        }
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(
            md,
            "\n<details><summary>{} warning{}</summary>\n",
            report.warnings.len(),
            if report.warnings.len() == 1 { "" } else { "s" }
        );
        for w in report.warnings {
            let _ = writeln!(md, "- {}", cell(&w.to_line()));
        }
        md.push_str("\n</details>\n");
    }
    md.push('\n');
    md
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('\r', "")
        .replace('\n', "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn severities_map_to_commands() {
        assert_eq!(command(Severity::Critical), "error");
        assert_eq!(command(Severity::Error), "error");
        assert_eq!(command(Severity::High), "error");
        assert_eq!(command(Severity::Medium), "warning");
        assert_eq!(command(Severity::Low), "notice");
    }
}
