//! The JSON report: a documented, stable shape for scripts
//! (`docs/json-report.md`). Fields are only ever added, never renamed.

use serde::Serialize;

use super::Report;
use crate::finding::{Finding, Related};

/// Schema version of the JSON report.
pub const JSON_REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<String>,
    /// Suppression and baseline problems (added in version 1; never affect
    /// the exit code).
    warnings: Vec<JsonWarning<'a>>,
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct JsonWarning<'a> {
    code: &'static str,
    path: String,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    severity: &'a str,
    title: &'a str,
    message: &'a str,
    path: String,
    start: Pos,
    end: Pos,
    kind: Option<&'static str>,
    document: &'a str,
    json_path: &'a str,
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Suppression<'a>>,
    /// Other places of the same decision (added in version 1, only when
    /// there are some).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    /// Where the value is written when the finding is located where it is
    /// used: the provenance chain, nearest first, the literal last (added
    /// in version 1, only when there are some).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sources: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    path: String,
    start: Pos,
    end: Pos,
}

#[derive(Serialize)]
struct Pos {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
struct Summary<'a> {
    files: usize,
    documents: usize,
    findings: usize,
    suppressed: usize,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a crate::baseline::Summary>,
}

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let json = JsonReport {
        version: JSON_REPORT_VERSION,
        tool: Tool {
            name: "driftless",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(|f| finding(report, f)).collect(),
        errors: report
            .policy_errors
            .iter()
            .map(|e| e.to_string())
            .chain(report.rule_errors.iter().map(|e| e.to_string()))
            .collect(),
        warnings: report
            .warnings
            .iter()
            .map(|w| JsonWarning {
                code: w.kind.code(),
                path: w.display_path(),
                line: w.position.map(|p| p.line),
                column: w.position.map(|p| p.column),
                message: &w.message,
            })
            .collect(),
        summary: Summary {
            files: report.stats.files,
            documents: report.stats.documents,
            findings: report.active().count(),
            suppressed: report.stats.suppressed,
            by_severity: report
                .by_severity()
                .into_iter()
                .map(|(s, n)| (s.as_str(), n))
                .collect(),
            warnings: report.warnings.len(),
            baseline: (report.baseline != Default::default()).then_some(&report.baseline),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}

fn finding<'a>(report: &'a Report, f: &'a Finding) -> JsonFinding<'a> {
    let (start, end) = (f.start_pos(), f.end_pos());
    let rule = report.catalogue.get(&f.rule_id);
    JsonFinding {
        rule_id: &f.rule_id,
        severity: f.severity.as_str(),
        title: rule.map(|r| r.title.as_str()).unwrap_or(""),
        message: &f.message,
        path: report.repo_relative(&f.file.path),
        start: Pos {
            line: start.line,
            column: start.column,
        },
        end: Pos {
            line: end.line,
            column: end.column,
        },
        kind: f.kind.map(|k| k.as_str()),
        document: &f.document,
        json_path: &f.json_path,
        help_uri: rule.map(|r| r.help_uri()),
        suppressed: f.suppression.as_ref().map(|s| Suppression {
            kind: match s.kind {
                crate::finding::SuppressionKind::InSource => "inSource",
                crate::finding::SuppressionKind::Baseline => "baseline",
            },
            justification: &s.justification,
        }),
        related: f.related.iter().map(|r| related(report, r)).collect(),
        sources: f.sources.iter().map(|r| related(report, r)).collect(),
    }
}

fn related<'a>(report: &Report, r: &'a Related) -> JsonRelated<'a> {
    let (start, end) = (r.start_pos(), r.end_pos());
    JsonRelated {
        message: &r.message,
        path: report.repo_relative(&r.file.path),
        start: Pos {
            line: start.line,
            column: start.column,
        },
        end: Pos {
            line: end.line,
            column: end.column,
        },
    }
}
