//! Module-level tests: shape, values, spans and provenance of the document.

use super::*;
use crate::document::PathSeg;
use serde_json::json;

/// Builds a module `app` from (file name, text) pairs; files sorted by name
/// as discovery gives them. `dir` is where `file()` reads.
fn parse_in(dir: &Path, files: &[(&str, &str)], options: &Options) -> Parsed {
    let mut sorted: Vec<_> = files.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let files: Vec<Arc<SourceFile>> = sorted
        .iter()
        .map(|(n, t)| Arc::new(SourceFile::new(format!("app/{n}"), *t)))
        .collect();
    parse_module(dir, &files, options)
}

fn doc(files: &[(&str, &str)]) -> Document {
    let mut p = parse_in(Path::new("/nonexistent"), files, &Options::default());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.documents.len(), 1);
    p.documents.remove(0)
}

fn path(p: &str) -> Vec<PathSeg> {
    let mut out = Vec::new();
    for part in p.split('.').filter(|s| !s.is_empty()) {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(PathSeg::Key(key.to_string()));
        }
        for idx in rest.split('[') {
            let idx = idx.trim_end_matches(']');
            if !idx.is_empty() {
                out.push(PathSeg::Index(idx.parse().unwrap()));
            }
        }
    }
    out
}

fn value<'a>(d: &'a Document, p: &str) -> &'a Value {
    let mut v = &d.input;
    for seg in path(p) {
        v = match seg {
            PathSeg::Key(k) => &v[k.as_str()],
            PathSeg::Index(i) => &v[i],
        };
    }
    v
}

fn span(d: &Document, p: &str) -> Span {
    let segs = path(p);
    let (node, depth) = d.source_map.locate(&segs);
    assert_eq!(depth, segs.len(), "no source map node for {p}");
    node.span
}

/// `file:line:col` of the value at `p`.
fn at(d: &Document, p: &str) -> String {
    let s = span(d, p);
    let f = &d.files[s.file as usize];
    let pos = f.position(s.start as usize);
    format!("{}:{}:{}", f.name(), pos.line, pos.column)
}

/// The source text the value at `p` is located at.
fn text<'a>(d: &'a Document, p: &str) -> &'a str {
    let s = span(d, p);
    &d.files[s.file as usize].text[s.start as usize..s.end as usize]
}

fn prov<'a>(d: &'a Document, p: &str) -> &'a str {
    d.provenance
        .get(&path(p))
        .map(|v| v.note.as_str())
        .unwrap_or_else(|| panic!("no provenance at {p}: {:?}", d.provenance))
}

const SG: &str = r#"resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port = 443
  }
  provisioner "remote-exec" {
    inline = ["echo hi"]
    connection {
      type = "ssh"
    }
  }
  lifecycle {
    ignore_changes = [tags]
  }
}
"#;

#[test]
fn hcl_blocks_become_lists_with_labels_and_header_spans() {
    let d = doc(&[("main.tf", SG)]);
    assert_eq!(d.label, "app");
    assert_eq!(value(&d, "module"), "app");
    assert_eq!(value(&d, "files"), &json!(["main.tf"]));
    let r = value(&d, "resources[0]");
    assert_eq!(r["type"], "aws_security_group");
    assert_eq!(r["address"], "aws_security_group.web");
    assert_eq!(r["file"], "main.tf");
    let c = &r["config"];
    assert_eq!(c["ingress"][0]["from_port"], 22);
    assert_eq!(c["ingress"][1]["from_port"], 443);
    assert_eq!(
        c["provisioner"][0]["remote-exec"]["inline"],
        json!(["echo hi"])
    );
    assert_eq!(
        c["provisioner"][0]["remote-exec"]["connection"][0]["type"],
        "ssh"
    );
    assert_eq!(c["lifecycle"][0]["ignore_changes"], json!(["tags"]));
    // spans: headers for blocks, expressions for values
    assert_eq!(
        text(&d, "resources[0]"),
        r#"resource "aws_security_group" "web""#
    );
    assert_eq!(at(&d, "resources[0].config"), "main.tf:1:1");
    assert_eq!(text(&d, "resources[0].type"), r#""aws_security_group""#);
    assert_eq!(text(&d, "resources[0].config.name"), r#""web""#);
    assert_eq!(at(&d, "resources[0].config.name"), "main.tf:2:10");
    assert_eq!(at(&d, "resources[0].config.ingress[1]"), "main.tf:7:3");
    assert_eq!(text(&d, "resources[0].config.ingress[1]"), "ingress");
    assert_eq!(
        text(&d, "resources[0].config.ingress[0].cidr_blocks[0]"),
        r#""0.0.0.0/0""#
    );
    assert_eq!(
        text(&d, "resources[0].config.provisioner[0].remote-exec"),
        r#"provisioner "remote-exec""#
    );
    assert_eq!(
        at(
            &d,
            "resources[0].config.provisioner[0].remote-exec.connection[0].type"
        ),
        "main.tf:13:14"
    );
}

#[test]
fn top_level_sections_have_names_addresses_and_shapes() {
    let d = doc(&[(
        "main.tf",
        r#"terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
  backend "s3" {
    bucket = "state"
  }
}
provider "aws" {
  alias  = "east"
  region = "us-east-1"
}
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}
data "aws_ami" "ubuntu" {
  most_recent = true
}
variable "image_tag" {
  type    = string
  default = "latest"
}
output "id" {
  value = module.vpc.vpc_id
}
"#,
    )]);
    assert_eq!(value(&d, "root"), true);
    let t = value(&d, "terraform[0].config");
    assert_eq!(t["required_version"], ">= 1.5");
    assert_eq!(
        t["required_providers"],
        json!([{"aws": {"source": "hashicorp/aws", "version": "~> 5.0"}}])
    );
    assert_eq!(t["backend"], json!([{"s3": {"bucket": "state"}}]));
    assert_eq!(value(&d, "providers[0].name"), "aws");
    assert_eq!(value(&d, "providers[0].alias"), "east");
    assert_eq!(value(&d, "modules[0].address"), "module.vpc");
    assert_eq!(value(&d, "modules[0].config.version"), "5.1.0");
    assert_eq!(value(&d, "data[0].address"), "data.aws_ami.ubuntu");
    assert_eq!(value(&d, "variables[0].name"), "image_tag");
    assert_eq!(value(&d, "variables[0].config.type"), "string");
    assert_eq!(value(&d, "variables[0].config.default"), "latest");
    assert_eq!(value(&d, "outputs[0].config.value"), "${module.vpc.vpc_id}");
    assert_eq!(text(&d, "modules[0]"), r#"module "vpc""#);
    assert_eq!(
        text(&d, "terraform[0].config.required_providers[0].aws.version"),
        r#""~> 5.0""#
    );
    assert_eq!(value(&d, "providers[0].name"), "aws");
}

#[test]
fn root_is_detected_from_backend_providers_or_tfvars() {
    let child = doc(&[("main.tf", "resource \"a\" \"b\" {}\n")]);
    assert_eq!(value(&child, "root"), false);
    let with_tfvars = doc(&[
        ("main.tf", "resource \"a\" \"b\" {}\n"),
        ("terraform.tfvars", "x = 1\n"),
    ]);
    assert_eq!(value(&with_tfvars, "root"), true);
    let with_cloud = doc(&[("main.tf", "terraform {\n  cloud {}\n}\n")]);
    assert_eq!(value(&with_cloud, "root"), true);
}

const SG_JSON: &str = r#"{
  "variable": {"port": {"default": 22}},
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web",
        "ingress": [
          {"from_port": "${var.port}", "cidr_blocks": ["0.0.0.0/0"]},
          {"from_port": 443}
        ],
        "provisioner": {"remote-exec": {"inline": ["echo hi"]}},
        "lifecycle": {"ignore_changes": ["tags"]},
        "tags": {"Name": "web-${var.port}"}
      }
    }
  }
}
"#;

#[test]
fn tf_json_has_the_same_shape_and_spans_into_the_json() {
    let d = doc(&[("main.tf.json", SG_JSON)]);
    let r = value(&d, "resources[0]");
    assert_eq!(r["address"], "aws_security_group.web");
    let c = &r["config"];
    assert_eq!(c["ingress"][0]["from_port"], 22, "template evaluated");
    assert_eq!(c["ingress"][1]["from_port"], 443);
    assert_eq!(
        c["provisioner"],
        json!([{"remote-exec": {"inline": ["echo hi"]}}])
    );
    assert_eq!(c["lifecycle"], json!([{"ignore_changes": ["tags"]}]));
    assert_eq!(c["tags"], json!({"Name": "web-22"}));
    assert_eq!(text(&d, "resources[0].config.name"), r#""web""#);
    assert_eq!(at(&d, "resources[0].config.name"), "main.tf.json:6:17");
    assert_eq!(
        text(&d, "resources[0].config.ingress[0].from_port"),
        r#""${var.port}""#
    );
    assert_eq!(
        prov(&d, "resources[0].config.ingress[0].from_port"),
        "`22` from the default of variable `port` (main.tf.json:2)"
    );
    assert_eq!(
        at(&d, "resources[0].config.ingress[1].from_port"),
        "main.tf.json:9:25"
    );
}

#[test]
fn tf_json_top_levels_may_be_arrays() {
    let d = doc(&[(
        "main.tf.json",
        r#"{"resource": [{"aws_instance": {"a": [{"ami": "x"}]}}, {"aws_instance": {"b": {"ami": "y"}}}],
           "terraform": {"required_providers": {"aws": {"version": "~> 5"}}, "backend": {"s3": {}}},
           "locals": [{"x": 1}, {"y": "${local.x + 1}"}]}"#,
    )]);
    assert_eq!(value(&d, "resources[0].address"), "aws_instance.a");
    assert_eq!(value(&d, "resources[1].config.ami"), "y");
    assert_eq!(
        value(&d, "terraform[0].config.required_providers"),
        &json!([{"aws": {"version": "~> 5"}}])
    );
    assert_eq!(
        value(&d, "terraform[0].config.backend"),
        &json!([{"s3": {}}])
    );
    assert_eq!(value(&d, "root"), true);
    assert_eq!(value(&d, "locals"), &json!({"x": 1, "y": 2}));
}

/// Evaluates `expr` as a local in a module with some variables and locals.
fn eval_local(expr: &str) -> Value {
    let d = doc(&[(
        "main.tf",
        &format!(
            "variable \"tag\" {{\n  default = \"latest\"\n}}\nvariable \"list\" {{\n  default = [\"a\", \"b\"]\n}}\nlocals {{\n  m = {{ a = 1, b = \"x\" }}\n  out = {expr}\n}}\n"
        ),
    )]);
    d.input["locals"]["out"].clone()
}

#[test]
fn every_function_evaluates() {
    let cases: &[(&str, Value)] = &[
        (r#"jsonencode({a = [1, "x"]})"#, json!({"a": [1, "x"]})),
        (
            r#"jsondecode("{\"a\": [1, true]}")"#,
            json!({"a": [1, true]}),
        ),
        (r#"jsondecode(jsonencode({a = 1}))"#, json!({"a": 1})),
        (r#""${jsonencode({a = 1})}""#, json!({"a": 1})),
        (r#""x=${jsonencode({a = 1})}""#, json!("x={\"a\":1}")),
        (
            r#"format("%s-%03d-%v-%q-%t-%.2f-%x", "a", 7, 1.5, "q", true, 3.14159, 255)"#,
            json!("a-007-1.5-\"q\"-true-3.14-ff"),
        ),
        (r#"format("%-4s|%4s|%%", "a", "b")"#, json!("a   |   b|%")),
        (r#"join("-", ["a", "b"], [1])"#, json!("a-b-1")),
        (r#"split(",", "a,b,,c")"#, json!(["a", "b", "", "c"])),
        (r#"split(",", "")"#, json!([""])),
        (r#"concat(["a"], var.list, [])"#, json!(["a", "a", "b"])),
        (
            r#"merge(local.m, { b = "y", c = null })"#,
            json!({"a": 1, "b": "y", "c": null}),
        ),
        (r#"lookup(local.m, "b", "d")"#, json!("x")),
        (r#"lookup(local.m, "z", "d")"#, json!("d")),
        (r#"try(local.m.missing, "fallback")"#, json!("fallback")),
        (
            r#"try(aws_instance.x.id, "fallback")"#,
            json!("${try(aws_instance.x.id, \"fallback\")}"),
        ),
        (r#"can(local.m.missing)"#, json!(false)),
        (r#"can(local.m.a)"#, json!(true)),
        (r#"coalesce("", null, "c")"#, json!("c")),
        (r#"lower("AbC")"#, json!("abc")),
        (r#"upper("AbC")"#, json!("ABC")),
        (r#"replace("a-b-c", "-", "_")"#, json!("a_b_c")),
        (r#"replace("v1.2.3", "/v(\\d+)\\..*/", "$1")"#, json!("1")),
        (r#"tostring(5)"#, json!("5")),
        (r#"tonumber("42")"#, json!(42)),
        (r#"tolist(["a"])"#, json!(["a"])),
        (r#"toset(["b", "a", "b"])"#, json!(["a", "b"])),
        // as `terraform console` prints them: numbers by value, false first,
        // mixed scalars as strings
        ("toset([3, 1, 2, 10])", json!([1, 2, 3, 10])),
        // grapheme clusters, as `terraform console` counts them
        ("length(\"e\\u0301x\")", json!(2)),
        ("toset([true, false, true])", json!([false, true])),
        (r#"toset(["b", 1, "a"])"#, json!(["1", "a", "b"])),
        (r#"tomap({ a = 1 })"#, json!({"a": 1})),
        (r#"element(var.list, 3)"#, json!("b")),
        (
            r#"length(var.list) + length("héllo") + length(local.m)"#,
            json!(9),
        ),
        (r#"keys({ b = 1, a = 2 })"#, json!(["a", "b"])),
        (r#"values({ b = 1, a = 2 })"#, json!([2, 1])),
        (r#"contains(var.list, "b")"#, json!(true)),
        (r#"flatten([["a"], [["b"]], "c"])"#, json!(["a", "b", "c"])),
        (r#"trimspace("  x ")"#, json!("x")),
        (r#"concat(var.list...)"#, json!("${concat(var.list...)}")),
        (r#"upper(var.list...)"#, json!("${upper(var.list...)}")),
    ];
    for (expr, want) in cases {
        assert_eq!(&eval_local(expr), want, "{expr}");
    }
}

#[test]
fn expressions_evaluate_like_terraform() {
    let cases: &[(&str, Value)] = &[
        (r#""${var.tag}-${1 + 2}""#, json!("latest-3")),
        (r#"var.tag == "latest" ? "yes" : "no""#, json!("yes")),
        (r#"!true || 3 > 2 && 4 % 3 == 1"#, json!(true)),
        (r#"-(2 * 3) / 4"#, json!(-1.5)),
        (
            r#"[for s in var.list : upper(s) if s != "a"]"#,
            json!(["B"]),
        ),
        (
            r#"{for i, s in var.list : s => i}"#,
            json!({"a": 0, "b": 1}),
        ),
        (
            r#"{for s in ["a", "b", "a"] : s => s...}"#,
            json!({"a": ["a", "a"], "b": ["b"]}),
        ),
        (r#"[{ id = 1 }, { id = 2 }][*].id"#, json!([1, 2])),
        (r#"local.m["b"]"#, json!("x")),
        (r#"var.list.1"#, json!("b")),
        (r#"(var.list)[0]"#, json!("a")),
        (
            "<<-EOT\n    %{ for s in var.list ~}\n    - ${s}\n    %{ endfor ~}\n    %{ if var.tag == \"latest\" }bad%{ else }ok%{ endif }\n    EOT",
            json!("- a\n- b\nbad\n"),
        ),
        (r#""$${not.interpolated}""#, json!("${not.interpolated}")),
        (r#"local.m.missing"#, json!("${local.m.missing}")),
        (r#"1 / 0"#, json!("${1 / 0}")),
    ];
    for (expr, want) in cases {
        assert_eq!(&eval_local(expr), want, "{expr}");
    }
}

#[test]
fn unknowns_are_kept_as_text_without_breaking_the_rest() {
    let d = doc(&[(
        "main.tf",
        r#"resource "aws_autoscaling_group" "a" {
  count   = length(var.zones)
  version = aws_launch_template.app.latest_version
  image   = "${aws_ecr_repository.r.repository_url}:latest"
  name    = "asg-${count.index}"
  path    = "${path.module}/x"
  cidr    = cidrsubnet("10.0.0.0/16", 8, 1)
  stamp   = timestamp()
  each_k  = each.key
  tags = {
    Name = "web"
    Id   = random_id.x.hex
  }
  template = <<EOT
  host ${self.private_ip}
EOT
}
"#,
    )]);
    let c = value(&d, "resources[0].config");
    assert_eq!(c["count"], "${length(var.zones)}");
    assert_eq!(c["version"], "${aws_launch_template.app.latest_version}");
    assert_eq!(c["image"], "${aws_ecr_repository.r.repository_url}:latest");
    assert_eq!(c["name"], "asg-${count.index}");
    assert_eq!(c["path"], "${path.module}/x");
    // a pure function is evaluated (`terraform console` prints this), an
    // impure one stays unknown
    assert_eq!(c["cidr"], "10.0.1.0/24");
    assert_eq!(c["stamp"], "${timestamp()}");
    assert_eq!(c["each_k"], "${each.key}");
    assert_eq!(
        c["tags"],
        json!({"Name": "web", "Id": "${random_id.x.hex}"})
    );
    assert_eq!(c["template"], "  host ${self.private_ip}\n");
    assert_eq!(
        text(&d, "resources[0].config.version"),
        "aws_launch_template.app.latest_version"
    );
}

#[test]
fn variable_values_follow_terraform_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let vf = dir.path().join("prod.tfvars");
    std::fs::write(&vf, "tag = \"from-var-file\"\n").unwrap();
    let base = [
        (
            "variables.tf",
            "variable \"tag\" {\n  default = \"latest\"\n}\n",
        ),
        ("main.tf", "locals {\n  t = var.tag\n}\n"),
    ];
    let tag = |extra: &[(&str, &str)], options: &Options| {
        let mut files = base.to_vec();
        files.extend_from_slice(extra);
        let mut p = parse_in(dir.path(), &files, options);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = p.documents.remove(0);
        (
            value(&d, "locals.t").clone(),
            prov(&d, "locals.t").to_string(),
        )
    };
    let none = Options::default();
    assert_eq!(
        tag(&[], &none),
        (
            json!("latest"),
            "`latest` from the default of variable `tag` (variables.tf:2)".into()
        )
    );
    let tfvars = ("terraform.tfvars", "\ntag = \"from-tfvars\"\n");
    assert_eq!(
        tag(&[tfvars], &none),
        (
            json!("from-tfvars"),
            "`from-tfvars` from variable `tag` set in terraform.tfvars:2".into()
        )
    );
    let auto_a = ("a.auto.tfvars", "tag = \"auto-a\"\n");
    let auto_b = ("b.auto.tfvars.json", "{\"tag\": \"auto-b\"}");
    assert_eq!(tag(&[tfvars, auto_b, auto_a], &none).0, json!("auto-b"));
    assert_eq!(tag(&[auto_a, tfvars], &none).0, json!("auto-a"));
    let with_file = Options {
        var_files: vec![vf.clone()],
    };
    let (v, p) = tag(&[tfvars, auto_a, auto_b], &with_file);
    assert_eq!(v, json!("from-var-file"));
    assert_eq!(
        p,
        "`from-var-file` from variable `tag` set in prod.tfvars:1"
    );
    // undeclared variables in tfvars are ignored, a missing var file is an error
    let missing = Options {
        var_files: vec![dir.path().join("nope.tfvars")],
    };
    let p = parse_in(dir.path(), &base, &missing);
    assert_eq!(p.errors.len(), 1);
    assert!(p.errors[0].message.contains("cannot read variable file"));
    assert_eq!(p.documents.len(), 1);
}

#[test]
fn locals_resolve_in_any_order_and_cycles_stay_text() {
    let d = doc(&[
        (
            "a.tf",
            "locals {\n  url = \"${local.host}:${var.port}\"\n  a = local.b\n  b = local.a\n  c = \"${local.a}-x\"\n}\n",
        ),
        (
            "b.tf",
            "locals {\n  host = \"db\"\n}\nvariable \"port\" {\n  default = 5432\n}\n",
        ),
    ]);
    assert_eq!(value(&d, "locals.url"), "db:5432");
    assert_eq!(
        prov(&d, "locals.url"),
        "`db:5432` from local `host` (b.tf:2) → the default of variable `port` (b.tf:5)"
    );
    assert_eq!(value(&d, "locals.a"), "${local.b}");
    assert_eq!(value(&d, "locals.b"), "${local.a}");
    assert_eq!(value(&d, "locals.c"), "${local.a}-x");
}

const ECS: &str = r#"resource "aws_ecs_task_definition" "api" {
  family = "api"
  container_definitions = jsonencode([
    {
      name      = "api"
      image     = "${local.registry}/api:${var.tag}"
      essential = true
      memory    = aws_ssm_parameter.mem.value
      portMappings = [{ containerPort = 8080 }]
    }
  ])
}
"#;

#[test]
fn jsonencode_keeps_structure_with_spans_and_provenance() {
    let d = doc(&[
        ("main.tf", ECS),
        (
            "locals.tf",
            "locals {\n  account  = \"123\"\n  registry = \"${local.account}.dkr.ecr.us-east-1.amazonaws.com\"\n}\n",
        ),
        (
            "variables.tf",
            "variable \"tag\" {\n  type    = string\n  default = \"latest\"\n}\n",
        ),
    ]);
    let p = "resources[0].config.container_definitions[0].image";
    assert_eq!(
        value(&d, "resources[0].config.container_definitions[0].name"),
        "api"
    );
    assert_eq!(
        value(&d, p),
        "123.dkr.ecr.us-east-1.amazonaws.com/api:latest"
    );
    assert_eq!(at(&d, p), "main.tf:6:19");
    assert_eq!(text(&d, p), r#""${local.registry}/api:${var.tag}""#);
    assert_eq!(
        prov(&d, p),
        "`123.dkr.ecr.us-east-1.amazonaws.com/api:latest` from local `registry` (locals.tf:3) → \
         local `account` (locals.tf:2) → the default of variable `tag` (variables.tf:3)"
    );
    assert_eq!(
        value(&d, "resources[0].config.container_definitions[0].memory"),
        "${aws_ssm_parameter.mem.value}"
    );
    assert_eq!(
        value(
            &d,
            "resources[0].config.container_definitions[0].portMappings[0].containerPort"
        ),
        8080
    );
    assert_eq!(
        text(&d, "resources[0].config.container_definitions"),
        &ECS[ECS.find("jsonencode").unwrap()..ECS.find("  ])").unwrap() + 4]
    );
}

const DYN: &str = r#"variable "rules" {
  default = [
    { port = 22, cidr = "0.0.0.0/0" },
    { port = 443, cidr = "10.0.0.0/8" },
  ]
}
resource "aws_security_group" "sg" {
  ingress {
    from_port = 80
  }
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
      description = "rule ${ingress.key}"
    }
  }
  dynamic "egress" {
    for_each = aws_x.y.rules
    iterator = rule
    content {
      from_port = rule.value.port
      protocol  = "-1"
    }
  }
}
"#;

#[test]
fn dynamic_blocks_expand_over_known_collections() {
    let d = doc(&[("main.tf", DYN)]);
    let c = value(&d, "resources[0].config");
    assert_eq!(c["ingress"].as_array().unwrap().len(), 3);
    assert_eq!(c["ingress"][0]["from_port"], 80);
    assert_eq!(
        c["ingress"][1],
        json!({"from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "rule 0"})
    );
    assert_eq!(c["ingress"][2]["cidr_blocks"], json!(["10.0.0.0/8"]));
    // located at the content expressions, explained by the variable
    assert_eq!(
        at(&d, "resources[0].config.ingress[1].from_port"),
        "main.tf:14:21"
    );
    assert_eq!(
        text(&d, "resources[0].config.ingress[1].from_port"),
        "ingress.value.port"
    );
    assert_eq!(
        text(&d, "resources[0].config.ingress[1].cidr_blocks[0]"),
        "ingress.value.cidr"
    );
    assert_eq!(
        prov(&d, "resources[0].config.ingress[1].cidr_blocks[0]"),
        "`0.0.0.0/0` from the default of variable `rules` (main.tf:2)"
    );
    assert_eq!(
        text(&d, "resources[0].config.ingress[1]"),
        r#"dynamic "ingress""#
    );
    // the dynamic blocks are kept too
    assert_eq!(c["dynamic"][0]["ingress"]["for_each"][0]["port"], 22);
    assert_eq!(
        c["dynamic"][0]["ingress"]["content"][0]["from_port"],
        "${ingress.value.port}"
    );
    // unknown for_each: one entry with the references as text
    assert_eq!(
        c["egress"],
        json!([{"from_port": "${rule.value.port}", "protocol": "-1"}])
    );
}

#[test]
fn dynamic_blocks_expand_in_tf_json_too() {
    let d = doc(&[(
        "main.tf.json",
        r#"{"resource": {"aws_security_group": {"sg": {
  "dynamic": {"ingress": {"for_each": "${[22, 80]}", "content": {"from_port": "${ingress.value}"}}}
}}}}"#,
    )]);
    assert_eq!(
        value(&d, "resources[0].config.ingress"),
        &json!([{"from_port": 22}, {"from_port": 80}])
    );
}

#[test]
fn a_broken_file_is_an_error_and_the_others_still_make_the_document() {
    let p = parse_in(
        Path::new("."),
        &[
            ("bad.tf", "resource \"a\" \"b\" {\n  x = = 1\n}\n"),
            ("good.tf", "resource \"a\" \"c\" {}\n"),
            ("bad.tf.json", "{\"resource\": [}"),
            ("terraform.tfvars", "x = \n"),
        ],
        &Options::default(),
    );
    assert_eq!(p.errors.len(), 3, "{:?}", p.errors);
    let e = &p.errors[0];
    assert_eq!(e.file.path, Path::new("app/bad.tf"));
    let pos = e.file.position(e.start);
    assert_eq!((pos.line, pos.column), (2, 7));
    assert_eq!(p.documents.len(), 1);
    let d = &p.documents[0];
    assert_eq!(value(d, "resources[0].address"), "a.c");
    assert_eq!(value(d, "files").as_array().unwrap().len(), 4);
    // no configuration file parses: no document
    let p = parse_in(Path::new("."), &[("bad.tf", "}")], &Options::default());
    assert_eq!((p.errors.len(), p.documents.len()), (1, 0));
}

#[test]
fn hostile_input_degrades_to_text_without_panicking() {
    // deeper than hcl-edit's nesting limit: a parse error, not a crash
    let deep = format!("x = {}1{}\n", "[".repeat(500), "]".repeat(500));
    let p = parse_in(Path::new("."), &[("deep.tf", &deep)], &Options::default());
    assert_eq!(p.errors.len(), 1);
    // a long chain of locals: evaluated as far as the depth bound allows
    let mut chain = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..200 {
        chain.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    chain.push_str("}\n");
    let d = doc(&[("chain.tf", &chain)]);
    assert_eq!(value(&d, "locals.l10"), "x");
    assert!(value(&d, "locals.l199").is_string());
    // doubling locals: the work budget stops them
    let mut bomb = String::from("locals {\n  b0 = [\"x\", \"y\"]\n  s0 = \"ab\"\n");
    for i in 1..64 {
        bomb.push_str(&format!(
            "  b{i} = concat(local.b{p}, local.b{p})\n  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n",
            p = i - 1
        ));
    }
    bomb.push_str("}\n");
    let p = parse_in(Path::new("."), &[("bomb.tf", &bomb)], &Options::default());
    let d = &p.documents[0];
    assert!(value(d, "locals.b63").is_string());
    assert!(value(d, "locals.s63").is_string());
    // each stops where its own bound is, and says so there (EVAL001): the
    // list at the budget of one expression, the string at 1 MB
    let cut: Vec<(u32, &str)> = p
        .errors
        .iter()
        .inspect(|e| assert_eq!(e.problem, crate::document::Problem::Incomplete))
        .map(|e| (e.file.position(e.start).line, &e.file.text[e.start..e.end]))
        .collect();
    assert_eq!(
        cut,
        [
            (36, "concat(local.b16, local.b16)"),
            (43, "\"${local.s19}${local.s19}\"")
        ]
    );
    assert_eq!(
        value(d, "locals.b16").as_array().map(Vec::len),
        Some(1 << 17)
    );
    assert_eq!(value(d, "locals.s19").as_str().map(str::len), Some(1 << 20));
    // nested dynamic blocks, odd labels, attributes at top level
    let d = doc(&[(
        "odd.tf",
        "x = 1\nresource \"only_type\" {}\nresource {}\nlocals {}\nunknown_block \"a\" {}\n",
    )]);
    assert_eq!(value(&d, "resources[0].address"), "only_type.");
}

#[test]
fn file_reads_module_files_only_and_keeps_json_structure() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("app");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("defs.json"),
        "[\n  {\n    \"name\": \"api\",\n    \"image\": \"nginx:latest\"\n  }\n]\n",
    )
    .unwrap();
    std::fs::write(dir.join("defs.json.tpl"), "[{\"image\": \"${image}\"}]").unwrap();
    std::fs::write(dir.join("script.sh"), "#!/bin/sh\necho hi\n").unwrap();
    std::fs::write(root.path().join("secret.txt"), "outside").unwrap();
    let main = r#"resource "aws_ecs_task_definition" "a" {
  container_definitions = file("defs.json")
  via_module            = file("${path.module}/defs.json")
  decoded               = jsondecode(file("./defs.json"))
  templated             = templatefile("defs.json.tpl", { image = "redis:${var.tag}" })
  script                = file("script.sh")
  outside               = file("../secret.txt")
  missing               = file("nope.txt")
  exists                = [fileexists("script.sh"), fileexists("nope.txt")]
}
variable "tag" {
  default = "7"
}
"#;
    let mut p = parse_in(&dir, &[("main.tf", main)], &Options::default());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let d = p.documents.remove(0);
    let c = value(&d, "resources[0].config");
    assert_eq!(c["container_definitions"][0]["image"], "nginx:latest");
    assert_eq!(c["via_module"][0]["name"], "api");
    assert_eq!(c["decoded"][0]["image"], "nginx:latest");
    assert_eq!(c["templated"], json!([{"image": "redis:7"}]));
    assert_eq!(c["script"], "#!/bin/sh\necho hi\n");
    assert_eq!(c["outside"], "${file(\"../secret.txt\")}");
    assert_eq!(c["missing"], "${file(\"nope.txt\")}");
    assert_eq!(c["exists"], json!([true, false]));
    // spans point into the JSON file, which joins the document's files once
    assert_eq!(
        at(&d, "resources[0].config.container_definitions[0].image"),
        "defs.json:4:14"
    );
    assert_eq!(d.files.len(), 2);
    assert_eq!(d.files[1].path, Path::new("app/defs.json"));
    assert_eq!(
        text(&d, "resources[0].config.container_definitions"),
        "file(\"defs.json\")"
    );
}

#[test]
fn values_from_variables_are_located_at_their_use() {
    let d = doc(&[
        (
            "variables.tf",
            "variable \"image\" {\n  default = \"nginx:latest\"\n}\nvariable \"ports\" {\n  default = { ssh = 22 }\n}\n",
        ),
        (
            "main.tf",
            "resource \"docker_container\" \"c\" {\n  image = var.image\n  port  = var.ports[\"ssh\"]\n  all   = var.ports\n}\n",
        ),
    ]);
    assert_eq!(value(&d, "resources[0].config.image"), "nginx:latest");
    assert_eq!(at(&d, "resources[0].config.image"), "main.tf:2:11");
    assert_eq!(
        prov(&d, "resources[0].config.image"),
        "`nginx:latest` from the default of variable `image` (variables.tf:2)"
    );
    assert_eq!(value(&d, "resources[0].config.port"), 22);
    assert_eq!(text(&d, "resources[0].config.port"), "var.ports[\"ssh\"]");
    assert_eq!(text(&d, "resources[0].config.all.ssh"), "var.ports");
    assert_eq!(
        prov(&d, "resources[0].config.all"),
        "from the default of variable `ports` (variables.tf:5)"
    );
}

/// `lookup` on a reference copies only the entry it returns; the result
/// must be what copying the whole value gives (`lookup((REF), …)`, in
/// parentheses, still copies it whole): value, place and provenance.
#[test]
fn lookup_on_a_reference_reads_one_entry_as_the_whole_value_would_give_it() {
    let calls = [
        r#"local.m, "a", "none""#,
        r#"local.m, "missing", "none""#,
        r#"local.m, "missing""#,
        r#"local.m.inner, "deep", "none""#,
        r#"local.keyed, "a", "none""#,
        r#"local.list, "a", "none""#,
        r#"local.m, var.unset, "none""#,
        r#"var.ports, "ssh", 0"#,
        r#"each.value, "image", "none""#,
        r#"local.m, "a""#,
    ];
    let attrs: String = calls
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "  by_ref_{i} = lookup({c})\n  whole_{i} = lookup(({}){})\n",
                &c[..c.find(',').unwrap()],
                &c[c.find(',').unwrap()..]
            )
        })
        .collect();
    let d = doc(&[
        (
            "variables.tf",
            "variable \"ports\" {\n  default = { ssh = 22 }\n}\nvariable \"unset\" {}\n",
        ),
        (
            "main.tf",
            &format!(
                "locals {{\n  m = {{ a = {{ image = \"nginx:latest\" }}, inner = {{ deep = \"x\" }} }}\n  keyed = {{ (local.name) = 1, b = 2 }}\n  name = \"a\"\n  list = [\"a\"]\n}}\nresource \"docker_container\" \"c\" {{\n  for_each = {{ web = {{ image = \"app:latest\" }} }}\n{attrs}}}\n"
            ),
        ),
    ]);
    for i in 0..calls.len() {
        let (by_ref, whole) = (
            format!("resources[0].config.by_ref_{i}"),
            format!("resources[0].config.whole_{i}"),
        );
        // an unknown result is shown as its expression, parentheses and all
        let arg = &calls[i][..calls[i].find(',').unwrap()];
        let whole_value = value(&d, &whole)
            .to_string()
            .replace(&format!("({arg})"), arg);
        assert_eq!(value(&d, &by_ref).to_string(), whole_value, "{}", calls[i]);
        let whole_text = text(&d, &whole).replace(&format!("({arg})"), arg);
        let whole_text = match whole_text.strip_prefix('(') {
            Some(inner) => inner.strip_suffix(')').unwrap_or(inner).to_string(),
            None => whole_text,
        };
        assert_eq!(text(&d, &by_ref), whole_text, "{}", calls[i]);
        let note = |p: &str| {
            d.provenance
                .get(&path(p))
                .map(|v| (v.note.clone(), v.sources.len()))
        };
        assert_eq!(note(&by_ref), note(&whole), "{}", calls[i]);
    }
    assert_eq!(
        value(&d, "resources[0].config.by_ref_0.image"),
        "nginx:latest"
    );
    assert_eq!(text(&d, "resources[0].config.by_ref_0.image"), "local.m");
    assert_eq!(value(&d, "resources[0].config.by_ref_8"), "app:latest");
}

/// A module that looks up a large map once per element (fabric's project
/// module does it per API) stays within its budget: each `lookup` copies
/// the one entry it returns, where copying the whole map every time went
/// over the budget and the result was reported as not evaluated.
#[test]
fn lookups_in_a_large_map_stay_within_the_budget() {
    let names: Vec<String> = (0..2000).map(|i| format!("\"n{i}\"")).collect();
    let text = format!(
        "locals {{\n  names = [{}]\n  by_name = {{ for n in local.names : n => \"image-${{n}}:1\" }}\n  picked = [for n in local.names : lookup(local.by_name, n, \"\")]\n}}\n",
        names.join(", ")
    );
    let p = parse_in(Path::new("."), &[("main.tf", &text)], &Options::default());
    assert!(incomplete(&p).is_empty(), "{:?}", incomplete(&p));
    let picked = value(&p.documents[0], "locals.picked");
    assert_eq!(picked.as_array().map(Vec::len), Some(2000));
    assert_eq!(picked[1999], "image-n1999:1");
}

#[test]
fn meta_arguments_and_labeled_dynamic_blocks() {
    let d = doc(&[(
        "main.tf",
        r#"variable "names" {
  type    = list(object({ name = string }))
  default = ["b", "a"]
}
resource "aws_instance" "web" {
  for_each   = toset(var.names)
  provider   = aws.east
  depends_on = [aws_iam_role.r, module.m]
  lifecycle {
    ignore_changes        = all
    replace_triggered_by  = [null_resource.x.id]
    create_before_destroy = true
  }
  dynamic "provisioner" {
    for_each = var.names
    labels   = ["local-exec"]
    content {
      command = "echo ${provisioner.value}"
    }
  }
}
"#,
    )]);
    assert_eq!(
        value(&d, "variables[0].config.type"),
        "list(object({ name = string }))"
    );
    let c = value(&d, "resources[0].config");
    assert_eq!(c["for_each"], json!(["a", "b"]));
    assert_eq!(c["provider"], "aws.east");
    assert_eq!(c["depends_on"], json!(["aws_iam_role.r", "module.m"]));
    assert_eq!(c["lifecycle"][0]["ignore_changes"], "all");
    assert_eq!(
        c["lifecycle"][0]["replace_triggered_by"],
        json!(["null_resource.x.id"])
    );
    assert_eq!(
        c["provisioner"],
        json!([
            {"local-exec": {"command": "echo b"}},
            {"local-exec": {"command": "echo a"}}
        ])
    );
    assert_eq!(
        text(&d, "resources[0].config.provisioner[1].local-exec.command"),
        r#""echo ${provisioner.value}""#
    );
}

#[test]
fn tf_json_comments_and_meta_arguments_match_hcl() {
    let d = doc(&[(
        "main.tf.json",
        r#"{"//": "top comment",
 "variable": {"v": {"type": "string", "default": "${not_a_template}"}},
 "resource": {"aws_instance": {"web": {
   "//": "ignored",
   "ami": "${var.v}",
   "depends_on": ["aws_iam_role.r"],
   "lifecycle": {"ignore_changes": "all"}
 }}}}"#,
    )]);
    let c = value(&d, "resources[0].config");
    assert_eq!(c.get("//"), None);
    assert_eq!(c["ami"], "${not_a_template}", "JSON defaults are literal");
    assert_eq!(c["depends_on"], json!(["aws_iam_role.r"]));
    assert_eq!(c["lifecycle"], json!([{"ignore_changes": "all"}]));
    assert_eq!(value(&d, "variables[0].config.type"), "string");
}

/// The fenced block of docs/input-terraform.md whose info string has
/// `title="name"`.
fn doc_block<'a>(md: &'a str, title: &str) -> &'a str {
    let marker = format!("title=\"{title}\"\n");
    let start = md
        .find(&marker)
        .unwrap_or_else(|| panic!("no {title} block"))
        + marker.len();
    let end = start + md[start..].find("```").unwrap();
    &md[start..end]
}

#[test]
fn the_documented_example_is_what_the_parser_produces() {
    let md = include_str!("../../../docs/input-terraform.md");
    let files: Vec<Arc<SourceFile>> = ["main.tf", "variables.tf"]
        .iter()
        .map(|n| Arc::new(SourceFile::new(format!("infra/app/{n}"), doc_block(md, n))))
        .collect();
    let mut p = parse_module(Path::new("infra/app"), &files, &Options::default());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let d = p.documents.remove(0);
    let want: Value = serde_json::from_str(doc_block(md, "input")).unwrap();
    assert_eq!(d.input, want);
    // listed by path, as the documentation lists them
    let mut entries: Vec<_> = d.provenance.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let prov: Vec<String> = entries
        .into_iter()
        .map(|(k, v)| format!("{} => {}", crate::document::display_path(k), v.note))
        .collect();
    assert_eq!(prov.join("\n"), doc_block(md, "provenance").trim_end());
    assert_eq!(
        at(&d, "resources[1].config.container_definitions[0].image"),
        "main.tf:39:13"
    );
}

#[test]
fn heredoc_json_is_structured_with_spans_into_the_heredoc() {
    let d = doc(&[(
        "main.tf",
        "resource \"aws_ecs_task_definition\" \"a\" {\n  container_definitions = <<-EOF\n    [\n      {\"image\": \"nginx:latest\"}\n    ]\n  EOF\n  policy = <<EOF\n{\"Resource\": \"${var.arn}\"}\nEOF\n  unit = <<EOF\n[Unit]\nEOF\n}\nvariable \"arn\" {\n  default = \"*\"\n}\n",
    )]);
    let c = value(&d, "resources[0].config");
    assert_eq!(
        c["container_definitions"],
        json!([{"image": "nginx:latest"}])
    );
    assert_eq!(
        text(&d, "resources[0].config.container_definitions[0].image"),
        "\"nginx:latest\""
    );
    assert_eq!(
        at(&d, "resources[0].config.container_definitions[0].image"),
        "main.tf:4:17"
    );
    assert_eq!(c["policy"], json!({"Resource": "*"}));
    assert_eq!(
        at(&d, "resources[0].config.policy.Resource"),
        "main.tf:7:12"
    );
    assert_eq!(c["unit"], "[Unit]\n");
}

/// Every span of a document points inside one of its files.
fn assert_spans_valid(d: &Document) {
    d.source_map.for_each_span(&mut |s| {
        let f = d.files.get(s.file as usize).expect("span file index");
        assert!(s.start <= s.end && s.end as usize <= f.text.len(), "{s:?}");
    });
}

#[test]
fn truncated_files_never_panic_and_spans_stay_in_their_files() {
    let md = include_str!("../../../docs/input-terraform.md");
    let samples = [
        ("main.tf", doc_block(md, "main.tf")),
        ("dyn.tf", DYN),
        ("sg.tf", SG),
        ("ecs.tf", ECS),
        ("main.tf.json", SG_JSON),
    ];
    for (name, text) in samples {
        for cut in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let p = parse_in(Path::new("."), &[(name, &text[..cut])], &Options::default());
            for d in &p.documents {
                assert_spans_valid(d);
            }
            for e in &p.errors {
                assert!(e.start <= e.file.text.len(), "{name} cut at {cut}");
            }
        }
    }
}

#[test]
fn deep_expressions_near_the_parser_limit_evaluate_or_degrade() {
    let mut expr = String::from("var.v");
    for i in 0..60 {
        expr = match i % 5 {
            0 => format!("[{expr}]"),
            1 => format!("{{ a = {expr} }}"),
            2 => format!("try({expr}, 1)"),
            3 => format!("({expr})"),
            _ => format!("jsonencode({expr})"),
        };
    }
    let text =
        format!("variable \"v\" {{\n  default = \"x\"\n}}\nlocals {{\n  deep = {expr}\n}}\n");
    let p = parse_in(Path::new("."), &[("deep.tf", &text)], &Options::default());
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let d = &p.documents[0];
    assert_spans_valid(d);
    let deep = d.input["locals"]["deep"].to_string();
    assert!(deep.contains("\"x\""), "{deep}");
    // JSON syntax nests blocks without a parser limit of its own
    let mut json_doc = String::from("{\"x\": 1}");
    for _ in 0..30 {
        json_doc = format!("{{\"dynamic\": {{\"d\": {{\"content\": {json_doc}}}}}}}");
    }
    let json_doc = format!("{{\"resource\": {{\"a\": {{\"b\": {json_doc}}}}}}}");
    let p = parse_in(
        Path::new("."),
        &[("deep.tf.json", &json_doc)],
        &Options::default(),
    );
    assert_eq!(p.documents.len(), 1, "{:?}", p.errors);
    assert_spans_valid(&p.documents[0]);
}

/// The EVAL001 diagnostics of a parse: (file name, line, source text).
fn incomplete(p: &Parsed) -> Vec<(String, u32, String)> {
    p.errors
        .iter()
        .inspect(|e| assert_eq!(e.problem, crate::document::Problem::Incomplete, "{e:?}"))
        .map(|e| {
            let line = e.file.position(e.start).line;
            (
                e.file.name().to_string(),
                line,
                e.file.text[e.start..e.end].to_string(),
            )
        })
        .collect()
}

#[test]
fn an_expression_out_of_budget_is_reported_and_does_not_starve_the_others() {
    let numbers: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let heavy = format!(
        "locals {{\n  numbers = [{}]\n  pairs = [for a in local.numbers : [for b in local.numbers : \"${{a}}-${{b}}\"]]\n}}\n",
        numbers.join(", ")
    );
    let sg = "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port = 22\n  }\n  name = local.pairs\n}\n";
    for (heavy_name, sg_name) in [("a.tf", "b.tf"), ("b.tf", "a.tf")] {
        let p = parse_in(
            Path::new("."),
            &[(heavy_name, &heavy), (sg_name, sg)],
            &Options::default(),
        );
        let d = &p.documents[0];
        assert_eq!(value(d, "resources[0].config.ingress[0].from_port"), 22);
        assert_eq!(value(d, "resources[0].config.name"), "${local.pairs}");
        assert_eq!(
            value(d, "locals.numbers").as_array().map(Vec::len),
            Some(1000)
        );
        let at = incomplete(&p);
        assert_eq!(at.len(), 1, "{at:?}");
        assert_eq!((at[0].0.as_str(), at[0].1), (heavy_name, 3));
        assert!(at[0].2.starts_with("[for a in local.numbers"));
        assert!(p.errors[0].message.contains("local `pairs`"));
    }
}

#[test]
fn a_module_of_plain_literals_is_evaluated_whole() {
    // 14 units per resource: 60,000 of them are over one expression's budget
    let mut text = String::new();
    for i in 0..60_000 {
        text.push_str(&format!(
            "resource \"aws_instance\" \"r{i}\" {{\n  ami = \"ami-1\"\n  tags = {{ Name = \"r{i}\", Team = \"x\", Env = \"y\" }}\n  ports = [22, 80, 443, 8080, 8443, 9000, 9090, 9443]\n}}\n"
        ));
    }
    let p = parse_in(Path::new("."), &[("main.tf", &text)], &Options::default());
    assert!(p.errors.is_empty(), "{:?}", incomplete(&p));
    let d = &p.documents[0];
    assert_eq!(value(d, "resources[59999].config.ports[0]"), 22);
    assert_eq!(value(d, "resources[59999].config.tags.Name"), "r59999");
}

#[test]
fn values_cut_by_depth_and_size_bounds_are_reported_where_they_are() {
    // a chain read from its far end goes deeper than 64 levels
    let mut chain = String::from("locals {\n");
    for i in (1..100).rev() {
        chain.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    chain.push_str("  l0 = \"x\"\n}\n");
    let p = parse_in(Path::new("."), &[("chain.tf", &chain)], &Options::default());
    let at = incomplete(&p);
    assert!(!at.is_empty());
    assert!(p.errors.iter().all(|e| e.message.contains("64 levels")));
    // a function result over 1 MB: 600 KB twice
    let numbers: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let text = format!(
        "locals {{\n  n = [{}]\n  k = \"{}\"\n  s = join(\"\", [for i in local.n : local.k])\n  big = format(\"%s%s\", local.s, local.s)\n}}\n",
        numbers.join(","),
        "x".repeat(600)
    );
    let p = parse_in(Path::new("."), &[("s.tf", &text)], &Options::default());
    let at = incomplete(&p);
    assert_eq!(at.len(), 1, "{at:?}");
    assert_eq!(
        (at[0].1, at[0].2.as_str()),
        (5, "format(\"%s%s\", local.s, local.s)")
    );
    assert_eq!(
        value(&p.documents[0], "locals.s").as_str().map(str::len),
        Some(600_000)
    );
    // a file over 1 MB
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("big.txt"), "x".repeat((1 << 20) + 1)).unwrap();
    std::fs::write(root.path().join("small.txt"), "y").unwrap();
    let main = "locals {\n  big   = file(\"big.txt\")\n  small = file(\"small.txt\")\n  there = fileexists(\"big.txt\")\n}\n";
    let p = parse_in(root.path(), &[("main.tf", main)], &Options::default());
    assert_eq!(
        incomplete(&p),
        [("main.tf".to_string(), 2, "file(\"big.txt\")".to_string())]
    );
    let d = &p.documents[0];
    assert_eq!(value(d, "locals.small"), "y");
    assert_eq!(value(d, "locals.there"), true);
    assert!(p.errors[0].message.contains("1 MB"));
}

#[test]
fn files_beyond_the_module_limit_are_reported_not_dropped() {
    let files: Vec<Arc<SourceFile>> = (0..MAX_FILES + 2)
        .map(|i| Arc::new(SourceFile::new(format!("app/f{i:06}.tf"), "")))
        .collect();
    let p = parse_module(Path::new("."), &files, &Options::default());
    assert_eq!(p.documents.len(), 1);
    let dropped: Vec<String> = p.errors.iter().map(|e| e.file.name().to_string()).collect();
    assert_eq!(dropped, ["f060000.tf", "f060001.tf"]);
    assert!(
        p.errors
            .iter()
            .all(|e| e.problem == crate::document::Problem::Incomplete)
    );
}

#[test]
fn count_and_for_each_expand_into_one_entry_per_instance() {
    let d = doc(&[(
        "main.tf",
        r#"
locals { names = ["a", "b"] }
resource "x" "c" {
  count = 2
  n     = count.index
}
resource "x" "s" {
  for_each = toset(local.names)
  n        = each.key
  v        = each.value
}
resource "x" "m" {
  for_each = { k = { port = 22 } }
  p        = each.value.port
  dynamic "rule" {
    for_each = [each.value.port]
    content { port = rule.value }
  }
}
"#,
    )]);
    let r = &d.input["resources"];
    let addresses: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        [
            "x.c[0]",
            "x.c[1]",
            r#"x.s["a"]"#,
            r#"x.s["b"]"#,
            r#"x.m["k"]"#
        ]
    );
    assert_eq!(r[1]["index"], json!(1));
    assert_eq!(r[1]["config"]["n"], json!(1));
    assert_eq!(r[3]["key"], json!("b"));
    assert_eq!(r[3]["config"]["v"], json!("b"));
    assert_eq!(r[4]["config"]["rule"], json!([{"port": 22}]));
    // each.value stays where the element is written: the `22` in the map
    assert_eq!(text(&d, "resources[4].config.p"), "22");
}

#[test]
fn unknown_empty_or_oversized_collections_keep_one_unexpanded_entry() {
    let mut p = parse_in(
        Path::new("/nonexistent"),
        &[(
            "main.tf",
            r#"
resource "x" "unknown" {
  for_each = data.y.z.names
  n        = each.key
}
resource "x" "none" {
  count = 0
  n     = count.index
}
resource "x" "huge" {
  count = 100000000
  n     = count.index
}
"#,
        )],
        &Options::default(),
    );
    let d = p.documents.remove(0);
    let r = d.input["resources"].as_array().unwrap();
    assert_eq!(r.len(), 3, "{r:?}");
    assert_eq!(r[0]["config"]["n"], json!("${each.key}"));
    assert_eq!(r[1]["config"]["n"], json!("${count.index}"));
    assert_eq!(r[2]["address"], json!("x.huge"));
    // the bound is reported at the count: the gate cannot vouch for it
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert!(p.errors[0].message.contains("instances"), "{:?}", p.errors);
}

/// `templatestring` renders a template held in a string (here a local,
/// escaped so that the local itself is not interpolated), as `terraform
/// console` prints it: `nginx:latest-x` and `nginx:1.2`.
#[test]
fn templatestring_renders_a_template_held_in_a_string() {
    let d = doc(&[(
        "main.tf",
        r#"locals {
  tpl = "nginx:$${tag}%%{ if x }-x%%{ endif }"
}
resource "docker_container" "a" {
  image = templatestring(local.tpl, { tag = "latest", x = true })
  name  = templatestring(local.tpl, { tag = "1.2", x = false })
  other = templatestring(local.tpl, { tag = var.unset, x = false })
}
"#,
    )]);
    let c = value(&d, "resources[0].config");
    assert_eq!(c["image"], "nginx:latest-x");
    assert_eq!(c["name"], "nginx:1.2");
    assert!(
        c["other"].as_str().unwrap().contains("var.unset"),
        "{}",
        c["other"]
    );
}

/// A variable's default is a constant (Terraform rejects references in
/// it): evaluated when first read, it still does not see the module's
/// other variables or its locals.
#[test]
fn a_default_read_late_does_not_see_other_variables_or_locals() {
    let d = doc(&[(
        "main.tf",
        "variable \"a\" {\n  default = \"x\"\n}\nvariable \"b\" {\n  default = \"${var.a}-${local.l}\"\n}\nlocals {\n  l = \"y\"\n}\nresource \"r\" \"t\" {\n  v = var.b\n  w = var.a\n}\n",
    )]);
    assert_eq!(value(&d, "resources[0].config.w"), "x");
    let v = value(&d, "resources[0].config.v").as_str().unwrap();
    assert!(!v.contains("x-") && !v.ends_with("-y"), "{v}");
}
