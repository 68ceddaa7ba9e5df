//! Structured provenance (issues #14, #17, #18): a finding located where a
//! value is used says where the value is written — `sources`, the chain
//! from the finding to the literal, nearest first — in every report, and
//! a scan of named files (pre-commit's staged files) shows the findings
//! whose value a named file writes.

mod common;

use common::{driftless, temp_tree};
use serde_json::Value;

const MAIN_TF: &str = r#"resource "docker_container" "web" {
  name  = "web"
  image = var.image
}

resource "docker_container" "api" {
  name  = "api"
  image = local.api_image
}

module "app" {
  source = "./modules/app"
  tag    = var.tag
}
"#;

const VARIABLES_TF: &str = r#"variable "image" {
  default = "nginx:1.25"
}

variable "tag" {
  default = "latest"
}

variable "rules" {
  default = {
    ssh = { port = 22, cidr = "0.0.0.0/0" }
  }
}
"#;

const LOCALS_TF: &str = r#"locals {
  api_image = "api:${var.tag}"
}
"#;

const SG_TF: &str = r#"resource "aws_security_group_rule" "r" {
  for_each          = var.rules
  type              = "ingress"
  from_port         = each.value.port
  to_port           = each.value.port
  protocol          = "tcp"
  cidr_blocks       = [each.value.cidr]
  security_group_id = "sg-1"
}
"#;

const CHILD_MAIN_TF: &str = r#"resource "docker_container" "app" {
  name  = "app"
  image = "app:${var.tag}"
}
"#;

const CHILD_VARIABLES_TF: &str = "variable \"tag\" {\n  default = \"1.0\"\n}\n";

/// A root module with a tfvars file, locals, a `for_each` over a variable
/// and a local child module.
fn repository() -> tempfile::TempDir {
    temp_tree(&[
        ("tf/main.tf", MAIN_TF),
        ("tf/variables.tf", VARIABLES_TF),
        ("tf/locals.tf", LOCALS_TF),
        ("tf/sg.tf", SG_TF),
        ("tf/terraform.tfvars", "image = \"nginx:latest\"\n"),
        ("tf/modules/app/main.tf", CHILD_MAIN_TF),
        ("tf/modules/app/variables.tf", CHILD_VARIABLES_TF),
        (
            "Dockerfile",
            "ARG BASE=node:latest\nFROM $BASE\nRUN echo hi\n",
        ),
    ])
}

/// Runs `driftless scan -f FORMAT ARGS` in `dir`; returns the report text.
fn scan_in(dir: &std::path::Path, format: &str, args: &[&str]) -> String {
    let out = driftless()
        .current_dir(dir)
        .args(["scan", "-f", format])
        .args(args)
        .output()
        .expect("runs");
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn json(dir: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let report: Value = serde_json::from_str(&scan_in(dir, "json", args)).expect("JSON");
    report["findings"].as_array().expect("findings").clone()
}

/// The finding of `rule` located at `path:line`.
fn finding<'a>(findings: &'a [Value], rule: &str, path: &str, line: u64) -> &'a Value {
    findings
        .iter()
        .find(|f| f["rule_id"] == rule && f["path"] == path && f["start"]["line"] == line)
        .unwrap_or_else(|| panic!("no {rule} at {path}:{line} in {findings:#?}"))
}

/// (path, line, column, end column, text) of each source.
fn sources(dir: &std::path::Path, f: &Value) -> Vec<(String, u64, u64, String)> {
    f["sources"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| {
                    let path = s["path"].as_str().unwrap().to_string();
                    let text = std::fs::read_to_string(dir.join(&path)).unwrap();
                    let line = s["start"]["line"].as_u64().unwrap();
                    let (c0, c1) = (
                        s["start"]["column"].as_u64().unwrap(),
                        s["end"]["column"].as_u64().unwrap(),
                    );
                    let row = text.lines().nth(line as usize - 1).unwrap();
                    let written = row[c0 as usize - 1..c1 as usize - 1].to_string();
                    (path, line, c0, written)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_tfvars_entry_is_the_source_of_a_variable_used_in_main() {
    let dir = repository();
    let all = json(dir.path(), &["tf"]);
    let f = finding(&all, "TAG001", "tf/main.tf", 3);
    assert_eq!(
        sources(dir.path(), f),
        vec![(
            "tf/terraform.tfvars".into(),
            1,
            9,
            "\"nginx:latest\"".into()
        )]
    );
}

#[test]
fn a_local_and_a_variable_default_make_a_chain_nearest_first() {
    let dir = repository();
    let all = json(dir.path(), &["tf"]);
    let f = finding(&all, "TAG001", "tf/main.tf", 8);
    assert_eq!(
        sources(dir.path(), f),
        vec![
            ("tf/locals.tf".into(), 2, 15, "\"api:${var.tag}\"".into()),
            ("tf/variables.tf".into(), 6, 13, "\"latest\"".into()),
        ]
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains(
            "from local `api_image` (locals.tf:2) → the default of variable `tag` (variables.tf:6)"
        ),
        "{message}"
    );
}

#[test]
fn a_module_argument_is_reported_in_the_caller_with_the_callers_default_as_source() {
    let dir = repository();
    let all = json(dir.path(), &["tf"]);
    let f = finding(&all, "TAG001", "tf/main.tf", 13);
    // located at the argument; the value is written in the root's default
    assert_eq!(
        sources(dir.path(), f),
        vec![("tf/variables.tf".into(), 6, 13, "\"latest\"".into())]
    );
    let message = f["message"].as_str().unwrap();
    assert!(
        message
            .contains("module.app argument `tag` (tf/main.tf:13) → the default of variable `tag`"),
        "{message}"
    );
}

#[test]
fn an_each_value_element_is_the_source_of_an_instance_attribute() {
    let dir = repository();
    let all = json(dir.path(), &["tf"]);
    let f = finding(&all, "SSH001", "tf/sg.tf", 2);
    assert_eq!(
        sources(dir.path(), f),
        vec![("tf/variables.tf".into(), 11, 31, "\"0.0.0.0/0\"".into())]
    );
}

#[test]
fn a_value_written_where_it_is_used_has_no_sources() {
    let dir = temp_tree(&[(
        "main.tf",
        "resource \"docker_container\" \"a\" {\n  name  = \"a\"\n  image = \"nginx:latest\"\n}\n",
    )]);
    let all = json(dir.path(), &["."]);
    let f = finding(&all, "TAG001", "main.tf", 3);
    assert!(f.get("sources").is_none(), "{f:#}");
}

#[test]
fn an_arg_default_is_the_source_of_a_from_image() {
    let dir = repository();
    let all = json(dir.path(), &["Dockerfile"]);
    let f = finding(&all, "TAG001", "Dockerfile", 2);
    assert_eq!(
        sources(dir.path(), f),
        vec![("Dockerfile".into(), 1, 10, "node:latest".into())]
    );
}

#[test]
fn sarif_lists_sources_first_as_related_locations_where_the_value_is_written() {
    let dir = repository();
    let sarif: Value = serde_json::from_str(&scan_in(dir.path(), "sarif", &["tf"])).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == "TAG001"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
        })
        .expect("TAG001 at main.tf:8");
    let related = r["relatedLocations"].as_array().expect("related locations");
    assert_eq!(related.len(), 2);
    let last = &related[1];
    assert_eq!(
        last["physicalLocation"]["artifactLocation"]["uri"],
        "tf/variables.tf"
    );
    assert_eq!(last["physicalLocation"]["region"]["startLine"], 6);
    let text = last["message"]["text"].as_str().unwrap();
    assert!(text.starts_with("value written here"), "{text}");
}

#[test]
fn the_text_report_names_where_the_value_is_written() {
    let dir = repository();
    let text = scan_in(dir.path(), "text", &["tf/main.tf"]);
    assert!(
        text.contains(
            "= written: tf/terraform.tfvars:1:9: variable `image` set in terraform.tfvars:1"
        ),
        "{text}"
    );
}

#[test]
fn a_fingerprint_does_not_move_with_a_source() {
    let dir = repository();
    let baseline = dir.path().join("baseline.json");
    let write = ["tf", "--write-baseline", baseline.to_str().unwrap()];
    scan_in(dir.path(), "json", &write);
    // the default moves two lines down: the finding's place is the same
    let moved = format!("\n\n{VARIABLES_TF}");
    std::fs::write(dir.path().join("tf/variables.tf"), moved).unwrap();
    let out = driftless()
        .current_dir(dir.path())
        .args(["scan", "-f", "json", "tf", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let active: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppressed").is_none())
        .collect();
    assert!(active.is_empty(), "{active:#?}");
}

/// The (rule, path, line) of each finding a scan of named files shows.
fn named(dir: &std::path::Path, files: &[&str]) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = json(dir, files)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn hit(rule: &str, path: &str, line: u64) -> (String, String, u64) {
    (rule.into(), path.into(), line)
}

#[test]
fn a_staged_tfvars_file_shows_only_the_findings_it_causes() {
    let dir = repository();
    assert_eq!(
        named(dir.path(), &["tf/terraform.tfvars"]),
        vec![hit("TAG001", "tf/main.tf", 3)]
    );
}

#[test]
fn a_staged_variables_file_shows_the_findings_of_its_defaults_in_other_files() {
    let dir = repository();
    assert_eq!(
        named(dir.path(), &["tf/variables.tf"]),
        vec![
            hit("SSH001", "tf/sg.tf", 2),
            hit("TAG001", "tf/main.tf", 8),
            hit("TAG001", "tf/main.tf", 13),
        ]
    );
}

#[test]
fn a_staged_locals_file_shows_its_own_findings_and_those_it_feeds() {
    let dir = repository();
    assert_eq!(
        named(dir.path(), &["tf/locals.tf"]),
        vec![
            hit("TAG001", "tf/main.tf", 8),
            hit("VER002", "tf/locals.tf", 1)
        ]
    );
}

#[test]
fn expose_of_a_stage_arg_is_ssh003_with_the_default_as_source() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "ARG GLOBAL_PORT=22\nFROM alpine:3.20\nARG SSH_PORT=22\nEXPOSE ${SSH_PORT}\nEXPOSE $GLOBAL_PORT\n",
    )]);
    let all = json(dir.path(), &["--select", "SSH003", "Dockerfile"]);
    // the global ARG is not declared again in the stage: BuildKit leaves it empty
    assert_eq!(all.len(), 1, "{all:#?}");
    let f = finding(&all, "SSH003", "Dockerfile", 4);
    assert_eq!(
        sources(dir.path(), f),
        vec![("Dockerfile".into(), 3, 14, "22".into())]
    );
}

#[test]
fn expose_of_an_env_and_of_a_redeclared_global_arg_is_ssh003() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "ARG PORT=22\nFROM alpine:3.20\nENV SSH=22\nEXPOSE $SSH\nARG PORT\nEXPOSE ${PORT}/tcp\n",
    )]);
    let all = json(dir.path(), &["--select", "SSH003", "Dockerfile"]);
    let env = finding(&all, "SSH003", "Dockerfile", 4);
    assert_eq!(
        sources(dir.path(), env),
        vec![("Dockerfile".into(), 3, 9, "22".into())]
    );
    let global = finding(&all, "SSH003", "Dockerfile", 6);
    assert_eq!(
        sources(dir.path(), global),
        vec![("Dockerfile".into(), 1, 10, "22".into())]
    );
}

#[test]
fn an_output_of_a_child_module_names_the_childs_files_as_sources() {
    // two root files: a place in the child's files must not be read as an
    // index into the root's files
    let dir = temp_tree(&[
        (
            "r/main.tf",
            "module \"app\" {\n  source = \"./modules/app\"\n}\n\nresource \"docker_container\" \"web\" {\n  name  = \"web\"\n  image = module.app.image\n}\n",
        ),
        ("r/vars.tf", "variable \"x\" {\n  default = 1\n}\n"),
        (
            "r/modules/app/main.tf",
            "variable \"tag\" {\n  default = \"latest\"\n}\n\noutput \"image\" {\n  value = \"nginx:${var.tag}\"\n}\n",
        ),
    ]);
    let all = json(dir.path(), &["--select", "TAG001", "r"]);
    let f = finding(&all, "TAG001", "r/main.tf", 7);
    assert_eq!(
        sources(dir.path(), f),
        vec![
            (
                "r/modules/app/main.tf".into(),
                6,
                11,
                "\"nginx:${var.tag}\"".into()
            ),
            ("r/modules/app/main.tf".into(), 2, 13, "\"latest\"".into()),
        ]
    );
}
