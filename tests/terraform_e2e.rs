//! Issue-level end-to-end checks for Terraform: evaluated values reported at
//! the attribute that uses them, dynamic blocks, and plan rules at the
//! exact objects of the plan file.

mod common;

use common::{hit, scan_json};

#[test]
fn plan_rules_fire_on_update_replace_and_drift_only() {
    let (code, hits, _) = scan_json(&["fixtures/rules/UPD001/plan.json"]);
    let path = "fixtures/rules/UPD001/plan.json";
    assert_eq!(
        hits,
        vec![
            hit("UPD004", path, 7, 18),
            hit("UPD001", path, 21, 18),
            hit("UPD002", path, 34, 18),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(code, 1);
}

#[test]
fn image_from_local_and_variable_inside_jsonencode_is_tag001_at_that_line() {
    let (_, hits, report) = scan_json(&["--select", "TAG001", "fixtures/rules/TAG001/ecs"]);
    assert!(hits.contains(&hit("TAG001", "fixtures/rules/TAG001/ecs/main.tf", 10, 19)));
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("the default of variable `tag` (variables.tf:3)"),
        "{msg}"
    );
}

#[test]
fn dynamic_ingress_over_a_variable_list_is_ssh001() {
    let (_, hits, _) = scan_json(&["--select", "SSH001", "fixtures/rules/SSH001/dynamic"]);
    assert_eq!(
        hits,
        vec![hit(
            "SSH001",
            "fixtures/rules/SSH001/dynamic/main.tf",
            10,
            21
        )]
    );
}

#[test]
fn var_file_overrides_variable_defaults() {
    let dir = common::temp_tree(&[("pinned.tfvars", "tag = \"1.27.2\"\n")]);
    let var_file = dir.path().join("pinned.tfvars");
    let (_, hits, _) = scan_json(&[
        "--select",
        "TAG001",
        "--var-file",
        var_file.to_str().unwrap(),
        "fixtures/rules/TAG001/ecs",
    ]);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn a_single_terraform_file_is_evaluated_with_its_module_but_reports_only_itself() {
    // main.tf uses var.tag from variables.tf; naming main.tf alone (as
    // pre-commit does) must still resolve it.
    let (_, hits, _) = scan_json(&["--select", "TAG001", "fixtures/rules/TAG001/ecs/main.tf"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
    // variables.tf named alone shows the findings whose value it writes
    // (the default `latest`), located where the value is used (#17)
    let (_, named, _) = scan_json(&[
        "--select",
        "TAG001",
        "fixtures/rules/TAG001/ecs/variables.tf",
    ]);
    assert_eq!(named, hits);
}

#[test]
fn unresolved_lists_and_ports_never_make_rules_fail() {
    let dir = common::temp_tree(&[(
        "main.tf",
        "resource \"aws_security_group\" \"x\" {\n  ingress {\n    from_port   = var.port\n    to_port     = var.port\n    protocol    = \"tcp\"\n    cidr_blocks = var.cidrs\n  }\n}\nresource \"google_compute_firewall\" \"f\" {\n  source_ranges = var.ranges\n  allow {\n    protocol = \"tcp\"\n    ports    = var.ports\n  }\n}\n",
    )]);
    let (code, hits, report) = scan_json(&[dir.path().to_str().unwrap()]);
    assert!(
        report["errors"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    assert!(hits.is_empty(), "{hits:?}");
    assert_eq!(code, 0);
}

#[test]
fn a_module_called_by_a_root_in_the_scan_is_a_child_without_ver002() {
    // modules/app has a provider block (root-like) but envs/* call it
    let (_, hits, _) = scan_json(&["--select", "VER002", "fixtures/composition"]);
    assert_eq!(
        hits,
        vec![hit(
            "VER002",
            "fixtures/composition/envs/staging/main.tf",
            1,
            1
        )]
    );
}

#[test]
fn a_child_module_scanned_alone_is_a_root_as_terraform_would_run_it() {
    let (_, hits, _) = scan_json(&["--select", "VER002", "fixtures/composition/modules/app"]);
    assert_eq!(
        hits,
        vec![hit(
            "VER002",
            "fixtures/composition/modules/app/main.tf",
            1,
            1
        )]
    );
}

const INSTANCES: &str = "fixtures/composition/instances/main.tf";

#[test]
fn for_each_over_a_literal_map_reports_the_entry_that_opens_ssh() {
    let (_, hits, report) = scan_json(&["--select", "SSH001", "fixtures/composition/instances"]);
    // the `ssh` entry's cidr, not `https` (443) nor `admin` (10.0.0.0/8)
    assert!(hits.contains(&hit("SSH001", INSTANCES, 15, 33)), "{hits:?}");
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("aws_security_group_rule.ingress[\"ssh\"]")),
        "{messages:?}"
    );
}

#[test]
fn count_index_selects_the_element_of_a_local_list() {
    let (_, hits, report) = scan_json(&["--select", "SSH001", "fixtures/composition/instances"]);
    // only instance 0 reads port 22 from `local.ports`
    assert!(hits.contains(&hit("SSH001", INSTANCES, 31, 20)), "{hits:?}");
    let text = report.to_string();
    assert!(text.contains("aws_security_group.counted[0]"), "{text}");
    assert!(!text.contains("aws_security_group.counted[1]"), "{text}");
}

#[test]
fn for_each_over_a_variable_default_binds_each_value_to_the_image() {
    let (_, hits, report) = scan_json(&["--select", "TAG001", "fixtures/composition/instances"]);
    assert_eq!(hits, vec![hit("TAG001", INSTANCES, 36, 14)]);
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("docker_container.app[\"worker\"]"), "{msg}");
    assert!(msg.contains("the default of variable `images`"), "{msg}");
}

#[test]
fn instances_sharing_a_literal_report_it_once() {
    let (_, hits, _) = scan_json(&["--select", "SSH002", "fixtures/composition/instances"]);
    assert_eq!(hits, vec![hit("SSH002", INSTANCES, 44, 14)]);
}

const STAGING: &str = "fixtures/composition/envs/staging/main.tf";

#[test]
fn values_a_root_passes_to_a_local_child_are_reported_where_they_are_written() {
    let args = [
        "--select",
        "TAG001,SSH001,SSH002",
        "fixtures/composition/envs",
        "fixtures/composition/modules",
    ];
    let (code, hits, report) = scan_json(&args);
    assert_eq!(
        hits,
        vec![
            hit("SSH001", STAGING, 14, 14),
            hit("SSH002", STAGING, 15, 14),
            hit("TAG001", "fixtures/composition/envs/prod/main.tf", 19, 11),
            hit("TAG001", STAGING, 13, 14),
            // one finding per call site passing `latest`
            hit("TAG001", STAGING, 20, 12),
            hit("TAG001", "fixtures/composition/modules/app/main.tf", 35, 13),
        ]
    );
    assert_eq!(code, 1);
    let text = report.to_string();
    assert!(
        text.contains(
            "from module.api argument `tag` (fixtures/composition/envs/staging/main.tf:13)"
        ),
        "{text}"
    );
    // addresses inside an instance are Terraform's: module.api.<resource>
    assert!(
        text.contains("module.api.aws_security_group.app opens SSH"),
        "{text}"
    );
    // the child's own default is reported once, at the child, not per call
    assert!(
        text.contains("from the default of variable `sidecar_tag`"),
        "{text}"
    );
}

#[test]
fn composition_does_not_depend_on_the_order_of_paths() {
    let one = scan_json(&["fixtures/composition/envs", "fixtures/composition/modules"]).1;
    let other = scan_json(&["fixtures/composition/modules", "fixtures/composition/envs"]).1;
    assert_eq!(one, other);
    assert!(!one.is_empty());
}

#[test]
fn a_cycle_of_local_modules_is_eval001_not_a_hang() {
    let dir = common::temp_tree(&[
        ("a/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n"),
        ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
    ]);
    let path = dir.path().to_string_lossy().to_string();
    let (code, hits, _) = scan_json(&["--select", "EVAL001", &path]);
    assert_eq!(code, 1);
    assert!(hits.iter().any(|h| h.rule == "EVAL001"), "{hits:?}");
}

#[test]
fn outputs_of_a_local_child_are_known_to_the_caller() {
    let (_, hits, report) = scan_json(&["--select", "TAG001", "fixtures/composition/envs/prod"]);
    assert_eq!(
        hits,
        vec![
            hit("TAG001", "fixtures/composition/envs/prod/main.tf", 19, 11),
            // the child is not part of this scan: its default is reported
            // through the call, once
            hit("TAG001", "fixtures/composition/modules/app/main.tf", 35, 13),
        ]
    );
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("from the outputs of module.api"), "{msg}");
}

#[test]
fn a_bound_a_child_hits_is_reported_once_whoever_calls_it() {
    let call = "module \"app\" {\n  source = \"../../modules/app\"\n}\n";
    let dir = common::temp_tree(&[
        ("envs/a/main.tf", call),
        ("envs/b/main.tf", call),
        (
            "modules/app/main.tf",
            "resource \"x\" \"y\" {\n  count = 100000000\n}\n",
        ),
    ]);
    let path = dir.path().to_string_lossy().to_string();
    let (code, hits, _) = scan_json(&["--select", "EVAL001", &path]);
    assert_eq!(code, 1);
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn for_each_over_a_module_argument_reports_the_entry_the_caller_wrote() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "module \"sg\" {\n  source = \"../sg\"\n  rules = {\n    ssh = { port = 22, cidr = \"0.0.0.0/0\" }\n    web = { port = 443, cidr = \"0.0.0.0/0\" }\n  }\n}\n",
        ),
        (
            "sg/main.tf",
            "variable \"rules\" {\n  default = {}\n}\nresource \"aws_security_group_rule\" \"in\" {\n  for_each    = var.rules\n  type        = \"ingress\"\n  protocol    = \"tcp\"\n  from_port   = each.value.port\n  to_port     = each.value.port\n  cidr_blocks = [each.value.cidr]\n}\n",
        ),
    ]);
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "SSH001", &root.to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // the `ssh` entry's cidr in the caller: line 4, column 31
    assert_eq!((hits[0].line, hits[0].column), (4, 31), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("module.sg argument `rules`"), "{msg}");
    assert!(msg.contains("in[\"ssh\"]"), "{msg}");
}
