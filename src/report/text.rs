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

/// What the text report shows (`--color`, `--quiet`, `--statistics`).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// ANSI colours.
    pub colour: bool,
    /// The summary and baseline lines at the end (off with `--quiet`).
    pub summary: bool,
    /// Each finding with its code frame (off with `--statistics`, which
    /// shows counts instead).
    pub findings: bool,
}

/// Renders the whole report.
pub fn render(report: &Report, colour: bool) -> String {
    render_with(
        report,
        Options {
            colour,
            summary: true,
            findings: true,
        },
    )
}

/// Renders the report with the parts `options` asks for; errors and
/// warnings are always shown.
pub fn render_with(report: &Report, options: Options) -> String {
    let style = Style { on: options.colour };
    let mut out = String::new();
    if options.findings {
        for finding in report.findings {
            render_finding(&mut out, report, finding, style);
        }
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
    if !report.warnings.is_empty() && options.summary {
        out.push('\n');
    }
    if options.summary {
        out.push_str(&summary(report, style));
        out.push_str(&baseline_lines(report));
    }
    out
}

/// `--statistics`: how many active findings each rule has, most first,
/// one `count  ID  [severity]  title` line each.
pub fn statistics(report: &Report) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
    for f in report.active() {
        let entry = counts.entry(&f.rule_id).or_insert((0, f.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(f.severity);
    }
    let mut rows: Vec<(&str, usize, Severity)> =
        counts.into_iter().map(|(id, (n, s))| (id, n, s)).collect();
    rows.sort_by_key(|&(id, n, _)| (std::cmp::Reverse(n), id));
    let width = rows
        .iter()
        .map(|r| r.1.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for (id, n, severity) in rows {
        let title = report
            .catalogue
            .get(id)
            .map(|r| r.title.replace('`', ""))
            .unwrap_or_default();
        let _ = writeln!(out, "{n:>width$}  {id:<8} [{severity}]  {title}");
    }
    if !out.is_empty() {
        out.push('\n');
    }
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
        style.paint("1", &sanitize(&report.repo_relative(&f.file.path))),
        start.line,
        start.column,
        style.paint("1", &f.rule_id),
        style.severity(f.severity),
        sanitize(&f.message)
    );
    if let Some(s) = &f.suppression {
        let _ = writeln!(out, "  = suppressed: {}", s.justification);
    }
    code_frame(out, f, style);
    related_lines(out, report, f);
    if let Some(rule) = report.catalogue.get(&f.rule_id)
        && !rule.fix.is_empty()
    {
        let _ = writeln!(out, "  = {}: {}", style.paint("1;36", "help"), rule.fix);
    }
    out.push('\n');
}

/// The other places of the same decision, one `= also:` line each, in the
/// same `path:line:col` form so terminals and editors can follow them.
fn related_lines(out: &mut String, report: &Report, f: &Finding) {
    for r in &f.related {
        let start = r.start_pos();
        let _ = writeln!(
            out,
            "  = also: {}:{}:{}: {}",
            sanitize(&report.repo_relative(&r.file.path)),
            start.line,
            start.column,
            sanitize(&r.message)
        );
    }
}

/// Characters of a line shown in a code frame: a minified plan is one line
/// of megabytes, and printing it once per finding would flood the console.
const FRAME_WIDTH: usize = 120;
/// Characters kept before the span when a long line is cut.
const FRAME_LEAD: usize = 40;

/// The offending line(s) with the span underlined. Multi-line spans show
/// their first line, underlined to its end. Long lines are cut to a window
/// around the span (`…` marks the cuts) and control characters are shown as
/// `�`, so file content cannot drive the terminal.
fn code_frame(out: &mut String, f: &Finding, style: Style) {
    if f.file.text.is_empty() {
        return;
    }
    let start = f.start_pos();
    let end = f.end_pos();
    let line = f.file.line_text(start.line);
    let line_start = f.file.line_start(start.line);
    let at = f.start.clamp(line_start, line_start + line.len()) - line_start;
    let at = floor_boundary(line, at);
    let (shown, first_col, line_chars) = window(line, at);
    let width = start.line.to_string().len();
    let gutter = " ".repeat(width);
    let last_col = if end.line == start.line {
        (first_col + end.column.saturating_sub(start.column) as usize).max(first_col + 1)
    } else {
        line_chars.max(first_col + 1)
    }
    .min(line_chars.max(first_col + 1));
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

/// The part of `line` to show around byte offset `at`: the text (cut marks
/// included, control characters replaced), the column of `at` in it
/// (0-based, in characters) and its length in characters.
fn window(line: &str, at: usize) -> (String, usize, usize) {
    let before: Vec<char> = line[..at].chars().rev().take(FRAME_LEAD + 1).collect();
    let cut_front = before.len() > FRAME_LEAD;
    let mut shown = String::new();
    let mut col = 0;
    if cut_front {
        shown.push('…');
        col += 1;
    }
    let lead = before.len().min(FRAME_LEAD);
    for c in before[..lead].iter().rev() {
        shown.push(printable(*c));
        col += 1;
    }
    let first_col = col;
    let mut rest = line[at..].chars();
    for c in rest.by_ref().take(FRAME_WIDTH.saturating_sub(lead)) {
        shown.push(printable(c));
        col += 1;
    }
    if rest.next().is_some() {
        shown.push('…');
        col += 1;
    }
    (shown, first_col, col)
}

/// Tabs and line breaks as one space (a finding stays on one line), other
/// control characters (terminal escapes) as `�`.
fn printable(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => ' ',
        c if c.is_control() => '\u{FFFD}',
        c => c,
    }
}

/// Text from input files (paths, messages quoting values) on one line, with
/// control characters replaced.
fn sanitize(text: &str) -> String {
    text.chars().map(printable).collect()
}

/// The nearest char boundary at or before `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let (shown, col, len) = window("FROM ubuntu:latest", 5);
        assert_eq!((shown.as_str(), col, len), ("FROM ubuntu:latest", 5, 18));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("{}TARGET{}", "a".repeat(10_000), "b".repeat(10_000));
        let (shown, col, len) = window(&line, 10_000);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert_eq!(
            &shown[shown.char_indices().nth(col).unwrap().0..][..6],
            "TARGET"
        );
        assert_eq!(col, FRAME_LEAD + 1);
        assert_eq!(len, FRAME_WIDTH + 2);
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let (shown, _, _) = window("image: \u{1b}]0;pwned\u{7}x\tb", 0);
        assert_eq!(shown, "image: \u{FFFD}]0;pwned\u{FFFD}x b");
    }
}
