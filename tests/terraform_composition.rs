//! Composition of local modules (issue #14): module calls with `count` and
//! `for_each` (each instance of a local child is evaluated with
//! `count.index`/`each.key`/`each.value` bound in the call's arguments, and
//! a finding points at the element of the collection that carries the
//! value), and children reading their own children's outputs.

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

const GRANDCHILD: &str = "variable \"tag\" {\n  default = \"1.0\"\n}\noutput \"image\" {\n  value = \"registry.example.com/app:${var.tag}\"\n}\n";

/// root → child → grandchild: the child uses its child's output.
fn nested(root: &str, child: &str) -> tempfile::TempDir {
    common::temp_tree(&[
        ("root/main.tf", root),
        ("child/main.tf", child),
        ("grandchild/main.tf", GRANDCHILD),
    ])
}

#[test]
fn a_child_reads_its_own_childs_output_with_the_value_the_root_passed() {
    let dir = nested(
        "module \"api\" {\n  source = \"../child\"\n  tag    = \"latest\"\n}\n",
        "variable \"tag\" {}\nmodule \"img\" {\n  source = \"../grandchild\"\n  tag    = var.tag\n}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{\n    name  = \"app\"\n    image = module.img.image\n  }])\n}\n",
    );
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "TAG001", &root.to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    // where the root writes `latest`: line 3, column 12
    assert!(hits[0].path.ends_with("root/main.tf"), "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (3, 12), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("module.api.module.img"), "{msg}");
}

#[test]
fn a_grandchild_output_passed_back_up_reaches_the_root() {
    let dir = nested(
        "module \"api\" {\n  source = \"../child\"\n}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{\n    name  = \"app\"\n    image = module.api.image\n  }])\n}\n",
        "module \"img\" {\n  source = \"../grandchild\"\n  tag    = \"latest\"\n}\noutput \"image\" {\n  value = module.img.image\n}\n",
    );
    let root = dir.path().join("root");
    let (_, hits, report) = scan_json(&["--select", "TAG001", &root.to_string_lossy()]);
    // located where the root reads the output (line 8, column 13), as any
    // output of a local child
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("root/main.tf"), "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (8, 13), "{hits:?}");
    let msg = report["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("the outputs of module.api"), "{msg}");
    assert!(
        msg.contains("module.api.module.img argument `tag`"),
        "{msg}"
    );
}

#[test]
fn a_called_module_that_calls_another_stays_a_child_after_its_composition() {
    // `mid` is called by `root` and calls `leaf`: it is composed in the
    // scan's evaluation step, and must keep the child role the parse step
    // gave it although its provider block looks like a root's
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "terraform {\n  required_version = \"~> 1.9\"\n}\nmodule \"mid\" {\n  source = \"../mid\"\n}\n",
        ),
        (
            "mid/main.tf",
            "provider \"aws\" {\n  region = \"eu-west-1\"\n}\nmodule \"leaf\" {\n  source = \"../leaf\"\n}\n",
        ),
        ("leaf/main.tf", "variable \"x\" {\n  default = 1\n}\n"),
    ]);
    let (_, hits, _) = scan_json(&["--select", "VER002", &dir.path().to_string_lossy()]);
    assert!(hits.is_empty(), "{hits:?}");
}

/// A child that is scanned too is built with only what its call changes;
/// an output it does not change is still evaluated when the caller names
/// it, so `latest` written in the child's output reaches the root's
/// resource.
#[test]
fn an_output_the_call_does_not_change_still_reaches_a_caller_that_reads_it() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "module \"api\" {\n  source = \"../child\"\n  name   = \"api\"\n}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{\n    name  = \"app\"\n    image = module.api.image\n  }])\n}\n",
        ),
        (
            "child/main.tf",
            "variable \"name\" {}\noutput \"image\" {\n  value = \"nginx:latest\"\n}\noutput \"unread\" {\n  value = \"x\"\n}\n",
        ),
    ]);
    // the whole tree: `child/` is scanned on its own as well
    let (_, hits, _) = scan_json(&["--select", "TAG001", &dir.path().to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("root/main.tf"), "{hits:?}");
    assert_eq!((hits[0].line, hits[0].column), (9, 13), "{hits:?}");
}

/// An instance of a scanned child whose call changes nothing the scan
/// reports is not evaluated: here the leaf's instance under `root → mid`
/// gets its image from `mid/main.tf`, which `mid`'s own document reports.
/// Documents: root, mid, leaf, and the leaf's instance under `mid`.
#[test]
fn a_pruned_instance_left_empty_is_not_evaluated() {
    let dir = common::temp_tree(&[
        (
            "root/main.tf",
            "module \"mid\" {\n  source = \"../mid\"\n}\n",
        ),
        (
            "mid/main.tf",
            "module \"leaf\" {\n  source = \"../leaf\"\n  image  = \"nginx:latest\"\n}\n",
        ),
        (
            "leaf/main.tf",
            "variable \"image\" {}\nresource \"aws_ecs_task_definition\" \"app\" {\n  family = \"app\"\n  container_definitions = jsonencode([{ name = \"app\", image = var.image }])\n}\n",
        ),
    ]);
    let (_, hits, report) = scan_json(&["--select", "TAG001", &dir.path().to_string_lossy()]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].path.ends_with("mid/main.tf"), "{hits:?}");
    assert_eq!(report["summary"]["documents"], 4, "{report}");
}
