//! GitLab Code Quality: the JSON array GitLab reads from
//! `artifacts:reports:codequality` for the merge-request widget and diff
//! annotations. Each entry has a description (prefixed with the rule ID:
//! GitLab does not display `check_name`), the rule as `check_name`, a
//! fingerprint unique per finding and stable across line shifts, a
//! severity, the repository-relative path and the line range. Warnings
//! about suppressions are `info` entries so they show up in the MR too.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Report;
use crate::finding::{Finding, Severity, fingerprint};

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// Code Quality severity for a finding severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "blocker",
        Severity::Critical => "critical",
        Severity::High => "major",
        Severity::Medium => "minor",
        Severity::Low => "info",
    }
}

/// Renders the active findings (and warnings) as a Code Quality report
/// (UTF-8, no byte-order mark).
pub fn render(report: &Report) -> String {
    let active: Vec<&Finding> = report.active().collect();
    let prints = fingerprint::stable(&active, report.repo_root.as_deref());
    let mut issues: Vec<Issue> = active
        .iter()
        .zip(prints)
        .map(|(f, print)| issue(report, f, &print))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for w in report.warnings {
        let path = report.repo_relative(&w.path);
        let key = format!("{}\0{path}\0{}", w.kind.code(), w.message);
        let n = seen.entry(key.clone()).or_insert(0);
        *n += 1;
        let line = w.position.map_or(1, |p| p.line);
        issues.push(Issue {
            description: format!("driftless {}: {}", w.kind.code(), w.message),
            check_name: format!("driftless/{}", w.kind.code()),
            fingerprint: digest(&format!("{key}\0{n}")),
            severity: "info",
            location: Location {
                path,
                lines: Lines {
                    begin: line,
                    end: line,
                },
            },
        });
    }
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

fn issue(report: &Report, f: &Finding, print: &str) -> Issue {
    let (start, end) = (f.start_pos(), f.end_pos());
    Issue {
        description: format!("{}: {} [{}]", f.rule_id, f.message, f.severity),
        check_name: f.rule_id.clone(),
        fingerprint: digest(print),
        severity: severity(f.severity),
        location: Location {
            path: report.repo_relative(&f.file.path),
            lines: Lines {
                begin: start.line,
                end: end.line.max(start.line),
            },
        },
    }
}

/// 32 hex characters (the length of the MD5 sums GitLab's examples use).
fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
