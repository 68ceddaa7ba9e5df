//! Module calls with `count` and `for_each` (issue #14): each instance of a
//! local child is evaluated with `count.index`/`each.key`/`each.value` bound
//! in the call's arguments, and a finding points at the element of the
//! collection that carries the value.

mod common;

use common::scan_json;

const CHILD: &str = "variable \"image\" {\n  type = string\n}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{\n    name  = \"app\"\n    image = var.image\n  }])\n}\n";

#[test]
fn for_each_on_a_module_call_reports_the_entry_with_the_bad_image() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "module \"svc\" {\n  source   = \"../svc\"\n  for_each = {\n    api = \"registry.example.com/api:1.4.2\"\n    web = \"registry.example.com/web:latest\"\n  }\n  image = each.value\n}\n",
        ),
        ("svc/main.tf", CHILD),
    ]);
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "TAG001", &root.to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // the `web` entry in the caller: line 5, column 11
    assert_eq!((hits[0].line, hits[0].column), (5, 11), "{hits:?}");
    assert!(hits[0].path.ends_with("root/main.tf"), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("module.svc[\"web\"]"), "{msg}");
}

#[test]
fn count_on_a_module_call_binds_count_index_in_the_arguments() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "locals {\n  images = [\"app:1.0\", \"app:latest\"]\n}\nmodule \"svc\" {\n  source = \"../svc\"\n  count  = 2\n  image  = local.images[count.index]\n}\n",
        ),
        ("svc/main.tf", CHILD),
    ]);
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "TAG001", &root.to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // at the argument that indexes the local, as for a resource's
    // `local.images[count.index]`: line 7, column 12
    assert_eq!((hits[0].line, hits[0].column), (7, 12), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("module.svc[1]"), "{msg}");
}

#[test]
fn module_instances_over_the_bound_are_eval001_at_the_source() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "module \"svc\" {\n  source = \"../svc\"\n  count  = 300\n  image  = \"app:1.0\"\n}\n",
        ),
        ("svc/main.tf", CHILD),
    ]);
    let root = dir.path().join("root");
    let (code, hits, report) = scan_json(&["--select", "EVAL001", &root.to_string_lossy()]);
    assert_eq!(code, 1);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (2, 12), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("256 module instances"), "{msg}");
}
