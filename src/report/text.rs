//! The default, human-readable report: `path:line:col: ID [severity]
//! message`, a code frame with the span underlined, a help line, a summary.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

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

/// Where the value is written (one `= written:` line per step of its
/// provenance chain, nearest first) and the other places of the same
/// decision (one `= also:` line each), in the same `path:line:col` form so
/// terminals and editors can follow them.
fn related_lines(out: &mut String, report: &Report, f: &Finding) {
    let sources = f.sources.iter().map(|r| ("written", r));
    let related = f.related.iter().map(|r| ("also", r));
    for (label, r) in sources.chain(related) {
        let start = r.start_pos();
        let _ = writeln!(
            out,
            "  = {label}: {}:{}:{}: {}",
            sanitize(&report.repo_relative(&r.file.path)),
            start.line,
            start.column,
            sanitize(&r.message)
        );
    }
}

/// Columns a code frame may take: longer lines are cut around the span by
/// the renderer (`...` marks the cuts).
const FRAME_WIDTH: usize = 120;
/// Bytes of a line handed to the renderer on each side of the span: a
/// minified plan is one line of megabytes, and the renderer would measure
/// all of it once per finding.
const FRAME_SLACK: usize = 1_000;

/// The offending line with the span underlined, rendered by
/// `annotate-snippets` (rustc's and ruff's renderer), which measures
/// columns by display width, so carets stay under emoji and CJK text.
/// Multi-line spans show their first line, underlined to its end; control
/// characters are shown as `�`, so file content cannot drive the terminal.
fn code_frame(out: &mut String, f: &Finding, style: Style) {
    if f.file.text.is_empty() {
        return;
    }
    let start = f.start_pos();
    let line = f.file.line_text(start.line);
    let line_start = f.file.line_start(start.line);
    let within = |offset: usize| offset.clamp(line_start, line_start + line.len()) - line_start;
    let from = floor_boundary(line, within(f.start));
    let to = floor_boundary(line, within(f.end)).max(from);
    let (text, from, to) = frame_text(line, from, to);
    let renderer = if style.on {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .term_width(FRAME_WIDTH);
    let report = &[Group::with_level(Level::ERROR).element(
        Snippet::source(&text)
            .line_start(start.line as usize)
            .annotation(AnnotationKind::Primary.span(from..to)),
    )];
    out.push_str(&renderer.render(report));
    out.push('\n');
}

/// The part of `line` the renderer gets — at most [`FRAME_SLACK`] bytes on
/// each side of the span and of the span itself — with control characters
/// other than tabs replaced, and the span's byte range in it.
fn frame_text(line: &str, from: usize, to: usize) -> (String, usize, usize) {
    let lo = floor_boundary(line, from.saturating_sub(FRAME_SLACK));
    let to = floor_boundary(line, to.min(from + FRAME_SLACK));
    let hi = floor_boundary(line, (to + FRAME_SLACK).min(line.len()));
    let mut text = String::with_capacity(hi - lo);
    let (mut new_from, mut new_to) = (0, 0);
    for (i, c) in line[lo..hi].char_indices() {
        if lo + i == from {
            new_from = text.len();
        }
        if lo + i == to {
            new_to = text.len();
        }
        text.push(if c == '\t' { c } else { printable(c) });
    }
    if to >= hi {
        new_to = text.len();
    }
    if from >= hi {
        new_from = text.len();
    }
    (text, new_from, new_to.max(new_from))
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

    use std::sync::Arc;

    use crate::document::SourceFile;

    /// The code frame of a finding spanning `needle` (its first match) in
    /// a one-line Dockerfile.
    fn frame(line: &str, needle: &str) -> String {
        let file = Arc::new(SourceFile::new("Dockerfile", format!("{line}\n")));
        let mut f = crate::suppress::tests::finding(&file, "TAG001", needle);
        f.start = line.find(needle).unwrap();
        f.end = f.start + needle.len();
        let mut out = String::new();
        code_frame(&mut out, &f, Style { on: false });
        out
    }

    /// The frame's source line and caret line.
    fn lines(frame: &str) -> (String, String) {
        let l: Vec<&str> = frame.lines().collect();
        (l[1].to_string(), l[2].to_string())
    }

    /// The display column (0-based, by char width) where `needle` starts.
    fn column_of(line: &str, needle: &str) -> usize {
        let at = line.find(needle).unwrap();
        line[..at]
            .chars()
            .map(|c| if c.len_utf8() >= 3 { 2 } else { 1 })
            .sum()
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let (source, carets) = lines(&frame("FROM ubuntu:latest", "ubuntu:latest"));
        assert_eq!(source, "1 | FROM ubuntu:latest");
        assert_eq!(carets, "  |      ^^^^^^^^^^^^^");
    }

    #[test]
    fn carets_stay_under_wide_characters() {
        for (line, needle) in [
            ("LABEL note=\"🚀🚀 ship\" img=\"app:latest\"", "app:latest"),
            (
                "LABEL 説明=\"日本語のテキスト\" img=app:latest",
                "app:latest",
            ),
            ("FROM 🚀:latest", "🚀:latest"),
        ] {
            let (source, carets) = lines(&frame(line, needle));
            let gutter = "1 | ".len();
            let col = column_of(&source[gutter..], needle);
            let first = carets.find('^').unwrap() - gutter;
            assert_eq!(first, col, "{source}\n{carets}");
            let width = column_of(&format!("{needle}|"), "|");
            assert_eq!(
                carets.trim_end().len() - gutter - first,
                width,
                "{source}\n{carets}"
            );
        }
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("FROM {}TARGET{}", "a".repeat(10_000), "b".repeat(10_000));
        let (source, carets) = lines(&frame(&line, "TARGET"));
        assert!(
            source.contains("...") && source.chars().count() <= FRAME_WIDTH + 8,
            "{source}"
        );
        let at = source.find("TARGET").unwrap();
        assert_eq!(carets.find('^'), Some(at), "{source}\n{carets}");
        assert_eq!(carets.trim_end().len() - at, 6);
    }

    #[test]
    fn control_characters_cannot_reach_the_terminal() {
        let text = frame("LABEL a=\u{1b}]0;pwned\u{7}x b=app:latest", "app:latest");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("\u{FFFD}]0;pwned\u{FFFD}x"), "{text}");
        let (source, carets) = lines(&text);
        assert_eq!(
            carets.find('^'),
            source.find("app:latest").map(|i| i - 2 * 2),
            "{source}\n{carets}"
        );
    }
}
