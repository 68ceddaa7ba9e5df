//! End to end: the CI gate — inline suppressions in every placement and
//! every way they can fail, `--no-inline-ignores`, `--show-suppressed`, the
//! baseline across line shifts, and the CI formats.
//!
//! NOTE: these tests run the real binary, so they need the Dockerfile,
//! YAML/Kubernetes and Terraform parsers (developed on other branches).
//! The suppression logic itself is unit-tested on the same fixtures in
//! `src/suppress/mod.rs` (`gate_fixtures_suppress_what_they_document`).

mod common;

use common::{driftless, scan_json, temp_tree};

const INLINE: &str = "fixtures/gate/inline";

/// (rule, path, line) of the active findings.
fn active(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppressed").is_none())
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// (code, path, line) of the warnings.
fn warnings(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["code"].as_str().unwrap().to_string(),
                w["path"].as_str().unwrap().to_string(),
                w["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn at(rule: &str, file: &str, line: u64) -> (String, String, u64) {
    (rule.into(), format!("{INLINE}/{file}"), line)
}

#[test]
fn suppressions_in_every_placement_and_every_failure_mode() {
    let (code, _, report) = scan_json(&[INLINE]);
    assert_eq!(
        active(&report),
        vec![
            at("TAG001", "Dockerfile", 9),  // expired
            at("TAG001", "Dockerfile", 12), // unknown rule ID in the suppression
            at("TAG001", "k8s.yaml", 28),   // not suppressed at all
            at("TAG001", "main.tf", 34),    // not suppressed at all
            at("TAG002", "Dockerfile", 6),  // suppression without a reason
        ],
        "{report:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(
        warnings(&report),
        vec![
            at("invalid-suppression", "Dockerfile", 5),
            at("expired-suppression", "Dockerfile", 8),
            at("invalid-suppression", "Dockerfile", 11),
            at("unused-suppression", "Dockerfile", 14),
        ]
    );
    let messages: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("missing reason"), "{messages:?}");
    assert!(
        messages[1].contains("expired on 2020-01-31"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("unknown rule ID `TAG01` (did you mean `TAG001`?)"),
        "{messages:?}"
    );
    assert!(messages[3].contains("TAG002"), "{messages:?}");
    // Dockerfile 2 and 18 (stage heads), k8s.yaml 9, 11 (document head),
    // 21 (item block), 24 (line above), 26 (same line), 39, 41 (annotation),
    // main.tf 14 (resource block), 24 (line above), 29 (same line).
    assert_eq!(report["summary"]["suppressed"], 12, "{report:#}");
}

#[test]
fn suppressed_findings_are_listed_only_on_request() {
    let (_, _, report) = scan_json(&[INLINE]);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("suppressed").is_none())
    );
    let (code, _, report) = scan_json(&["--show-suppressed", INLINE]);
    assert_eq!(code, 1);
    let shown: Vec<(&str, u64, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let s = f.get("suppressed")?;
            Some((
                f["path"].as_str().unwrap(),
                f["start"]["line"].as_u64().unwrap(),
                s["justification"].as_str().unwrap(),
            ))
        })
        .collect();
    assert_eq!(shown.len(), 12, "{shown:#?}");
    assert!(shown.contains(&(
        "fixtures/gate/inline/Dockerfile",
        18,
        "runtime image is promoted by digest (until 2999-12-31)"
    )));
    assert!(shown.contains(&(
        "fixtures/gate/inline/k8s.yaml",
        39,
        "debug pod, deleted after the incident"
    )));
    assert!(shown.contains(&("fixtures/gate/inline/main.tf", 29, "same line")));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| { f.get("suppressed").is_none_or(|s| s["kind"] == "inSource") })
    );
}

#[test]
fn sarif_carries_suppressions_and_warnings_with_show_suppressed() {
    let out = driftless()
        .args(["scan", "--format", "sarif", "--show-suppressed", INLINE])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let suppressions: Vec<&serde_json::Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("suppressions"))
        .collect();
    assert_eq!(suppressions.len(), 12);
    assert_eq!(suppressions[0][0]["kind"], "inSource");
    assert_eq!(suppressions[0][0]["status"], "accepted");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 4);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Warnings also reach stderr when stdout carries SARIF.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("warning[expired-suppression]"), "{stderr}");
}

#[test]
fn no_inline_ignores_turns_every_suppression_off() {
    let (code, _, report) = scan_json(&["--no-inline-ignores", INLINE]);
    assert_eq!(code, 1);
    assert_eq!(active(&report).len(), 17, "{report:#}");
    assert_eq!(report["summary"]["suppressed"], 0);
    assert!(report["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn the_text_report_shows_warnings_and_counts() {
    let out = driftless().args(["scan", INLINE]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("fixtures/gate/inline/Dockerfile:14:1: warning[unused-suppression]"),
        "{text}"
    );
    assert!(text.contains("12 suppressed, 4 warnings"), "{text}");
}

const BASELINE_V1: &str = "FROM node:latest AS build\nRUN npm ci\n\nFROM nginx:latest\nCOPY --from=build /src/dist /usr/share/nginx/html\n";

fn scan_in(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = driftless()
        .current_dir(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code().unwrap_or(-1),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn baseline_survives_line_shifts_fails_new_findings_and_counts_fixed_ones() {
    let dir = temp_tree(&[("Dockerfile", BASELINE_V1)]);
    let (code, report, _) = scan_in(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(
        code, 0,
        "writing a baseline accepts what it records: {report:#}"
    );
    assert_eq!(report["summary"]["baseline"]["written"]["entries"], 2);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(written["version"], 1);
    let entries = written["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["path"], "Dockerfile");
    assert_eq!(entries[0]["rule"], "TAG001");
    assert!(entries[0]["fingerprint"].as_str().unwrap().ends_with(":1"));

    // Lines inserted above both findings: still accepted.
    let shifted = format!("# syntax=docker/dockerfile:1\nARG VERSION=1\n\n{BASELINE_V1}");
    std::fs::write(dir.path().join("Dockerfile"), &shifted).unwrap();
    let (code, report, _) = scan_in(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["findings"], 0);
    assert_eq!(report["summary"]["baseline"]["compared"]["matched"], 2);
    assert_eq!(report["summary"]["baseline"]["compared"]["fixed"], 0);

    // A new finding fails; a fixed one is counted.
    let changed = shifted.replace(
        "FROM nginx:latest",
        "FROM nginx:1.27.2\nFROM redis:latest AS cache",
    );
    std::fs::write(dir.path().join("Dockerfile"), changed).unwrap();
    let (code, report, _) = scan_in(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 1, "{report:#}");
    let active = active(&report);
    assert_eq!(active.len(), 1, "{report:#}");
    assert_eq!(active[0].0, "TAG001");
    assert_eq!(active[0].2, 8);
    assert_eq!(report["summary"]["baseline"]["compared"]["matched"], 1);
    assert_eq!(report["summary"]["baseline"]["compared"]["fixed"], 1);
}

#[test]
fn a_broken_or_missing_baseline_is_a_usage_error() {
    let dir = temp_tree(&[
        ("Dockerfile", BASELINE_V1),
        ("bad.json", "{\"version\": 1}"),
    ]);
    for (file, why) in [
        ("bad.json", "not a driftless baseline"),
        ("missing.json", "cannot read baseline"),
    ] {
        let out = driftless()
            .current_dir(dir.path())
            .args(["scan", "--baseline", file, "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{stderr}");
    }
}

#[test]
fn junit_has_a_suite_per_file_and_a_case_per_finding() {
    let out = driftless()
        .args(["scan", "--format", "junit", INLINE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.contains("<testsuite name=\"fixtures/gate/inline/Dockerfile\" tests=\"3\""),
        "{xml}"
    );
    assert!(xml.contains("name=\"TAG002 at 6:"), "{xml}");
    assert!(
        xml.contains("classname=\"fixtures/gate/inline/main.tf\""),
        "{xml}"
    );
    assert!(xml.contains("<failure message=\"[high] "), "{xml}");
    let clean = driftless()
        .args(["scan", "--format", "junit", "--select", "SSH001", INLINE])
        .output()
        .unwrap();
    let xml = String::from_utf8(clean.stdout).unwrap();
    assert!(xml.contains("<testcase name=\"no findings in"), "{xml}");
}

#[test]
fn gitlab_code_quality_lists_active_findings_with_unique_fingerprints() {
    let out = driftless()
        .args(["scan", "--format", "gitlab", INLINE])
        .output()
        .unwrap();
    let issues: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let findings: Vec<&serde_json::Value> = issues
        .iter()
        .filter(|i| !i["check_name"].as_str().unwrap().starts_with("driftless/"))
        .collect();
    assert_eq!(findings.len(), 5);
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), issues.len());
    let first = findings[0];
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .starts_with(first["check_name"].as_str().unwrap())
    );
    assert_eq!(first["location"]["path"], "fixtures/gate/inline/Dockerfile");
    assert_eq!(first["severity"], "major");
}

#[test]
fn github_actions_gets_annotations_by_default_and_a_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = driftless()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["scan", INLINE])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=fixtures/gate/inline/Dockerfile,line=6,col="),
        "{text}"
    );
    assert!(text.contains("::warning file=fixtures/gate/inline/Dockerfile,line=14,col=1,title=driftless unused-suppression::"), "{text}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## driftless"), "{md}");
    assert!(md.contains("| high | [TAG001]"), "{md}");
    // An explicit format still wins.
    let out = driftless()
        .env("GITHUB_ACTIONS", "true")
        .args(["scan", "--format", "json", INLINE])
        .output()
        .unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
}

#[test]
fn thresholds_and_exit_zero() {
    let (code, _, _) = scan_json(&["--fail-on", "critical", INLINE]);
    assert_eq!(code, 0);
    let (code, _, _) = scan_json(&["--exit-zero", INLINE]);
    assert_eq!(code, 0);
    let (code, _, _) = scan_json(&["--fail-on", "high", INLINE]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------- config

const CUSTOM_RULE: &str = r#"package acme.dockerfile.custom_word

metadata := {"id": "CUS001", "title": "Custom rule reading its option", "severity": "low"}

deny contains {"msg": sprintf("the word is %v", [word]), "path": ["stages", 0]} if {
	word := data.driftless.config.options.CUS001.word
}
"#;

/// A repository (with `.git`, so the config search stops there) holding a
/// Dockerfile with TAG001 and TAG002, a vendored one, and a config.
fn repo_with_config(config: &str) -> tempfile::TempDir {
    let dir = temp_tree(&[
        (".driftless.yaml", config),
        ("app/Dockerfile", "FROM node:latest\nFROM redis AS cache\n"),
        ("vendor/x/Dockerfile", "FROM busybox:latest\n"),
        ("rules/custom.rego", CUSTOM_RULE),
    ]);
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    driftless()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

fn json_in(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = run_in(dir, &[&["--format", "json"], args].concat());
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn rules_of(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn config_found_upward_selects_excludes_overrides_and_passes_options() {
    let dir = repo_with_config(
        "ignore: [TAG002]\nseverity:\n  TAG001: medium\nexclude: [\"vendor/\"]\npolicies: [rules]\noptions:\n  CUS001:\n    word: hello\nfail_on: high\n",
    );
    // Scanning a subfolder still finds the config at the repository root;
    // paths are repository-relative wherever the scan runs.
    let (code, report) = json_in(&dir.path().join("app"), &["."]);
    assert_eq!(
        rules_of(&report),
        vec![
            ("CUS001".into(), "app/Dockerfile".into(), "low".into()),
            ("TAG001".into(), "app/Dockerfile".into(), "medium".into()),
        ],
        "{report:#}"
    );
    let custom = &report["findings"][0];
    assert_eq!(custom["message"], "the word is hello");
    assert_eq!(code, 0, "medium and low are below fail_on: high");

    let (_, report) = json_in(dir.path(), &["."]);
    assert!(
        rules_of(&report)
            .iter()
            .all(|(_, path, _)| !path.starts_with("vendor")),
        "{report:#}"
    );

    // Flags override the file.
    let (code, report) = json_in(
        dir.path(),
        &["--fail-on", "medium", "--ignore", "CUS001", "."],
    );
    assert_eq!(code, 1);
    let rules: Vec<String> = rules_of(&report).into_iter().map(|r| r.0).collect();
    assert_eq!(
        rules,
        ["TAG001", "TAG002"],
        "--ignore replaces the file's list"
    );
}

#[test]
fn config_mistakes_are_errors_with_place_and_suggestion() {
    let cases = [
        (
            "strict: true\nexlude: [vendor]\n",
            ".driftless.yaml:2:1: unknown key `exlude` (did you mean `exclude`?)",
        ),
        (
            "fail_on: hihg\n",
            ".driftless.yaml:1:10: `fail_on`: `hihg` is not a severity",
        ),
        (
            "select: [TAG001, TAG01]\n",
            ".driftless.yaml:1:18: unknown rule ID `TAG01`",
        ),
        (
            "options:\n  TAG001:\n    allowed_image: [x]\n",
            "did you mean `allowed_images`?",
        ),
    ];
    for (config, want) in cases {
        let dir = repo_with_config(config);
        let out = run_in(dir.path(), &["."]);
        assert_eq!(out.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{config}: {stderr}");
        assert!(out.stdout.is_empty(), "no report when the config is wrong");
    }
    let dir = repo_with_config("");
    let out = run_in(dir.path(), &["--config", "missing.yaml", "."]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_baseline_and_inline_ignores_keys() {
    let dir = repo_with_config(
        "exclude: [vendor/]\nbaseline: .driftless-baseline.json\ninline_ignores: false\n",
    );
    std::fs::write(
        dir.path().join("app/Dockerfile"),
        "# driftless:ignore[TAG001] not honoured here\nFROM node:latest\nFROM redis AS cache\n",
    )
    .unwrap();
    // The configured baseline must exist…
    let out = run_in(dir.path(), &["."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read baseline"));
    // …except when writing it. `inline_ignores: false`: the comment is not
    // honoured, so both findings are recorded.
    let (code, report) = json_in(
        dir.path(),
        &["--write-baseline", ".driftless-baseline.json", "."],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["baseline"]["written"]["entries"], 2,
        "{report:#}"
    );
    let (code, report) = json_in(dir.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["summary"]["baseline"]["compared"]["matched"], 2,
        "{report:#}"
    );
}

#[test]
fn init_writes_a_valid_starter_config_once() {
    let dir = temp_tree(&[("Dockerfile", "FROM node:22.11.0\n")]);
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let out = driftless()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(dir.path().join(".driftless.yaml")).unwrap();
    assert!(text.starts_with("# driftless configuration"));
    let again = driftless()
        .current_dir(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // The starter config is valid as written.
    let (code, report) = json_in(dir.path(), &["."]);
    assert_eq!(code, 0, "{report:#}");
}

// ------------------------------------------------------------------ docs

#[test]
fn ci_gate_docs_cover_every_config_key_and_their_example_is_valid() {
    let doc = std::fs::read_to_string(common::root().join("docs/ci-gate.md")).unwrap();
    for key in driftless::config::KEYS {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "docs/ci-gate.md has no row for config key `{key}`"
        );
    }
    for (_, option, _) in driftless::config::RULE_OPTIONS {
        assert!(
            doc.contains(&format!("`{option}`")),
            "option {option} undocumented"
        );
    }
    let marker = "<!-- config-example -->\n```yaml\n";
    let start = doc.find(marker).expect("config example") + marker.len();
    let end = start + doc[start..].find("```\n<!-- /config-example -->").unwrap();
    let config = driftless::config::Config::parse(
        std::path::Path::new("docs/.driftless.yaml"),
        doc[start..end].to_string(),
    )
    .unwrap_or_else(|e| panic!("the documented config does not parse: {e:?}"));
    let (set, errors) = driftless::engine::PolicySet::load(Vec::new());
    assert!(errors.is_empty());
    assert_eq!(config.check_rules(&set.catalogue), vec![]);
    for w in [
        "invalid-suppression",
        "expired-suppression",
        "unused-suppression",
    ] {
        assert!(
            doc.contains(&format!("| `{w}` |")),
            "warning code {w} undocumented"
        );
    }
}

#[test]
fn force_exclude_applies_config_excludes_to_named_files() {
    let dir = common::temp_tree(&[
        (".driftless.yaml", "exclude: [\"vendor/**\"]\n"),
        ("vendor/Dockerfile", "FROM alpine:latest\n"),
    ]);
    let file = dir.path().join("vendor/Dockerfile");
    let run = |force: bool| {
        let mut cmd = common::driftless();
        cmd.current_dir(dir.path())
            .args(["scan", "--format", "json"]);
        if force {
            cmd.arg("--force-exclude");
        }
        let out = cmd.arg(&file).output().unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"].as_array().unwrap().len()
    };
    assert_eq!(run(false), 1);
    assert_eq!(run(true), 0);
}
