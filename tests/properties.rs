//! Property tests over generated input:
//! - every span a parser produces (source map nodes and errors) lies inside
//!   its file, on character boundaries, for every parser;
//! - a repository scanned whole gives the same findings as its files scanned
//!   one by one (a Terraform file alone brings its module as context).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use driftless::document::{Parsed, SourceFile};
use driftless::engine::{EngineOptions, Engines, PolicySet};
use proptest::prelude::*;

fn file(name: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(name, text))
}

/// Asserts the span invariants of one parse result.
fn spans_inside(parsed: &Parsed) -> Result<(), TestCaseError> {
    for err in &parsed.errors {
        let len = err.file.text.len();
        prop_assert!(err.start <= err.end && err.end <= len, "error {err:?}");
        prop_assert!(err.file.text.is_char_boundary(err.start), "error {err:?}");
    }
    for doc in &parsed.documents {
        let mut bad = Vec::new();
        doc.source_map.for_each_span(&mut |span| {
            let Some(file) = doc.files.get(span.file as usize) else {
                bad.push(format!("{span:?}: no file {}", span.file));
                return;
            };
            let (start, end) = (span.start as usize, span.end as usize);
            let text = &file.text;
            if start > end
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                bad.push(format!("{span:?} in {} bytes", text.len()));
            }
        });
        prop_assert!(bad.is_empty(), "{bad:?}");
    }
    Ok(())
}

/// Lines assembled from pieces of the format, so generated text reaches
/// deep into the parser instead of failing on the first byte; `noise`
/// adds arbitrary characters (multi-byte ones included).
fn lines(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(pieces).prop_map(str::to_string),
        1 => "[ -~é😀\t\r\\\\\"'{}\\[\\]$#:=-]{0,12}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| {
        let mut text = String::new();
        for p in parts {
            text.push_str(&p);
            text.push('\n');
        }
        text
    })
}

const DOCKERFILE: &[&str] = &[
    "FROM ubuntu:latest",
    "FROM --platform=$P registry:5000/app@sha256:abc AS build",
    "ARG TAG=latest",
    "FROM alpine:${TAG}",
    "RUN apt-get update && \\",
    "    apt-get install -y openssh-server curl=1.2 \\",
    "RUN [\"sh\", \"-c\", \"echo hi\"]",
    "RUN <<EOF",
    "echo heredoc",
    "EOF",
    "# escape=`",
    "# syntax=docker/dockerfile:1",
    "COPY --from=build /a /b",
    "ADD https://example.com/x.tgz /x",
    "EXPOSE 22/tcp 80",
    "ENV A=1 B=\"two words\"",
    "CMD [\"sshd\", \"-D\"]",
    "ONBUILD RUN yum update",
    "  # comment inside a continuation",
    "",
];

const YAML: &[&str] = &[
    "---",
    "apiVersion: v1",
    "kind: Pod",
    "kind: List",
    "items:",
    "metadata: {name: web, labels: {a: b}}",
    "spec:",
    "  containers:",
    "    - name: web",
    "      image: nginx:latest",
    "      ports: [{containerPort: 22}]",
    "  template: &t",
    "    spec: *t",
    "base: &b {image: x}",
    "<<: *b",
    "data: |",
    "  line one",
    "key: \"quoted\\u00e9\"",
    "- item",
    "? complex",
    ": value",
    "...",
    "%YAML 1.2",
    "immutable: yes",
];

const HCL: &[&str] = &[
    "resource \"aws_security_group\" \"ssh\" {",
    "  ingress {",
    "    from_port = 22",
    "    cidr_blocks = [\"0.0.0.0/0\"]",
    "  }",
    "}",
    "variable \"tag\" { default = \"latest\" }",
    "locals { image = \"nginx:${var.tag}\" }",
    "module \"m\" { source = \"git::https://x/y.git\" }",
    "  image = local.image",
    "  count = length(var.list)",
    "  container_definitions = jsonencode([{ image = local.image }])",
    "  dynamic \"ingress\" {",
    "    for_each = [1, 2]",
    "    content { from_port = ingress.value }",
    "  x = <<EOT",
    "heredoc ${var.tag}",
    "EOT",
    "  y = [for k, v in var.m : upper(v) if k != \"\"]",
    "  z = { a = 1, \"b\" = [true, null] }",
    "  w = var.a ? \"x\" : format(\"%s-%d\", \"a\", 1)",
    "# comment",
    "/* block */",
];

/// JSON text: a random value with random layout, then maybe cut short.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        (-1e6f64..1e6).prop_map(|n| serde_json::json!(n)),
        "[ -~é😀\"\\\\]{0,8}".prop_map(serde_json::Value::String),
        prop::sample::select(vec![
            "apiVersion",
            "kind",
            "format_version",
            "resource_changes",
            "update",
        ])
        .prop_map(|s| serde_json::json!(s)),
    ];
    let value = leaf.prop_recursive(5, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "apiVersion",
                        "kind",
                        "format_version",
                        "resource_changes",
                        "change",
                        "actions",
                        "address",
                        "type",
                        "spec",
                        "containers",
                        "image",
                        "x",
                    ]),
                    inner
                ),
                0..5
            )
            .prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    });
    (
        value,
        any::<bool>(),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(v, pretty, cut, truncate)| {
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap_or_default()
            } else {
                serde_json::to_string(&v).unwrap_or_default()
            };
            if truncate && !text.is_empty() {
                let mut at = cut.index(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text[..at].to_string()
            } else {
                text
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn dockerfile_spans_lie_inside_the_file(text in lines(DOCKERFILE)) {
        spans_inside(&driftless::parse::dockerfile(&file("Dockerfile", &text)))?;
    }

    #[test]
    fn yaml_spans_lie_inside_the_file(text in lines(YAML)) {
        spans_inside(&driftless::parse::yaml(&file("a.yaml", &text)))?;
    }

    #[test]
    fn json_spans_lie_inside_the_file(text in json_text()) {
        spans_inside(&driftless::parse::json(&file("a.json", &text)))?;
    }

    #[test]
    fn terraform_spans_lie_inside_the_files(a in lines(HCL), b in json_text()) {
        let files = [file("m/main.tf", &a), file("m/extra.tf.json", &b)];
        let parsed = driftless::parse::terraform_module(
            Path::new("m-does-not-exist"),
            &files,
            &Default::default(),
        );
        spans_inside(&parsed)?;
    }

    #[test]
    fn arbitrary_text_spans_lie_inside_the_file(text in "\\PC{0,200}") {
        spans_inside(&driftless::parse::dockerfile(&file("Dockerfile", &text)))?;
        spans_inside(&driftless::parse::yaml(&file("a.yaml", &text)))?;
        spans_inside(&driftless::parse::json(&file("a.json", &text)))?;
        let parsed = driftless::parse::terraform_module(
            Path::new("m-does-not-exist"),
            &[file("m/main.tf", &text)],
            &Default::default(),
        );
        spans_inside(&parsed)?;
    }
}

/// Found by the property above: hcl-edit put its error 3 bytes into the
/// 4-byte character at the end.
#[test]
fn an_hcl_error_inside_a_multibyte_character_is_moved_to_its_start() {
    let parsed = driftless::parse::terraform_module(
        Path::new("m-does-not-exist"),
        &[file("m/main.tf", "A\"\"\u{1EE8B}")],
        &Default::default(),
    );
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].start, 3);
    spans_inside(&parsed).expect("spans on character boundaries");
}

/// The built-in rules, loaded once for all cases.
fn engines() -> &'static Engines {
    static ENGINES: OnceLock<Engines> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let (set, errors) = PolicySet::load(Vec::new());
        assert!(errors.is_empty(), "{errors:?}");
        Engines::new(Arc::new(set), EngineOptions::default())
    })
}

type Key = (String, String, usize, usize, String);

/// Scans `paths` and returns every finding as (rule, path, start, end, message).
fn findings(paths: &[std::path::PathBuf]) -> BTreeSet<Key> {
    let options = driftless::scan::ScanOptions {
        paths: paths.to_vec(),
        ..Default::default()
    };
    let result = driftless::scan::scan(&options, engines());
    assert!(result.rule_errors.is_empty(), "{:?}", result.rule_errors);
    result
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.file.path.display().to_string(),
                f.start,
                f.end,
                f.message.clone(),
            )
        })
        .collect()
}

/// A small repository: Dockerfiles, manifests, a Terraform module of
/// several files (variables in one, their use in another) and a plan.
fn repository() -> impl Strategy<Value = Vec<(String, String)>> {
    let dockerfile = lines(DOCKERFILE);
    let yaml = lines(YAML);
    let tf = prop::collection::vec(prop::sample::select(HCL), 0..12).prop_map(|l| l.join("\n"));
    (
        prop::collection::vec(dockerfile, 1..3),
        prop::collection::vec(yaml, 1..3),
        prop::collection::vec(tf, 1..4),
        json_text(),
    )
        .prop_map(|(dockerfiles, yamls, tfs, plan)| {
            let mut files = Vec::new();
            for (i, t) in dockerfiles.into_iter().enumerate() {
                files.push((format!("d{i}/Dockerfile"), t));
            }
            for (i, t) in yamls.into_iter().enumerate() {
                files.push((format!("k8s/m{i}.yaml"), t));
            }
            files.push((
                "infra/vars.tf".to_string(),
                "variable \"tag\" { default = \"latest\" }\nresource \"docker_image\" \"app\" { name = \"nginx:${var.tag}\" }\n".to_string(),
            ));
            for (i, t) in tfs.into_iter().enumerate() {
                files.push((format!("infra/f{i}.tf"), t));
            }
            files.push(("plan.json".to_string(), plan));
            files
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn scanning_whole_or_file_by_file_gives_the_same_findings(files in repository()) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut paths = Vec::new();
        for (rel, text) in &files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            paths.push(path);
        }
        let whole = findings(&[dir.path().to_path_buf()]);
        // vars.tf always has a `latest` image: the rules did run
        prop_assert!(whole.iter().any(|f| f.0 == "TAG001"), "{whole:?}");
        let mut one_by_one = BTreeSet::new();
        for path in &paths {
            one_by_one.extend(findings(std::slice::from_ref(path)));
        }
        prop_assert_eq!(whole, one_by_one);
    }
}
