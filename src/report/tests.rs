//! Snapshots of every format over one fixed set of findings built in code
//! (no parser involved): active findings of each severity in three files,
//! a finding suppressed inline and one accepted by the baseline (shown, as
//! with `--show-suppressed`), a parse error, warnings and a baseline summary.

use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::baseline::{Comparison, Summary};
use crate::document::SourceFile;
use crate::finding::{Suppressed, SuppressionKind};
use crate::suppress::tests::{catalogue, finding};
use crate::warning::{Warning, WarningKind};

const DOCKERFILE: &str = "FROM node:latest\nRUN apk upgrade\nEXPOSE 22\n";
const K8S: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: web:latest # driftless:ignore[TAG001] promoted by digest in CD\n    - name: debug\n      image: busybox\n";
const TF: &str = "resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";

struct Fixture {
    findings: Vec<Finding>,
    warnings: Vec<Warning>,
}

fn fixture() -> Fixture {
    let docker = Arc::new(SourceFile::new("app/Dockerfile", DOCKERFILE));
    let k8s = Arc::new(SourceFile::new("k8s/pod.yaml", K8S));
    let tf = Arc::new(SourceFile::new("infra/main.tf", TF));
    let broken = Arc::new(SourceFile::new("k8s/broken.yaml", "a: [1,\n"));
    let with = |mut f: Finding, sev: Severity, msg: &str| {
        f.severity = sev;
        f.message = msg.to_string();
        f
    };
    let mut inline = with(
        finding(&k8s, "TAG001", "web:latest"),
        Severity::High,
        "Image `web:latest` uses the `latest` tag, with a 50% chance: of drift",
    );
    inline.suppression = Some(Suppressed {
        justification: "promoted by digest in CD".into(),
        kind: SuppressionKind::InSource,
    });
    let mut baselined = with(
        finding(&docker, "SSH003", "EXPOSE 22"),
        Severity::High,
        "Port 22 is exposed",
    );
    baselined.suppression = Some(Suppressed {
        justification: "accepted in baseline .driftless-baseline.json".into(),
        kind: SuppressionKind::Baseline,
    });
    let mut parse = finding(&broken, "PARSE001", "[1,");
    parse.severity = Severity::Error;
    parse.message = "flow sequence is not closed".into();
    let mut findings = vec![
        with(
            finding(&docker, "TAG001", "node:latest"),
            Severity::High,
            "Image `node:latest` uses the `latest` tag",
        ),
        with(
            finding(&docker, "UPD006", "apk upgrade"),
            Severity::Medium,
            "`apk upgrade` upgrades packages in place",
        ),
        baselined,
        with(
            finding(&tf, "SSH001", "\"0.0.0.0/0\""),
            Severity::Critical,
            "SSH (22) is open to 0.0.0.0/0,\nthe whole internet",
        ),
        inline,
        with(
            finding(&k8s, "TAG003", "busybox"),
            Severity::Low,
            "Image `busybox` is not pinned by digest",
        ),
        parse,
    ];
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let warnings = vec![
        Warning::at(
            WarningKind::ExpiredSuppression,
            &tf,
            0,
            "suppression of SSH001 expired on 2026-01-31",
        ),
        Warning::at(
            WarningKind::UnusedSuppression,
            &docker,
            0,
            "suppression matches no finding: nothing here is reported as VER004",
        ),
    ];
    Fixture { findings, warnings }
}

fn with_report(show_suppressed: bool, clean: bool, check: impl FnOnce(&Report)) {
    let fx = fixture();
    let cat = catalogue();
    let mut findings = fx.findings;
    if !show_suppressed {
        findings.retain(|f| f.suppression.is_none());
    }
    if clean {
        findings.clear();
    }
    let warnings = if clean { Vec::new() } else { fx.warnings };
    let report = Report {
        findings: &findings,
        catalogue: &cat,
        rule_errors: &[],
        policy_errors: &[],
        stats: Stats {
            files: 4,
            documents: 3,
            suppressed: if clean { 0 } else { 2 },
        },
        repo_root: Some(PathBuf::from("/repo")),
        warnings: &warnings,
        baseline: if clean {
            Summary::default()
        } else {
            Summary {
                compared: Some(Comparison {
                    file: ".driftless-baseline.json".into(),
                    entries: 3,
                    matched: 1,
                    fixed: 2,
                }),
                written: None,
            }
        },
    };
    check(&report);
}

#[test]
fn text_snapshot() {
    with_report(true, false, |r| {
        insta::assert_snapshot!(text::render(r, false))
    });
}

#[test]
fn json_snapshot() {
    with_report(true, false, |r| insta::assert_snapshot!(json::render(r)));
}

#[test]
fn sarif_snapshot_is_schema_valid() {
    with_report(true, false, |r| {
        let text = sarif::render(r);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_schema_valid(&value);
        let results = value["runs"][0]["results"].as_array().unwrap();
        let suppressed: Vec<&serde_json::Value> = results
            .iter()
            .filter_map(|r| r.get("suppressions"))
            .collect();
        assert_eq!(suppressed.len(), 2);
        assert_eq!(
            value["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
        insta::assert_snapshot!(text);
    });
}

#[test]
fn junit_snapshot() {
    with_report(true, false, |r| insta::assert_snapshot!(junit::render(r)));
}

#[test]
fn junit_clean_run_has_one_passing_case() {
    with_report(false, true, |r| {
        let xml = junit::render(r);
        assert!(
            xml.contains("<testcase name=\"no findings in 4 files\" classname=\"driftless\"/>"),
            "{xml}"
        );
        assert!(xml.contains("tests=\"1\""), "{xml}");
    });
}

#[test]
fn gitlab_snapshot_has_unique_fingerprints_and_no_bom() {
    with_report(false, false, |r| {
        let text = gitlab::render(r);
        assert!(!text.starts_with('\u{feff}'));
        let issues: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        let prints: std::collections::BTreeSet<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints.len(), issues.len());
        insta::assert_snapshot!(text);
    });
}

#[test]
fn github_snapshot_most_severe_first() {
    with_report(false, false, |r| {
        let text = github::render(r);
        let first: Vec<&str> = text.lines().take(2).collect();
        assert!(
            first[0].starts_with("::error file=k8s/broken.yaml"),
            "{text}"
        );
        assert!(
            first[1].starts_with("::error file=infra/main.tf,line=4,col=20,endLine=4,endColumn=31,title=SSH001 [critical] title of SSH001::SSH (22) is open to 0.0.0.0/0,%0Athe whole internet%0A"),
            "{text}"
        );
        insta::assert_snapshot!(text);
    });
}

#[test]
fn github_step_summary_snapshot() {
    with_report(false, false, |r| {
        insta::assert_snapshot!(github::step_summary(r))
    });
    with_report(false, true, |r| {
        assert!(github::step_summary(r).starts_with("## driftless\n\n✅ No findings in 4 files"));
    });
}

/// The OASIS SARIF 2.1.0 schema (draft-04), as tests/sarif_schema.rs uses it.
fn assert_schema_valid(sarif: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

/// One finding per install command: the other unpinned packages are
/// related locations in SARIF, JSON and the text report.
#[test]
fn related_locations_in_every_format() {
    let text = "FROM alpine:3.20\nRUN apk add curl \\\n    git\n";
    let docker = Arc::new(SourceFile::new("app/Dockerfile", text));
    let mut f = finding(&docker, "VER004", "curl");
    let git = text.find("git").unwrap();
    f.related.push(crate::finding::Related {
        message: "`git` is not pinned either".into(),
        file: docker.clone(),
        start: git,
        end: git + 3,
    });
    let findings = vec![f];
    let cat = catalogue();
    let report = Report {
        findings: &findings,
        catalogue: &cat,
        rule_errors: &[],
        policy_errors: &[],
        stats: Stats {
            files: 1,
            documents: 1,
            suppressed: 0,
        },
        repo_root: Some(PathBuf::from("/repo")),
        warnings: &[],
        baseline: Summary::default(),
    };
    let sarif: serde_json::Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    assert_schema_valid(&sarif);
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"];
    assert_eq!(related[0]["id"], 1);
    assert_eq!(related[0]["message"]["text"], "`git` is not pinned either");
    let place = &related[0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "app/Dockerfile");
    assert_eq!(place["region"]["startLine"], 3);
    assert_eq!(place["region"]["startColumn"], 5);
    let json: serde_json::Value = serde_json::from_str(&json::render(&report)).unwrap();
    let related = &json["findings"][0]["related"][0];
    assert_eq!(related["path"], "app/Dockerfile");
    assert_eq!(
        related["start"],
        serde_json::json!({"line": 3, "column": 5})
    );
    assert!(
        text::render(&report, false)
            .contains("  = also: app/Dockerfile:3:5: `git` is not pinned either\n")
    );
}

/// A report over `findings` with nothing else in it.
fn plain_report<'a>(findings: &'a [Finding], cat: &'a Catalogue) -> Report<'a> {
    Report {
        findings,
        catalogue: cat,
        rule_errors: &[],
        policy_errors: &[],
        stats: Stats::default(),
        repo_root: Some(PathBuf::from("/repo")),
        warnings: &[],
        baseline: Summary::default(),
    }
}

/// `n` findings of `rule` at `severity` in one Dockerfile.
fn many(n: usize, rule: &str, severity: Severity) -> Vec<Finding> {
    let docker = Arc::new(SourceFile::new("app/Dockerfile", DOCKERFILE));
    (0..n)
        .map(|i| {
            let mut f = finding(&docker, rule, "node:latest");
            f.severity = severity;
            f.message = format!("finding {i}");
            f
        })
        .collect()
}

fn sarif_results(text: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    value["runs"][0]["results"].as_array().unwrap().clone()
}

#[test]
fn sarif_keeps_the_most_severe_results_within_githubs_limit() {
    let mut findings = many(sarif::GITHUB_LIMITS.results, "TAG003", Severity::Low);
    findings.extend(many(2, "TAG001", Severity::High));
    let cat = catalogue();
    let report = plain_report(&findings, &cat);
    let text = sarif::render(&report);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = value["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5_000);
    let high = results.iter().filter(|r| r["ruleId"] == "TAG001").count();
    assert_eq!(high, 2, "the most severe results are kept");
    let omitted = &value["runs"][0]["properties"]["driftless/omitted"];
    assert_eq!(omitted["results"], 2);
    assert_eq!(omitted["totalResults"], 5_002);
    let notice = sarif::omission_notice(&report).unwrap();
    assert!(notice.contains("2 less severe result(s)"), "{notice}");
    assert!(notice.contains("-f json"), "{notice}");
}

#[test]
fn sarif_within_limits_is_whole_and_says_nothing() {
    let findings = many(3, "TAG001", Severity::High);
    let cat = catalogue();
    let report = plain_report(&findings, &cat);
    let value: serde_json::Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    assert!(value["runs"][0].get("properties").is_none());
    assert_eq!(sarif::omission_notice(&report), None);
}

#[test]
fn sarif_sources_come_first_and_count_towards_the_related_location_cap() {
    let mut findings = many(1, "TAG001", Severity::High);
    let file = findings[0].file.clone();
    let place = |message: String| crate::finding::Related {
        message,
        file: file.clone(),
        start: 0,
        end: 4,
    };
    findings[0]
        .sources
        .push(place("the default of ARG BASE (line 1)".into()));
    for i in 0..100 {
        findings[0].related.push(place(format!("also {i}")));
    }
    let cat = catalogue();
    let report = plain_report(&findings, &cat);
    let value: serde_json::Value = serde_json::from_str(&sarif::render(&report)).unwrap();
    assert_schema_valid(&value);
    let related = value["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap();
    assert_eq!(related.len(), 100);
    assert_eq!(
        related[0]["message"]["text"],
        "value written here: the default of ARG BASE (line 1)"
    );
    assert_eq!(related[1]["message"]["text"], "also 0");
    assert_eq!(
        value["runs"][0]["properties"]["driftless/omitted"]["relatedLocations"],
        1
    );
}

#[test]
fn sarif_related_locations_and_tags_stay_within_display_limits() {
    let mut findings = many(1, "TAG001", Severity::High);
    let file = findings[0].file.clone();
    for i in 0..150 {
        findings[0].related.push(crate::finding::Related {
            message: format!("also {i}"),
            file: file.clone(),
            start: 0,
            end: 4,
        });
    }
    let mut cat = catalogue();
    let mut rule = cat.get("TAG001").unwrap().clone();
    rule.tags = (0..30).map(|i| format!("tag{i}")).collect();
    cat.insert(rule);
    let report = plain_report(&findings, &cat);
    let text = sarif::render(&report);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_schema_valid(&value);
    let result = &value["runs"][0]["results"][0];
    assert_eq!(result["relatedLocations"].as_array().unwrap().len(), 100);
    assert_eq!(
        value["runs"][0]["properties"]["driftless/omitted"]["relatedLocations"],
        50
    );
    for rule in value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        assert!(
            rule["properties"]["tags"].as_array().unwrap().len() <= 10,
            "{rule}"
        );
    }
}

#[test]
fn sarif_over_the_size_limit_keeps_fewer_results() {
    let mut findings = many(40, "TAG003", Severity::Low);
    findings.extend(many(1, "TAG001", Severity::Critical));
    let cat = catalogue();
    let report = plain_report(&findings, &cat);
    let whole = sarif::render_within(&report, &sarif::GITHUB_LIMITS).0;
    let limits = sarif::Limits {
        bytes: whole.len() / 2,
        ..sarif::GITHUB_LIMITS
    };
    let (text, omitted) = sarif::render_within(&report, &limits);
    assert!(
        text.len() <= limits.bytes,
        "{} > {}",
        text.len(),
        limits.bytes
    );
    assert!(omitted.results > 0);
    let results = sarif_results(&text);
    assert_eq!(results.len() + omitted.results, 41);
    assert!(results.iter().any(|r| r["ruleId"] == "TAG001"));
}

/// What the xUnit plugin's `junit-10.xsd` (tests/schemas/, validated for
/// real by tests/integration/junit.sh) rejects: `skipped` on
/// `<testsuites>`, `file`/`line` on `<testcase>`.
#[test]
fn junit_uses_only_attributes_the_xunit_schema_allows() {
    with_report(true, false, |r| {
        let xml = junit::render(r);
        let root = xml.lines().find(|l| l.contains("<testsuites")).unwrap();
        assert!(!root.contains("skipped="), "{root}");
        for case in xml.lines().filter(|l| l.contains("<testcase ")) {
            assert!(
                !case.contains(" file=") && !case.contains(" line="),
                "{case}"
            );
        }
        assert!(xml.contains(
            "<testsuite name=\"app/Dockerfile\" tests=\"3\" skipped=\"1\" errors=\"0\" failures=\"2\" file=\"app/Dockerfile\">"
        ), "{xml}");
    });
}
