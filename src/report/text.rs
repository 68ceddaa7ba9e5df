//! The default, human-readable report: `path:line:col: ID [severity]
//! message`, a code frame with the span underlined, a help line, a summary.

use std::fmt::Write;

use super::Report;
use crate::finding::{Finding, Severity};

/// ANSI styling, used only when writing to a terminal (and `NO_COLOR` is unset).
#[derive(Clone, Copy)]
struct Style {
    on: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(self, s: Severity) -> String {
        let code = match s {
            Severity::Error | Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
        };
        self.paint(code, s.as_str())
    }
}

/// Renders the whole report.
pub fn render(report: &Report, colour: bool) -> String {
    let style = Style { on: colour };
    let mut out = String::new();
    for finding in report.findings {
        render_finding(&mut out, report, finding, style);
    }
    for err in report.policy_errors {
        let _ = writeln!(out, "{}: policy error: {err}", style.paint("1;31", "error"));
    }
    for err in report.rule_errors {
        let _ = writeln!(out, "{}: {err}", style.paint("1;31", "error"));
    }
    for warning in report.warnings {
        let line = warning.to_line();
        let _ = writeln!(
            out,
            "{}",
            line.replacen(
                "warning[",
                &format!("{}[", style.paint("1;33", "warning")),
                1
            )
        );
    }
    if !report.warnings.is_empty() {
        out.push('\n');
    }
    out.push_str(&summary(report, style));
    out.push_str(&baseline_lines(report));
    out
}

/// The uncoloured summary (and baseline) lines, for formats that end with
/// a line for the log (GitHub) or show it in a summary page.
pub fn summary_line(report: &Report) -> String {
    let mut out = summary(report, Style { on: false });
    out.push_str(&baseline_lines(report));
    out
}

/// What the baseline did in this run, under the summary.
fn baseline_lines(report: &Report) -> String {
    let mut out = String::new();
    if let Some(c) = &report.baseline.compared {
        let _ = write!(
            out,
            "Baseline {}: {} finding{} accepted",
            c.file,
            c.matched,
            plural(c.matched)
        );
        if c.fixed > 0 {
            let _ = write!(
                out,
                ", {} entr{} fixed since it was written (run with --write-baseline to drop {})",
                c.fixed,
                if c.fixed == 1 { "y" } else { "ies" },
                if c.fixed == 1 { "it" } else { "them" }
            );
        }
        out.push_str(".\n");
    }
    if let Some(w) = &report.baseline.written {
        let _ = writeln!(
            out,
            "Wrote {} finding{} to baseline {}.",
            w.entries,
            plural(w.entries),
            w.file
        );
    }
    out
}

fn render_finding(out: &mut String, report: &Report, f: &Finding, style: Style) {
    let start = f.start_pos();
    let _ = writeln!(
        out,
        "{}:{}:{}: {} [{}] {}",
        style.paint("1", &f.file.path.display().to_string()),
        start.line,
        start.column,
        style.paint("1", &f.rule_id),
        style.severity(f.severity),
        f.message
    );
    if let Some(s) = &f.suppression {
        let _ = writeln!(out, "  = suppressed: {}", s.justification);
    }
    code_frame(out, f, style);
    if let Some(rule) = report.catalogue.get(&f.rule_id)
        && !rule.fix.is_empty()
    {
        let _ = writeln!(out, "  = {}: {}", style.paint("1;36", "help"), rule.fix);
    }
    out.push('\n');
}

/// The offending line(s) with the span underlined. Multi-line spans show
/// their first line, underlined to its end.
fn code_frame(out: &mut String, f: &Finding, style: Style) {
    if f.file.text.is_empty() {
        return;
    }
    let start = f.start_pos();
    let end = f.end_pos();
    let line = f.file.line_text(start.line);
    let width = start.line.to_string().len();
    let gutter = " ".repeat(width);
    let first_col = start.column as usize - 1;
    let line_chars = line.chars().count();
    let last_col = if end.line == start.line {
        (end.column as usize - 1).max(first_col + 1)
    } else {
        line_chars.max(first_col + 1)
    };
    let shown: String = line.replace('\t', " ");
    let _ = writeln!(out, "{gutter} {}", style.paint("34", "|"));
    let _ = writeln!(
        out,
        "{} {} {shown}",
        style.paint("34", &start.line.to_string()),
        style.paint("34", "|")
    );
    let marks = "^".repeat(last_col.saturating_sub(first_col).max(1));
    let _ = writeln!(
        out,
        "{gutter} {} {}{}",
        style.paint("34", "|"),
        " ".repeat(first_col),
        style.paint("1;31", &marks)
    );
}

fn summary(report: &Report, style: Style) -> String {
    let active = report.active().count();
    let scanned = format!(
        "{} file{} ({} document{})",
        report.stats.files,
        plural(report.stats.files),
        report.stats.documents,
        plural(report.stats.documents)
    );
    let mut suppressed = if report.stats.suppressed > 0 {
        format!(", {} suppressed", report.stats.suppressed)
    } else {
        String::new()
    };
    let warnings = report.warnings.len();
    if warnings > 0 {
        suppressed.push_str(&format!(", {warnings} warning{}", plural(warnings)));
    }
    if active == 0 {
        return format!(
            "{} No findings in {scanned}{suppressed}.\n",
            style.paint("1;32", "✓")
        );
    }
    let parts: Vec<String> = report
        .by_severity()
        .iter()
        .map(|(s, n)| format!("{n} {}", style.severity(*s)))
        .collect();
    format!(
        "Found {active} finding{} ({}) in {scanned}{suppressed}.\n",
        plural(active),
        parts.join(", ")
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
