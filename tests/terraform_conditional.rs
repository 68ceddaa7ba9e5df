//! Conditionals whose condition is not known (issue #14): the value stays
//! the conditional's text, and the known branches are listed as the values
//! it may take (`input.alternatives`), so TAG001/TAG002/SSH001 report the
//! bad branch, where it is written, saying "may" and under which condition.
//! A known condition still takes only its branch.

mod common;

use common::scan_json;

/// The findings of `rule` on a module of one `main.tf`: (line, column,
/// message) each.
fn findings(rule: &str, main_tf: &str) -> Vec<(u64, u64, String)> {
    let dir = common::temp_tree(&[("main.tf", main_tf)]);
    let (_, hits, report) = scan_json(&["--select", rule, &dir.path().to_string_lossy()]);
    hits.iter()
        .zip(report["findings"].as_array().expect("findings"))
        .map(|(h, f)| (h.line, h.column, f["message"].as_str().unwrap().to_string()))
        .collect()
}

fn container(image: &str) -> String {
    format!(
        "variable \"env\" {{}}\nvariable \"prod\" {{}}\nresource \"docker_container\" \"app\" {{\n  name  = \"app\"\n  image = {image}\n}}\n"
    )
}

#[test]
fn the_latest_branch_of_an_unknown_condition_may_be_used() {
    let hits = findings(
        "TAG001",
        &container(r#"var.env == "prod" ? "app:1.2" : "app:latest""#),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    // at the `"app:latest"` branch: line 5, column 43
    assert_eq!((hits[0].0, hits[0].1), (5, 43), "{hits:?}");
    assert_eq!(
        hits[0].2,
        "docker_container.app may use image `app:latest` with the mutable `latest` tag, when `var.env == \"prod\"` is false"
    );
}

#[test]
fn a_known_condition_takes_only_its_branch() {
    let main = "variable \"env\" {\n  default = \"prod\"\n}\nresource \"docker_container\" \"app\" {\n  name  = \"app\"\n  image = var.env == \"prod\" ? \"app:1.2\" : \"app:latest\"\n}\n";
    assert!(findings("TAG001", main).is_empty());
    let main = main.replace("default = \"prod\"", "default = \"dev\"");
    let hits = findings("TAG001", &main);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].2.contains(" uses image `app:latest`"), "{hits:?}");
}

#[test]
fn both_branches_unknown_is_as_before() {
    let hits = findings("TAG001,TAG002", &container("var.prod ? var.env : var.env"));
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn a_conditional_interpolated_in_a_string_gives_each_whole_image() {
    let hits = findings(
        "TAG001",
        &container(r#""app:${var.prod ? "1.2" : "latest"}""#),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    // at the `"latest"` branch inside the template: line 5, column 37
    assert_eq!((hits[0].0, hits[0].1), (5, 37), "{hits:?}");
    assert!(
        hits[0].2.contains("may use image `app:latest`")
            && hits[0].2.contains("`var.prod` is false"),
        "{hits:?}"
    );
}

#[test]
fn nested_conditionals_join_their_conditions() {
    let image = r#"var.prod ? "app:1.2" : (var.env == "x" ? "app" : "app:latest")"#;
    let tag002 = findings("TAG002", &container(image));
    assert_eq!(tag002.len(), 1, "{tag002:?}");
    assert!(
        tag002[0]
            .2
            .ends_with("when `var.prod` is false and `var.env == \"x\"` is true"),
        "{tag002:?}"
    );
    let tag001 = findings("TAG001", &container(image));
    assert_eq!(tag001.len(), 1, "{tag001:?}");
    assert!(
        tag001[0]
            .2
            .ends_with("when `var.prod` is false and `var.env == \"x\"` is false"),
        "{tag001:?}"
    );
}

#[test]
fn coalesce_of_a_conditional_falls_through_its_empty_branch() {
    let hits = findings(
        "TAG002",
        &container(r#"coalesce(var.prod ? "app:2.0" : "", "app")"#),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    // at the fallback `"app"`: line 5, column 47
    assert_eq!((hits[0].0, hits[0].1), (5, 47), "{hits:?}");
    assert!(hits[0].2.ends_with("when `var.prod` is false"), "{hits:?}");
}

#[test]
fn a_local_holding_a_conditional_is_reported_at_its_branch() {
    let main = "variable \"env\" {}\nlocals {\n  image = var.env == \"prod\" ? \"app:1.2\" : \"app:latest\"\n}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{\n    name  = \"app\"\n    image = local.image\n  }])\n}\n";
    let hits = findings("TAG001", main);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].0, hits[0].1), (3, 43), "{hits:?}");
    assert!(
        hits[0].2.contains("aws_ecs_task_definition.app may use"),
        "{hits:?}"
    );
}

#[test]
fn strict_digest_pinning_reports_the_conditional_once() {
    let dir = common::temp_tree(&[(
        "main.tf",
        &container(r#"var.env == "prod" ? "app:1.2" : "app:latest""#),
    )]);
    let (_, hits, _) = scan_json(&[
        "--strict",
        "--select",
        "TAG003",
        &dir.path().to_string_lossy(),
    ]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (5, 11), "{hits:?}");
}

const SG: &str = "variable \"open\" {}\nresource \"aws_security_group\" \"admin\" {\n  ingress {\n    from_port   = var.open ? 22 : 443\n    to_port     = var.open ? 22 : 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";

#[test]
fn a_port_chosen_by_an_unknown_condition_may_open_ssh() {
    let hits = findings("SSH001", SG);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // at the `22` of `from_port`: line 4, column 30
    assert_eq!((hits[0].0, hits[0].1), (4, 30), "{hits:?}");
    assert_eq!(
        hits[0].2,
        "aws_security_group.admin may open SSH (port 22) to 0.0.0.0/0, when `var.open` is true"
    );
}

#[test]
fn a_conditional_port_to_a_private_range_opens_nothing() {
    let main = SG.replace("0.0.0.0/0", "10.0.0.0/8");
    assert!(findings("SSH001", &main).is_empty());
}

#[test]
fn a_conditional_passed_to_a_local_child_module_is_reported_in_the_caller() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "variable \"env\" {}\nmodule \"svc\" {\n  source = \"../svc\"\n  image  = var.env == \"prod\" ? \"app:1.2\" : \"app:latest\"\n}\n",
        ),
        (
            "svc/main.tf",
            "variable \"image\" {}\nresource \"docker_container\" \"app\" {\n  name  = \"app\"\n  image = var.image\n}\n",
        ),
    ]);
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "TAG001", &root.to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("root/main.tf"), "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (4, 44), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("may use image `app:latest`"), "{msg}");
}

#[test]
fn a_helm_tag_chosen_by_an_unknown_condition_may_be_latest() {
    let main = "variable \"prod\" {}\nresource \"helm_release\" \"h\" {\n  name  = \"h\"\n  chart = \"x\"\n  set {\n    name  = \"image.tag\"\n    value = var.prod ? \"1.4.2\" : \"latest\"\n  }\n}\n";
    let hits = findings("TAG001", main);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].0, hits[0].1), (7, 34), "{hits:?}");
    assert!(
        hits[0].2.starts_with("helm_release.h may set `image.tag`"),
        "{hits:?}"
    );
}

/// The `alternatives` of the only document `inspect` prints for a module
/// of one `main.tf` (`null` when it lists none).
fn alternatives(main_tf: &str) -> serde_json::Value {
    let dir = common::temp_tree(&[("main.tf", main_tf)]);
    let out = common::driftless()
        .arg("inspect")
        .arg(dir.path())
        .output()
        .expect("runs");
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let doc = docs.as_array().map_or(&docs, |d| &d[0]);
    doc["input"]["alternatives"].clone()
}

#[test]
fn large_branches_are_not_copied_as_alternatives() {
    let big: Vec<String> = (0..100).map(|i| format!("\"10.0.{i}.0/24\"")).collect();
    let main = format!(
        "variable \"p\" {{}}\nresource \"aws_security_group\" \"s\" {{\n  ingress {{\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = var.p ? [{}] : [\"0.0.0.0/0\"]\n  }}\n}}\n",
        big.join(", ")
    );
    let alts = alternatives(&main);
    // the short list is listed, the 100-element one is not
    assert_eq!(alts.as_array().map(Vec::len), Some(1), "{alts}");
    assert_eq!(alts[0]["value"], serde_json::json!(["0.0.0.0/0"]));
}

#[test]
fn long_templates_list_no_variants() {
    let long = "x".repeat(5000);
    let main = format!(
        "variable \"p\" {{}}\nresource \"docker_container\" \"a\" {{\n  name  = \"a\"\n  image = \"app:${{var.p ? \"1\" : \"latest\"}}\"\n  labels = \"{long}${{var.p ? \"a\" : \"b\"}}\"\n}}\n"
    );
    let alts = alternatives(&main);
    let paths: Vec<&serde_json::Value> = alts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["path"])
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| p[3] == "image"), "{paths:?}");
}

#[test]
fn meta_arguments_null_and_empty_branches_are_not_listed() {
    let main = "variable \"p\" {}\nresource \"docker_container\" \"a\" {\n  count = var.p ? 1 : 0\n  name  = var.p ? null : \"a\"\n  dynamic \"ports\" {\n    for_each = var.p ? [1] : []\n    content {\n      internal = 80\n    }\n  }\n  image = var.p ? {} : []\n}\n";
    let alts = alternatives(main);
    // only `name`'s "a": not `count`, `for_each`, `null`, `{}` or `[]`
    assert_eq!(alts.as_array().map(Vec::len), Some(1), "{alts}");
    assert_eq!(alts[0]["value"], "a", "{alts}");
}

#[test]
fn a_long_condition_is_quoted_on_one_line_and_shortened() {
    let cond = format!("(\n    var.env ==\n    \"{}\"\n  )", "p".repeat(150));
    let alts = alternatives(&container(&format!(
        "{cond} ? \"app:1.2\" : \"app:latest\""
    )));
    let when = alts[0]["when"].as_str().unwrap();
    assert!(when.starts_with("`( var.env == \"ppp"), "{when}");
    assert!(!when.contains('\n') && when.chars().count() < 120, "{when}");
}

/// `--fix` of a branch: a test resolver (no registry) pins `latest` to
/// `1.27.3` with one digest.
mod fix_of_a_branch {
    use std::sync::Arc;

    use driftless::config::Config;
    use driftless::fix::registry::{Pinned, ResolveError};
    use driftless::fix::{self, FixContext, Pin, apply, diff};
    use driftless::scan::{self, ScanOptions};
    use driftless::workspace::{Evaluation, Flags, Workspace};

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    struct TestRegistry;

    impl Pin for TestRegistry {
        fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
            let name = reference.trim_end_matches(":latest");
            Ok(Pinned {
                reference: format!("{name}:1.27.3@{DIGEST}"),
                tag: "1.27.3".into(),
                digest: DIGEST.into(),
                note: String::new(),
            })
        }
    }

    #[test]
    fn pins_the_branch_literal_only() {
        let main = super::container(r#"var.env == "prod" ? "app:1.2" : "app:latest""#);
        let dir = super::common::temp_tree(&[("main.tf", &main)]);
        let (ws, _) = Workspace::open(Config::default(), &Flags::default(), Evaluation::default());
        let options = ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            discover: Default::default(),
            terraform: Default::default(),
            max_file_size: scan::DEFAULT_MAX_FILE_SIZE,
            progress: false,
            stdin_filename: None,
            ..ScanOptions::default()
        };
        let findings = scan::scan(&options, &ws.engines).findings;
        let context =
            FixContext::new(Default::default(), false).with_pinner(Arc::new(TestRegistry));
        let collected = fix::collect(&findings, &context, false);
        assert!(collected.errors.is_empty());
        let plan = apply::plan(collected.fixes);
        let patch = diff::render(&plan.patches, Some(dir.path()));
        assert!(
            patch.contains(&format!(
                "+  image = var.env == \"prod\" ? \"app:1.2\" : \"app:1.27.3@{DIGEST}\""
            )),
            "{patch}"
        );
    }
}
