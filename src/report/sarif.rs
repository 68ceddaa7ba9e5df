//! SARIF 2.1.0 as GitHub code scanning reads it: one run, every rule with
//! help and `security-severity`, results with repository-relative URIs, full
//! 1-based regions (UTF-16 columns) and GitHub's line-hash fingerprints.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_sarif::sarif;

use super::Report;
use crate::document::SourceFile;
use crate::finding::{Finding, Severity, SuppressionKind, fingerprint};
use crate::rules::RuleInfo;

/// `$schema` of the log.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/driftless-dev/driftless";

/// What GitHub code scanning accepts and shows of one SARIF run
/// (docs.github.com, "SARIF support for code scanning" and "SARIF results
/// exceed limits"): an upload over a hard limit is rejected whole, and
/// beyond a display limit GitHub drops data by its own order. A log keeps
/// within the display limits so that what is dropped is our choice (the
/// least severe) and said.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Results per run: 25,000 rejects the upload; the top 5,000 are kept.
    pub results: usize,
    /// Locations per result: 1,000 rejects; 100 are shown.
    pub related_locations: usize,
    /// Tags per rule: 20 rejects; 10 are shown.
    pub tags: usize,
    /// Rules per run: 25,000 rejects.
    pub rules: usize,
    /// Bytes of the file: 10 MB (gzip-compressed) rejects; kept under it
    /// uncompressed, which is stricter.
    pub bytes: usize,
}

/// GitHub code scanning's limits.
pub const GITHUB_LIMITS: Limits = Limits {
    results: 5_000,
    related_locations: 100,
    tags: 10,
    rules: 25_000,
    bytes: 10_000_000,
};

/// What a log left out to stay within its [`Limits`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omitted {
    /// Results left out (the least severe).
    pub results: usize,
    /// Related locations left out of the results kept.
    pub related_locations: usize,
}

impl Omitted {
    /// One line for stderr saying what was left out and how to see it all,
    /// or `None` when the log is whole.
    pub fn notice(&self) -> Option<String> {
        if *self == Omitted::default() {
            return None;
        }
        Some(format!(
            "SARIF kept within GitHub code scanning's limits: {} less severe result(s) and {} related location(s) left out; `driftless scan -f json` (or -f text) lists everything",
            self.results, self.related_locations
        ))
    }
}

/// Renders the report as a SARIF log within GitHub's limits.
pub fn render(report: &Report) -> String {
    render_within(report, &GITHUB_LIMITS).0
}

/// What [`render`] leaves out of this report, as a line for stderr.
pub fn omission_notice(report: &Report) -> Option<String> {
    render_within(report, &GITHUB_LIMITS).1.notice()
}

/// Renders the report within `limits`: the most severe results first, and
/// fewer of them while the file is over its size limit.
pub fn render_within(report: &Report, limits: &Limits) -> (String, Omitted) {
    let mut cap = limits.results;
    loop {
        let (text, omitted) = render_capped(report, limits, cap);
        if text.len() <= limits.bytes || cap == 0 {
            return (text, omitted);
        }
        let scaled = cap as u128 * limits.bytes as u128 * 9 / 10 / text.len() as u128;
        cap = (scaled as usize).min(cap - 1);
    }
}

/// The findings a log of at most `cap` results keeps: active ones before
/// suppressed ones, most severe first (PARSE001/EVAL001 lead), in report
/// order otherwise; returned in report order.
fn kept<'a>(report: &Report<'a>, cap: usize) -> Vec<&'a Finding> {
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_by_key(|&i| {
        let f = &report.findings[i];
        (f.suppression.is_some(), std::cmp::Reverse(f.severity))
    });
    order.truncate(cap);
    order.sort_unstable();
    order.into_iter().map(|i| &report.findings[i]).collect()
}

fn render_capped(report: &Report, limits: &Limits, cap: usize) -> (String, Omitted) {
    let findings = kept(report, cap);
    let mut rules: Vec<&RuleInfo> = report.catalogue.iter().collect();
    if rules.len() > limits.rules {
        rules.retain(|r| findings.iter().any(|f| f.rule_id == r.id));
    }
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut omitted = Omitted {
        results: report.findings.len() - findings.len(),
        related_locations: 0,
    };
    let mut hashes = LineHashes::default();
    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| {
            omitted.related_locations +=
                (f.sources.len() + f.related.len()).saturating_sub(limits.related_locations);
            let rule_index = index.get(f.rule_id.as_str()).copied();
            result(report, f, rule_index, limits, &mut hashes)
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("driftless")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(
            rules
                .iter()
                .map(|r| descriptor(r, limits))
                .collect::<Vec<_>>(),
        )
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id("driftless/")
                .build(),
        )
        .column_kind(serde_json::json!("utf16CodeUnits"))
        .invocations(vec![invocation(report)])
        .build();
    if let Some(root) = &report.repo_root {
        let uri = file_uri(root);
        run.original_uri_base_ids = Some(BTreeMap::from([(
            "%SRCROOT%".to_string(),
            sarif::ArtifactLocation::builder().uri(uri).build(),
        )]));
    }
    if omitted != Omitted::default() {
        run.properties = Some(omitted_properties(report, &omitted));
    }
    let log = sarif::Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    (text, omitted)
}

/// The run's `properties.driftless/omitted`: what was left out, out of how
/// many, and how to see everything.
fn omitted_properties(report: &Report, omitted: &Omitted) -> sarif::PropertyBag {
    let value = serde_json::json!({
        "results": omitted.results,
        "totalResults": report.findings.len(),
        "relatedLocations": omitted.related_locations,
        "reason": "kept within GitHub code scanning's limits, most severe results first",
        "seeAll": "driftless scan -f json",
    });
    sarif::PropertyBag::builder()
        .additional_properties(BTreeMap::from([("driftless/omitted".to_string(), value)]))
        .build()
}

/// The run's invocation: whether it succeeded (no broken rule or policy)
/// and the tool's notifications — policy and rule errors, and warnings
/// about suppressions and the baseline, located where they were written.
fn invocation(report: &Report) -> sarif::Invocation {
    let errors = report
        .policy_errors
        .iter()
        .map(|e| e.to_string())
        .chain(report.rule_errors.iter().map(|e| e.to_string()))
        .map(|text| {
            sarif::Notification::builder()
                .message(sarif::Message::builder().text(text).build())
                .level(serde_json::json!("error"))
                .build()
        });
    let warnings = report.warnings.iter().map(|w| {
        let mut n = sarif::Notification::builder()
            .message(sarif::Message::builder().text(w.message.clone()).build())
            .level(serde_json::json!("warning"))
            .descriptor(
                sarif::ReportingDescriptorReference::builder()
                    .id(w.kind.code())
                    .build(),
            )
            .build();
        if !w.path.as_os_str().is_empty() {
            let mut physical = sarif::PhysicalLocation::builder()
                .artifact_location(
                    sarif::ArtifactLocation::builder()
                        .uri(percent_encode(&report.repo_relative(&w.path)))
                        .uri_base_id("%SRCROOT%")
                        .build(),
                )
                .build();
            if let Some(p) = w.position {
                physical.region = Some(
                    sarif::Region::builder()
                        .start_line(i64::from(p.line))
                        .start_column(i64::from(p.utf16_column))
                        .build(),
                );
            }
            n.locations = Some(vec![
                sarif::Location::builder()
                    .physical_location(physical)
                    .build(),
            ]);
        }
        n
    });
    let notifications: Vec<sarif::Notification> = errors.chain(warnings).collect();
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(report.policy_errors.is_empty() && report.rule_errors.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    invocation
}

/// SARIF level for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error | Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn result_level(s: Severity) -> sarif::ResultLevel {
    match level(s) {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error | Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn descriptor(rule: &RuleInfo, limits: &Limits) -> sarif::ReportingDescriptor {
    let mut tags = rule.tags.clone();
    tags.extend(rule.kinds.iter().map(|k| k.to_string()));
    if !tags.iter().any(|t| t == "security") {
        tags.insert(0, "security".into());
    }
    tags.truncate(limits.tags);
    let properties = sarif::PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            ("precision".to_string(), serde_json::json!("very-high")),
            (
                "security-severity".to_string(),
                serde_json::json!(security_severity(rule.severity)),
            ),
            (
                "problem.severity".to_string(),
                serde_json::json!(problem_severity(rule.severity)),
            ),
        ]))
        .build();
    sarif::ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.name.clone())
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(limit(&rule.title))
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(limit(&rule.why))
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(format!("{}\n\nHow to fix: {}", rule.why, rule.fix))
                .markdown(help_markdown(rule))
                .build(),
        )
        .help_uri(rule.help_uri())
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::json!(level(rule.severity)))
                .build(),
        )
        .properties(properties)
        .build()
}

fn problem_severity(s: Severity) -> &'static str {
    match level(s) {
        "error" => "error",
        "warning" => "warning",
        _ => "recommendation",
    }
}

/// GitHub rejects descriptions over 1024 characters.
fn limit(text: &str) -> String {
    if text.chars().count() <= 1000 {
        text.to_string()
    } else {
        let cut: String = text.chars().take(997).collect();
        format!("{cut}...")
    }
}

/// The rule's help as Markdown: why, how to fix, bad and good examples.
pub fn help_markdown(rule: &RuleInfo) -> String {
    let mut md = format!(
        "**{}** ({}, severity {})\n\n{}\n\n**How to fix:** {}\n",
        rule.title, rule.id, rule.severity, rule.why, rule.fix
    );
    if !rule.bad.is_empty() {
        md.push_str(&format!("\nBad:\n\n```\n{}```\n", rule.bad));
    }
    if !rule.good.is_empty() {
        md.push_str(&format!("\nGood:\n\n```\n{}```\n", rule.good));
    }
    md
}

/// Line hashes computed once per file, however many findings it has.
#[derive(Default)]
struct LineHashes {
    by_file: HashMap<*const SourceFile, Vec<String>>,
}

impl LineHashes {
    fn get(&mut self, file: &Arc<SourceFile>, line: u32) -> Option<String> {
        let hashes = self
            .by_file
            .entry(Arc::as_ptr(file))
            .or_insert_with(|| fingerprint::line_hashes(&file.text));
        hashes.get(line.saturating_sub(1) as usize).cloned()
    }
}

fn result(
    report: &Report,
    f: &Finding,
    rule_index: Option<usize>,
    limits: &Limits,
    hashes: &mut LineHashes,
) -> sarif::Result {
    let start = f.start_pos();
    let location = sarif::Location::builder()
        .physical_location(physical_location(report, &f.file, f.start, f.end))
        .build();
    let mut result = sarif::Result::builder()
        .rule_id(f.rule_id.clone())
        .level(result_level(f.severity))
        .message(sarif::Message::builder().text(f.message.clone()).build())
        .locations(vec![location])
        .build();
    if !f.sources.is_empty() || !f.related.is_empty() {
        result.related_locations = Some(related_locations(report, f, limits.related_locations));
    }
    result.rule_index = rule_index.map(|i| i as i64);
    result.properties = Some(
        sarif::PropertyBag::builder()
            .additional_properties(BTreeMap::from([(
                "severity".to_string(),
                serde_json::json!(f.severity.as_str()),
            )]))
            .build(),
    );
    if let Some(hash) = hashes.get(&f.file, start.line) {
        result.partial_fingerprints = Some(BTreeMap::from([(
            "primaryLocationLineHash".to_string(),
            hash,
        )]));
    }
    if let Some(s) = &f.suppression {
        result.suppressions = Some(vec![
            sarif::Suppression::builder()
                .kind(serde_json::json!(match s.kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::Baseline => "external",
                }))
                .status(serde_json::json!("accepted"))
                .justification(s.justification.clone())
                .build(),
        ]);
    }
    result
}

/// The file (relative to the repository root) and region of a span.
fn physical_location(
    report: &Report,
    file: &Arc<SourceFile>,
    start: usize,
    end: usize,
) -> sarif::PhysicalLocation {
    let (start, end) = (file.position(start), file.position(end));
    let region = sarif::Region::builder()
        .start_line(i64::from(start.line))
        .start_column(i64::from(start.utf16_column))
        .end_line(i64::from(end.line))
        .end_column(i64::from(end.utf16_column.max(if end.line == start.line {
            start.utf16_column + 1
        } else {
            1
        })))
        .build();
    sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(percent_encode(&report.repo_relative(&file.path)))
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build()
}

/// `relatedLocations` (code scanning shows them as links under the
/// alert), numbered from 1, at most `limit`: first where the value is
/// written (the finding's sources, "value written here"), then the other
/// places of the same decision.
fn related_locations(report: &Report, f: &Finding, limit: usize) -> Vec<sarif::Location> {
    let sources = f
        .sources
        .iter()
        .map(|r| (r, format!("value written here: {}", r.message)));
    let related = f.related.iter().map(|r| (r, r.message.clone()));
    sources
        .chain(related)
        .take(limit)
        .zip(1i64..)
        .map(|((r, text), id)| {
            sarif::Location::builder()
                .id(id)
                .physical_location(physical_location(report, &r.file, r.start, r.end))
                .message(sarif::Message::builder().text(text).build())
                .build()
        })
        .collect()
}

/// Percent-encodes a relative path for a URI reference (RFC 3986 path
/// characters stay, everything else — spaces, `%`, `#`, `?`, non-ASCII — is
/// encoded byte by byte). `:` is encoded too: in a relative reference's
/// first segment it would read as a URI scheme (`c:dir/x.tf`).
pub fn percent_encode(path: &str) -> String {
    encode(path, b"-._~/!$&'()*+,;=@")
}

/// `path` with every byte outside ASCII alphanumerics and `keep` encoded.
fn encode(path: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || keep.contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn file_uri(root: &std::path::Path) -> String {
    let mut text = root.to_string_lossy().replace('\\', "/");
    if !text.ends_with('/') {
        text.push('/');
    }
    if !text.starts_with('/') {
        text.insert(0, '/');
    }
    // absolute: a drive letter's `:` (`file:///C:/src/`) stays
    format!("file://{}", encode(&text, b"-._~/!$&'()*+,;=:@"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_spaces_and_unicode_but_not_slashes() {
        assert_eq!(percent_encode("a dir/ü#1.tf"), "a%20dir/%C3%BC%231.tf");
        assert_eq!(percent_encode("c:dir, x/%.tf"), "c%3Adir,%20x/%25.tf");
        assert_eq!(file_uri(std::path::Path::new("C:/src")), "file:///C:/src/");
    }
}
