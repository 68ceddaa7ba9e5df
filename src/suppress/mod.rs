//! Inline suppressions: `# driftless:ignore[TAG001,SSH003] reason
//! until=2027-03-31` in HCL, YAML and Dockerfile comments, and the
//! `driftless.io/ignore` annotation on Kubernetes objects.
//!
//! A suppression is honoured only when it names known rule IDs, gives a
//! reason and has not expired; otherwise it does not suppress and a warning
//! says why. A suppression that matched nothing is reported as unused.
//! Matching is a sweep per file and rule over findings and scopes sorted by
//! offset, so the cost grows with findings plus suppressions, not their
//! product.

pub mod annotation;
pub mod date;
mod dockerfile;
pub mod grammar;
mod hcl;
mod yaml;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use annotation::{Annotation, annotation};
pub use date::Date;

use crate::discover::{self, FileKind};
use crate::document::SourceFile;
use crate::finding::{Finding, Suppressed, SuppressionKind};
use crate::rules::{Catalogue, fails_closed};
use crate::warning::{Warning, WarningKind};

/// A suppression comment found by a syntax module: where it is, its text
/// after the comment marker, and the bytes it covers (empty when it is
/// attached to nothing, e.g. followed by a blank line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub offset: usize,
    pub text: String,
    pub scope: Range<usize>,
}

/// The bytes of lines `first..=last` (1-based), line terminators included.
fn lines_range(file: &SourceFile, first: u32, last: u32) -> Range<usize> {
    file.line_start(first)..file.line_start(last + 1)
}

/// The line a new suppression comment for a finding on `line` goes above:
/// the line itself, except inside a Dockerfile heredoc, whose lines are the
/// script's, not comments: there, the instruction that opens it.
pub fn comment_line_for(file: &SourceFile, line: u32) -> u32 {
    match discover::classify(&file.path) {
        Some(FileKind::Dockerfile) => dockerfile::comment_line_for(file, line),
        _ => line,
    }
}

/// The suppression comments of a file, by its syntax (JSON has no comments).
pub fn candidates(file: &SourceFile) -> Vec<Candidate> {
    if !file.text.contains("driftless") {
        return Vec::new();
    }
    match discover::classify(&file.path) {
        Some(FileKind::Dockerfile) => dockerfile::candidates(file),
        Some(FileKind::Yaml) => yaml::candidates(file),
        Some(FileKind::Terraform | FileKind::TerraformVars) if !is_json(&file.path) => {
            hcl::candidates(file)
        }
        _ => Vec::new(),
    }
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// What the suppression pass needs to know besides the findings.
pub struct Options<'a> {
    /// Rule IDs are checked against it (typos do not silently suppress nothing).
    pub catalogue: &'a Catalogue,
    /// The rules this run evaluated: a suppression of a rule that did not
    /// run (a strict rule without `--strict`) is not reported as unused.
    pub enabled: Option<&'a BTreeSet<String>>,
    /// Suppressions with `until=` before this date have expired.
    pub today: Date,
}

/// A suppression that will be honoured.
struct Directive {
    file: Arc<SourceFile>,
    offset: usize,
    ids: Vec<String>,
    justification: String,
    scope: Range<usize>,
    used: Vec<bool>,
}

/// Applies the suppressions in `sources` (the files the scan read) and the
/// objects' annotations to `findings`, marking the suppressed ones, and
/// returns warnings for suppressions that are invalid, expired or unused.
pub fn apply(
    findings: &mut [Finding],
    sources: &[Arc<SourceFile>],
    annotations: &[Annotation],
    options: &Options,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut directives = Vec::new();
    // one file per path, the last listed; read in path order, and only
    // those that can hold a suppression (a scan lists thousands)
    let mut last: HashMap<&Path, &Arc<SourceFile>> = HashMap::with_capacity(sources.len());
    for file in sources {
        last.insert(file.path.as_path(), file);
    }
    let mut unique: Vec<&Arc<SourceFile>> = last
        .into_values()
        .filter(|f| f.text.contains("driftless"))
        .collect();
    crate::repo::sort_by_path(&mut unique, |file| (file.path.as_path(), ()));
    for file in unique {
        for c in candidates(file) {
            if let Some(parsed) = grammar::parse_comment(&c.text) {
                let place = Place {
                    file,
                    offset: c.offset,
                    scope: c.scope,
                };
                accept(parsed, place, options, &mut directives, &mut warnings);
            }
        }
    }
    for a in annotations {
        let Some(value) = &a.value else {
            warnings.push(Warning::at(
                WarningKind::InvalidSuppression,
                &a.file,
                a.offset,
                format!("the `{}` annotation must be a string", annotation::KEY),
            ));
            continue;
        };
        for parsed in annotation::entries(value) {
            let place = Place {
                file: &a.file,
                offset: a.offset,
                scope: a.scope.clone(),
            };
            accept(parsed, place, options, &mut directives, &mut warnings);
        }
    }
    mark(findings, &mut directives);
    warnings.extend(unused(&directives, options));
    warnings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    warnings
}

/// Where a suppression was written and what it covers.
struct Place<'a> {
    file: &'a Arc<SourceFile>,
    offset: usize,
    scope: Range<usize>,
}

/// Checks a parsed suppression; a valid one becomes a directive, anything
/// else a warning saying why it does not suppress.
fn accept(
    parsed: Result<grammar::Parsed, String>,
    place: Place,
    options: &Options,
    directives: &mut Vec<Directive>,
    warnings: &mut Vec<Warning>,
) {
    let warn = |kind, message: String| Warning::at(kind, place.file, place.offset, message);
    let parsed = match parsed {
        Ok(p) => p,
        Err(why) => {
            warnings.push(warn(WarningKind::InvalidSuppression, why));
            return;
        }
    };
    if let Err(why) = check_ids(&parsed.ids, options.catalogue) {
        warnings.push(warn(
            WarningKind::InvalidSuppression,
            format!("{why}; this suppression does not suppress anything"),
        ));
        return;
    }
    if let Some(until) = parsed.until
        && until < options.today
    {
        warnings.push(warn(
            WarningKind::ExpiredSuppression,
            format!(
                "suppression of {} expired on {until}: the finding is reported again (fix it, or renew the suppression with a new date and reason)",
                parsed.ids.join(", ")
            ),
        ));
        return;
    }
    let justification = match parsed.until {
        Some(until) => format!("{} (until {until})", parsed.reason),
        None => parsed.reason,
    };
    directives.push(Directive {
        file: place.file.clone(),
        offset: place.offset,
        used: vec![false; parsed.ids.len()],
        ids: parsed.ids,
        justification,
        scope: place.scope,
    });
}

/// Every ID must be a known rule, and `PARSE001`/`EVAL001` cannot be
/// silenced: what could not be read or evaluated must not pass the gate.
fn check_ids(ids: &[String], catalogue: &Catalogue) -> Result<(), String> {
    for id in ids {
        if fails_closed(id) {
            return Err(format!(
                "{id} cannot be suppressed inline (exclude the file in .driftless.yaml, or ignore {id} there, where reviewers see it)"
            ));
        }
        if !catalogue.contains(id) {
            let hint = crate::suggest::did_you_mean(id, catalogue.iter().map(|r| r.id.as_str()))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!("unknown rule ID `{id}`{hint}"));
        }
    }
    Ok(())
}

/// One scope of one rule in one file, in sweep order.
struct Interval {
    start: usize,
    end: usize,
    directive: usize,
    id: usize,
}

/// Marks each finding covered by a directive of its rule, sweeping per
/// (file, rule) over findings and scopes sorted by start offset. Every
/// directive covering a finding counts as used; the innermost (latest
/// start) gives the justification.
fn mark(findings: &mut [Finding], directives: &mut [Directive]) {
    let mut intervals: HashMap<(PathBuf, String), Vec<Interval>> = HashMap::new();
    for (d, dir) in directives.iter().enumerate() {
        for (i, id) in dir.ids.iter().enumerate() {
            intervals
                .entry((dir.file.path.clone(), id.clone()))
                .or_default()
                .push(Interval {
                    start: dir.scope.start,
                    end: dir.scope.end,
                    directive: d,
                    id: i,
                });
        }
    }
    let mut groups: HashMap<(PathBuf, String), Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.suppression.is_none() && !fails_closed(&f.rule_id) {
            groups
                .entry((f.file.path.clone(), f.rule_id.clone()))
                .or_default()
                .push(i);
        }
    }
    let mut hits: Vec<(usize, usize)> = Vec::new();
    let mut used: Vec<(usize, usize)> = Vec::new();
    for (key, mut members) in groups {
        let Some(list) = intervals.get_mut(&key) else {
            continue;
        };
        list.sort_by_key(|iv| (iv.start, std::cmp::Reverse(iv.end)));
        members.sort_by_key(|&i| findings[i].start);
        sweep(findings, &members, list, &mut hits, &mut used);
    }
    for (d, i) in used {
        directives[d].used[i] = true;
    }
    for (finding, d) in hits {
        findings[finding].suppression = Some(Suppressed {
            justification: directives[d].justification.clone(),
            kind: SuppressionKind::InSource,
        });
    }
}

fn sweep(
    findings: &[Finding],
    members: &[usize],
    intervals: &[Interval],
    hits: &mut Vec<(usize, usize)>,
    used: &mut Vec<(usize, usize)>,
) {
    let mut next = 0;
    let mut active: Vec<&Interval> = Vec::new();
    for &m in members {
        let at = findings[m].start;
        while next < intervals.len() && intervals[next].start <= at {
            active.push(&intervals[next]);
            next += 1;
        }
        active.retain(|iv| iv.end > at);
        let Some(inner) = active
            .iter()
            .max_by_key(|iv| (iv.start, std::cmp::Reverse(iv.end)))
        else {
            continue;
        };
        hits.push((m, inner.directive));
        used.extend(active.iter().map(|iv| (iv.directive, iv.id)));
    }
}

/// Warnings for rule IDs of honoured suppressions that matched nothing
/// (only for rules that ran: a strict rule's suppression is not unused
/// when strict rules are off).
fn unused(directives: &[Directive], options: &Options) -> Vec<Warning> {
    let mut out = Vec::new();
    for d in directives {
        let idle: Vec<&str> = d
            .ids
            .iter()
            .zip(&d.used)
            .filter(|(id, used)| !**used && options.enabled.is_none_or(|e| e.contains(*id)))
            .map(|(id, _)| id.as_str())
            .collect();
        if idle.is_empty() {
            continue;
        }
        let what = if idle.len() == d.ids.len() {
            "suppression matches no finding".to_string()
        } else {
            "part of this suppression matches no finding".to_string()
        };
        out.push(Warning::at(
            WarningKind::UnusedSuppression,
            &d.file,
            d.offset,
            format!("{what}: nothing here is reported as {} (remove it, or move it to the finding's line or block)", idle.join(", ")),
        ));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::rules::RuleInfo;

    /// (first line, last line) of each candidate's scope in `text`, `(0, 0)`
    /// for a candidate without one: what the per-format tests assert.
    pub(crate) fn scope_lines(
        name: &str,
        text: &str,
        candidates: fn(&SourceFile) -> Vec<Candidate>,
    ) -> Vec<(u32, u32)> {
        let file = SourceFile::new(name, text);
        candidates(&file)
            .iter()
            .map(|c| {
                if c.scope.is_empty() {
                    return (0, 0);
                }
                (
                    file.position(c.scope.start).line,
                    file.position(c.scope.end - 1).line,
                )
            })
            .collect()
    }

    /// A catalogue with a few rules, built in code (no YAML loader needed).
    pub(crate) fn catalogue() -> Catalogue {
        let mut c = Catalogue::default();
        for (id, severity) in [
            ("TAG001", Severity::High),
            ("TAG003", Severity::Low),
            ("SSH001", Severity::Critical),
            ("SSH003", Severity::High),
            ("UPD006", Severity::Medium),
            ("PARSE001", Severity::Error),
        ] {
            c.insert(RuleInfo {
                id: id.into(),
                name: format!("Rule{id}"),
                title: format!("title of {id}"),
                severity,
                strict: id == "TAG003",
                kinds: vec![crate::document::Kind::Dockerfile],
                tags: vec![],
                why: format!("why {id}"),
                fix: format!("fix {id}"),
                bad: String::new(),
                good: String::new(),
                custom: false,
            });
        }
        c
    }

    /// A finding of `rule` at the first occurrence of `needle` in `file`.
    pub(crate) fn finding(file: &Arc<SourceFile>, rule: &str, needle: &str) -> Finding {
        let start = file.text.find(needle).expect("needle in text");
        Finding {
            rule_id: rule.into(),
            severity: Severity::High,
            message: format!("{rule} here"),
            file: file.clone(),
            start,
            end: start + needle.len(),
            kind: None,
            document: String::new(),
            json_path: String::new(),
            suppression: None,
            related: Vec::new(),
            identity: None,
            sources: Vec::new(),
        }
    }

    fn today() -> Date {
        Date::parse("2026-06-01").unwrap()
    }

    fn run(files: &[Arc<SourceFile>], findings: &mut [Finding]) -> Vec<String> {
        let cat = catalogue();
        let enabled: BTreeSet<String> = ["TAG001", "SSH001", "SSH003", "UPD006"]
            .map(String::from)
            .into();
        let options = Options {
            catalogue: &cat,
            enabled: Some(&enabled),
            today: today(),
        };
        apply(findings, files, &[], &options)
            .iter()
            .map(Warning::to_line)
            .collect()
    }

    const DOCKERFILE: &str = "\
# driftless:ignore[TAG001] builder image is throwaway until=2026-12-31
FROM golang:latest AS build
RUN make
FROM alpine:latest
# driftless:ignore[UPD006] nightly rebuild
RUN apk upgrade
# driftless:ignore[SSH003]
EXPOSE 22
# driftless:ignore[TAG01] typo
RUN true
# driftless:ignore[SSH001] expired until=2026-01-31
RUN true
# driftless:ignore[TAG001,SSH003] only one of them is used
FROM nginx:latest
";

    #[test]
    fn honours_valid_suppressions_and_explains_the_rest() {
        let file = Arc::new(SourceFile::new("app/Dockerfile", DOCKERFILE));
        let mut findings = vec![
            finding(&file, "TAG001", "golang:latest"),
            finding(&file, "TAG001", "alpine:latest"),
            finding(&file, "UPD006", "apk upgrade"),
            finding(&file, "SSH003", "EXPOSE 22"),
            finding(&file, "TAG001", "nginx:latest"),
        ];
        let warnings = run(std::slice::from_ref(&file), &mut findings);
        let suppressed: Vec<Option<&str>> = findings
            .iter()
            .map(|f| f.suppression.as_ref().map(|s| s.justification.as_str()))
            .collect();
        assert_eq!(
            suppressed,
            vec![
                Some("builder image is throwaway (until 2026-12-31)"),
                None,
                Some("nightly rebuild"),
                None,
                Some("only one of them is used"),
            ]
        );
        assert_eq!(warnings.len(), 4, "{warnings:#?}");
        assert!(
            warnings[0]
                .starts_with("app/Dockerfile:7:1: warning[invalid-suppression]: missing reason"),
            "{}",
            warnings[0]
        );
        assert!(warnings[1].starts_with("app/Dockerfile:9:1: warning[invalid-suppression]: unknown rule ID `TAG01` (did you mean `TAG001`?)"), "{}", warnings[1]);
        assert!(warnings[2].starts_with("app/Dockerfile:11:1: warning[expired-suppression]: suppression of SSH001 expired on 2026-01-31"), "{}", warnings[2]);
        assert!(warnings[3].starts_with("app/Dockerfile:13:1: warning[unused-suppression]: part of this suppression matches no finding: nothing here is reported as SSH003"), "{}", warnings[3]);
    }

    #[test]
    fn rules_that_did_not_run_are_not_unused_and_parse_errors_stay() {
        let text = "# driftless:ignore[TAG003] digest pinning comes later\nFROM a:1\n# driftless:ignore[PARSE001] broken on purpose\nRUN x\n";
        let file = Arc::new(SourceFile::new("Dockerfile", text));
        let mut findings = vec![finding(&file, "PARSE001", "RUN x")];
        let warnings = run(&[file], &mut findings);
        assert!(findings[0].suppression.is_none());
        assert_eq!(warnings.len(), 1, "{warnings:#?}");
        assert!(
            warnings[0].contains("PARSE001 cannot be suppressed"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn annotations_cover_their_object() {
        let text = "kind: Pod\nmetadata:\n  annotations:\n    driftless.io/ignore: x\nspec:\n  image: a:latest\n---\nkind: Pod\nimage: b:latest\n";
        let file = Arc::new(SourceFile::new("k.yaml", text));
        let mut findings = vec![
            finding(&file, "TAG001", "a:latest"),
            finding(&file, "TAG001", "b:latest"),
        ];
        let annotation = Annotation {
            file: file.clone(),
            offset: text.find("x\n").unwrap(),
            value: Some("TAG001: promoted by digest; SSH003: no ssh here".into()),
            scope: 0..text.find("---").unwrap(),
        };
        let cat = catalogue();
        let options = Options {
            catalogue: &cat,
            enabled: None,
            today: today(),
        };
        let warnings = apply(&mut findings, &[file], &[annotation], &options);
        assert_eq!(
            findings[0].suppression.as_ref().unwrap().justification,
            "promoted by digest"
        );
        assert!(findings[1].suppression.is_none());
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0]
                .to_line()
                .starts_with("k.yaml:4:26: warning[unused-suppression]"),
            "{}",
            warnings[0].to_line()
        );
    }

    #[test]
    fn many_findings_and_suppressions_match_in_linear_time() {
        let mut text = String::new();
        let mut starts = Vec::new();
        for i in 0..20_000 {
            text.push_str(&format!("# driftless:ignore[TAG001] reason {i}\n"));
            starts.push(text.len());
            text.push_str(&format!("FROM img{i}:latest\n"));
        }
        let file = Arc::new(SourceFile::new("Dockerfile", text));
        let template = finding(&file, "TAG001", "FROM");
        let mut findings: Vec<Finding> = starts
            .iter()
            .map(|&start| Finding {
                start,
                end: start + 4,
                ..template.clone()
            })
            .collect();
        let started = std::time::Instant::now();
        let warnings = run(&[file], &mut findings);
        assert!(warnings.is_empty());
        assert!(findings.iter().all(|f| f.suppression.is_some()));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    /// The end-to-end fixtures (tests/gate.rs) with findings placed by hand
    /// where the parsers will put them: the suppression logic is checked here
    /// even before the parsers exist.
    #[test]
    fn gate_fixtures_suppress_what_they_document() {
        let docker = Arc::new(SourceFile::new(
            "fixtures/gate/inline/Dockerfile",
            include_str!("../../fixtures/gate/inline/Dockerfile"),
        ));
        let k8s = Arc::new(SourceFile::new(
            "fixtures/gate/inline/k8s.yaml",
            include_str!("../../fixtures/gate/inline/k8s.yaml"),
        ));
        let tf = Arc::new(SourceFile::new(
            "fixtures/gate/inline/main.tf",
            include_str!("../../fixtures/gate/inline/main.tf"),
        ));
        let mut findings = vec![
            finding(&docker, "TAG001", "node:latest"),
            finding(&docker, "TAG002", "redis"),
            finding(&docker, "TAG001", "python:latest"),
            finding(&docker, "TAG001", "ruby:latest"),
            finding(&docker, "TAG001", "nginx:latest"),
            finding(&k8s, "TAG001", "vendor/a:latest"),
            finding(&k8s, "TAG001", "vendor/b:latest"),
            finding(&k8s, "TAG001", "app/block:latest"),
            finding(&k8s, "TAG001", "app/above:latest"),
            finding(&k8s, "TAG001", "app/same:latest"),
            finding(&k8s, "TAG001", "app/active:latest"),
            finding(&k8s, "TAG001", "debug:latest"),
            finding(&k8s, "TAG002", "busybox"),
            finding(&tf, "TAG001", "ghcr.io/example/sandbox:latest"),
            finding(&tf, "TAG002", "\"redis\""),
            finding(&tf, "TAG001", "nginx:latest"),
            finding(&tf, "TAG001", "busybox:latest"),
        ];
        let k8s_text = &k8s.text;
        let annotated = k8s_text.find("name: annotated").unwrap();
        let annotation = Annotation {
            file: k8s.clone(),
            offset: k8s_text.find("\"TAG001: debug").unwrap(),
            value: Some("TAG001: debug pod, deleted after the incident; TAG002: busybox comes from the node image".into()),
            scope: annotated - 20..k8s_text.len(),
        };
        let mut cat = catalogue();
        cat.insert(RuleInfo {
            id: "TAG002".into(),
            ..cat.get("TAG001").unwrap().clone()
        });
        let options = Options {
            catalogue: &cat,
            enabled: None,
            today: today(),
        };
        let warnings = apply(&mut findings, &[docker, k8s, tf], &[annotation], &options);
        let active: Vec<String> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| format!("{}:{}", f.file.path.display(), f.start_pos().line))
            .collect();
        assert_eq!(
            active,
            [
                "fixtures/gate/inline/Dockerfile:6",
                "fixtures/gate/inline/Dockerfile:9",
                "fixtures/gate/inline/Dockerfile:12",
                "fixtures/gate/inline/k8s.yaml:28",
                "fixtures/gate/inline/main.tf:34",
            ]
        );
        let lines: Vec<String> = warnings.iter().map(|w| w.to_line()).collect();
        let codes: Vec<(u32, &str)> = warnings
            .iter()
            .map(|w| (w.position.unwrap().line, w.kind.code()))
            .collect();
        assert_eq!(
            codes,
            [
                (5, "invalid-suppression"),
                (8, "expired-suppression"),
                (11, "invalid-suppression"),
                (14, "unused-suppression"),
            ],
            "{lines:#?}"
        );
    }

    /// No input text makes the comment scanners panic (token soup over the
    /// characters that matter to them, in each syntax).
    #[test]
    fn scanners_survive_token_soup() {
        const TOKENS: [&str; 24] = [
            "#",
            "//",
            "/*",
            "*/",
            "\"",
            "\\",
            "{",
            "}",
            "[",
            "]",
            "(",
            "<<",
            "<<-",
            "EOF",
            "\n",
            "\r\n",
            "${",
            "%{",
            " driftless:ignore[TAG001] r ",
            "FROM a",
            "---",
            "- k:",
            "é😀",
            "`",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for round in 0..3000 {
            let mut text = String::new();
            for _ in 0..(round % 40) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(TOKENS[(seed >> 33) as usize % TOKENS.len()]);
            }
            for name in ["main.tf", "k.yaml", "Dockerfile"] {
                let file = SourceFile::new(name, text.clone());
                for c in candidates(&file) {
                    assert!(
                        c.scope.start <= c.scope.end && c.scope.end <= file.text.len(),
                        "{name}: {text:?}"
                    );
                    assert!(c.offset < file.text.len().max(1), "{name}: {text:?}");
                }
            }
        }
    }
}
