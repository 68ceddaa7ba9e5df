//! Whole-file tests: values and spans (line, column, exact text) of the
//! input rules see.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{MAX_STAGES, parse};
use crate::document::{Children, Document, ParseError, PathSeg, SourceFile, SourceMap};

fn file(text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new("Dockerfile", text))
}

fn doc(text: &str) -> Document {
    let mut parsed = parse(&file(text));
    if let Some(e) = parsed.errors.first() {
        panic!("unexpected error: {} at {}", e.message, e.start);
    }
    assert_eq!(parsed.documents.len(), 1);
    let d = parsed.documents.remove(0);
    check_map(&d.input, &d.source_map, &d.files[0].text, "");
    d
}

fn err(text: &str) -> (ParseError, u32, u32) {
    let f = file(text);
    let parsed = parse(&f);
    assert!(
        parsed.documents.is_empty(),
        "expected an error for {text:?}"
    );
    let e = parsed.errors.into_iter().next().expect("one error");
    let p = f.position(e.start);
    (e, p.line, p.column)
}

fn segs(path: &str) -> Vec<PathSeg> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Key(s.to_string()),
        })
        .collect()
}

/// The value at `path` (`stages/0/from/image`).
fn val(d: &Document, path: &str) -> Value {
    d.input
        .pointer(&format!("/{path}"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Line, column and text of the span the source map gives `path`.
fn at(d: &Document, path: &str) -> (u32, u32, String) {
    let segs = segs(path);
    let (node, depth) = d.source_map.locate(&segs);
    assert_eq!(depth, segs.len(), "{path} is not in the source map");
    let f = &d.files[0];
    let p = f.position(node.span.start as usize);
    let text = f.text[node.span.start as usize..node.span.end as usize].to_string();
    (p.line, p.column, text)
}

fn loc(line: u32, column: u32, text: &str) -> (u32, u32, String) {
    (line, column, text.to_string())
}

/// Every JSON value has a source-map node of the same shape, and every
/// span lies inside the text on character boundaries.
fn check_map(v: &Value, m: &SourceMap, text: &str, path: &str) {
    let (s, e) = (m.span.start as usize, m.span.end as usize);
    assert!(
        s <= e && e <= text.len(),
        "{path}: span {s}..{e} out of the text"
    );
    assert!(
        text.is_char_boundary(s) && text.is_char_boundary(e),
        "{path}: not on a char boundary"
    );
    match (v, &m.children) {
        (Value::Object(o), Children::Object(c)) => {
            assert_eq!(o.len(), c.len(), "{path}: object keys differ");
            for (k, child) in o {
                check_map(child, &c[k], text, &format!("{path}/{k}"));
            }
        }
        (Value::Array(a), Children::Array(c)) => {
            assert_eq!(a.len(), c.len(), "{path}: array lengths differ");
            for (i, child) in a.iter().enumerate() {
                check_map(child, &c[i], text, &format!("{path}/{i}"));
            }
        }
        (Value::Object(_) | Value::Array(_), _) => panic!("{path}: map is not a container"),
        (_, Children::Leaf) => {}
        _ => panic!("{path}: scalar with children"),
    }
}

const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn the_documented_example() {
    let text = "\
# syntax=docker/dockerfile:1.7
ARG BASE=alpine:3.20
FROM --platform=linux/amd64 ${BASE} AS Build
RUN --mount=type=cache,target=/root/.cache apt-get update && apt-get install -y curl
";
    let d = doc(text);
    assert_eq!(
        val(&d, "directives"),
        json!({"syntax": "docker/dockerfile:1.7"})
    );
    assert_eq!(
        val(&d, "args"),
        json!([{"name": "BASE", "default": "alpine:3.20"}])
    );
    let stage = val(&d, "stages/0");
    assert_eq!(stage["index"], 0);
    assert_eq!(stage["name"], "build");
    assert_eq!(
        stage["from"],
        json!({
            "text": "${BASE}",
            "image": "alpine:3.20",
            "platform": "linux/amd64",
            "ref": {"registry": null, "repository": "alpine", "tag": "3.20", "digest": null},
            "stage": null,
            "scratch": false
        })
    );
    assert_eq!(
        stage["instructions"][0],
        json!({
            "cmd": "run",
            "flags": {"mount": "type=cache,target=/root/.cache"},
            "flag_list": [{"name": "mount", "value": "type=cache,target=/root/.cache"}],
            "value": "apt-get update && apt-get install -y curl",
            "exec_form": false,
            "args": ["apt-get", "update", "&&", "apt-get", "install", "-y", "curl"],
            "commands": [["apt-get", "update"], ["apt-get", "install", "-y", "curl"]],
            "operators": ["&&", ""],
            "heredocs": []
        })
    );
    assert_eq!(
        at(&d, "directives/syntax"),
        loc(1, 10, "docker/dockerfile:1.7")
    );
    assert_eq!(at(&d, "args/0/name"), loc(2, 5, "BASE"));
    assert_eq!(at(&d, "args/0/default"), loc(2, 10, "alpine:3.20"));
    assert_eq!(
        at(&d, "stages/0"),
        loc(3, 1, "FROM --platform=linux/amd64 ${BASE}")
    );
    assert_eq!(at(&d, "stages/0/from/image"), loc(3, 29, "${BASE}"));
    assert_eq!(at(&d, "stages/0/from/text"), loc(3, 29, "${BASE}"));
    assert_eq!(at(&d, "stages/0/from/ref/tag"), loc(3, 29, "${BASE}"));
    assert_eq!(at(&d, "stages/0/from/platform"), loc(3, 17, "linux/amd64"));
    assert_eq!(at(&d, "stages/0/name"), loc(3, 40, "Build"));
    assert_eq!(at(&d, "stages/0/instructions/0"), loc(4, 1, "RUN"));
    assert_eq!(
        at(&d, "stages/0/instructions/0/flags/mount"),
        loc(4, 5, "--mount=type=cache,target=/root/.cache")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/flag_list/0/value"),
        loc(4, 13, "type=cache,target=/root/.cache")
    );
    assert_eq!(at(&d, "stages/0/instructions/0/args/2"), loc(4, 59, "&&"));
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/1/3"),
        loc(4, 81, "curl")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/operators/0"),
        loc(4, 59, "&&")
    );
    let v = at(&d, "stages/0/instructions/0/value");
    assert_eq!((v.0, v.1), (4, 44));
    let expected = "from the default of ARG BASE (line 2)";
    for p in [
        "stages/0/from/image",
        "stages/0/from/ref",
        "stages/0/from/ref/tag",
    ] {
        assert_eq!(
            d.provenance.get(&segs(p)).map(|v| v.note.as_str()),
            Some(expected),
            "{p}"
        );
    }
    assert!(!d.provenance.contains_key(&segs("stages/0/from/ref/digest")));
}

#[test]
fn words_on_continuation_lines_keep_their_own_line_and_column() {
    let text = [
        "FROM debian:12",
        "RUN apt-get update \\   ",
        "    # a comment inside the instruction",
        "",
        " && apt-get install -y --no-install-recommends \\",
        "\tcurl=7.88 \"ca-certificates\" \\",
        " && rm -rf /var/lib/apt/lists/*",
        "CMD [\"curl\"]",
        "",
    ]
    .join("\n");
    let text = text.as_str();
    let d = doc(text);
    let run = "stages/0/instructions/0";
    assert_eq!(
        val(&d, &format!("{run}/commands")),
        json!([
            ["apt-get", "update"],
            [
                "apt-get",
                "install",
                "-y",
                "--no-install-recommends",
                "curl=7.88",
                "ca-certificates"
            ],
            ["rm", "-rf", "/var/lib/apt/lists/*"]
        ])
    );
    assert_eq!(
        val(&d, &format!("{run}/operators")),
        json!(["&&", "&&", ""])
    );
    assert_eq!(at(&d, &format!("{run}/commands/0/1")), loc(2, 13, "update"));
    assert_eq!(at(&d, &format!("{run}/commands/1/0")), loc(5, 5, "apt-get"));
    assert_eq!(
        at(&d, &format!("{run}/commands/1/4")),
        loc(6, 2, "curl=7.88")
    );
    assert_eq!(
        at(&d, &format!("{run}/commands/1/5")),
        loc(6, 12, "\"ca-certificates\"")
    );
    assert_eq!(
        at(&d, &format!("{run}/commands/2/2")),
        loc(7, 12, "/var/lib/apt/lists/*")
    );
    assert_eq!(at(&d, &format!("{run}/operators/1")), loc(7, 2, "&&"));
    let value = at(&d, &format!("{run}/value"));
    assert_eq!((value.0, value.1), (2, 5));
    assert!(value.2.ends_with("/var/lib/apt/lists/*"));
    assert_eq!(at(&d, "stages/0/instructions/1"), loc(8, 1, "CMD"));
}

#[test]
fn a_word_split_by_a_continuation_spans_both_lines() {
    let d = doc("FROM a\nRUN apt-\\\nget install x\n");
    assert_eq!(val(&d, "stages/0/instructions/0/commands/0/0"), "apt-get");
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/0"),
        loc(2, 5, "apt-\\\nget")
    );
}

#[test]
fn backtick_escape_directive() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n    && echo done\nCOPY app.exe C:\\app\\\n";
    let d = doc(text);
    assert_eq!(val(&d, "directives/escape"), "`");
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(run["value"], "dir C:\\     && echo done");
    assert_eq!(at(&d, "stages/0/instructions/0/args/3"), loc(4, 8, "echo"));
    assert_eq!(
        val(&d, "stages/0/instructions/1/args"),
        json!(["app.exe", "C:\\app\\"])
    );
    // Backslashes are path separators, not escapes, in Windows commands.
    assert_eq!(
        val(&d, "stages/0/instructions/0/commands"),
        json!([["dir", "C:\\"], ["echo", "done"]])
    );
    assert_eq!(
        val(&d, "stages/0/from/ref"),
        json!({"registry": "mcr.microsoft.com", "repository": "windows/servercore", "tag": "ltsc2022", "digest": null})
    );
}

#[test]
fn exec_form_commands_point_inside_the_json_string() {
    let text = "FROM a\nRUN [\"/bin/sh\", \"-c\", \"apt-get update && \\\"apt-get\\\" install -y curl\"]\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT [\"a\" \"b\"]\n";
    let d = doc(text);
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(run["exec_form"], true);
    assert_eq!(
        run["args"],
        json!([
            "/bin/sh",
            "-c",
            "apt-get update && \"apt-get\" install -y curl"
        ])
    );
    assert_eq!(
        run["commands"],
        json!([["apt-get", "update"], ["apt-get", "install", "-y", "curl"]])
    );
    assert_eq!(run["operators"], json!(["&&", ""]));
    assert_eq!(
        at(&d, "stages/0/instructions/0/args/1"),
        loc(2, 17, "\"-c\"")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/1"),
        loc(2, 32, "update")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/1/0"),
        loc(2, 42, "\\\"apt-get\\\"")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/1/3"),
        loc(2, 65, "curl")
    );
    let cmd = val(&d, "stages/0/instructions/1");
    assert_eq!(cmd["commands"], json!([["nginx", "-g", "daemon off;"]]));
    assert_eq!(
        at(&d, "stages/0/instructions/1/commands/0/2"),
        loc(3, 21, "\"daemon off;\"")
    );
    // Invalid JSON falls back to the shell form, like Docker.
    let ep = val(&d, "stages/0/instructions/2");
    assert_eq!(ep["exec_form"], false);
    assert_eq!(ep["commands"], json!([["[a", "b]"]]));
}

#[test]
fn exec_form_with_a_continuation_inside_the_script() {
    let text = "FROM a\nRUN [\"bash\", \"-ec\", \"apk add \\\n  curl\"]\n";
    let d = doc(text);
    assert_eq!(
        val(&d, "stages/0/instructions/0/commands"),
        json!([["apk", "add", "curl"]])
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/2"),
        loc(3, 3, "curl")
    );
}

#[test]
fn heredoc_scripts_are_split_into_commands() {
    let text = "\
FROM alpine:3.20
RUN <<EOF
set -e
apk add --no-cache curl \\
    openssh-server # trailing comment
# a comment line
curl -fsSL https://example.com/x.sh | sh
EOF
RUN <<-'SCRIPT'
\tapk upgrade
\tSCRIPT
CMD [\"x\"]
";
    let d = doc(text);
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(run["value"], "<<EOF");
    assert_eq!(
        run["commands"],
        json!([
            ["set", "-e"],
            ["apk", "add", "--no-cache", "curl", "openssh-server"],
            ["curl", "-fsSL", "https://example.com/x.sh"],
            ["sh"]
        ])
    );
    assert_eq!(run["operators"], json!([";", ";", "|", ""]));
    assert_eq!(run["heredocs"][0]["delimiter"], "EOF");
    assert!(
        run["heredocs"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("set -e\napk add")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/heredocs/0"),
        loc(2, 5, "<<EOF")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/1/4"),
        loc(5, 5, "openssh-server")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/2/2"),
        loc(7, 12, "https://example.com/x.sh")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/operators/2"),
        loc(7, 37, "|")
    );
    let body = at(&d, "stages/0/instructions/0/heredocs/0/body");
    assert_eq!((body.0, body.1), (3, 1));
    assert!(body.2.ends_with("x.sh | sh"));
    let run2 = val(&d, "stages/0/instructions/1");
    assert_eq!(run2["commands"], json!([["apk", "upgrade"]]));
    assert_eq!(run2["heredocs"][0]["body"], "apk upgrade\n");
    assert_eq!(run2["heredocs"][0]["delimiter"], "SCRIPT");
    assert_eq!(
        at(&d, "stages/0/instructions/1/commands/0/1"),
        loc(10, 6, "upgrade")
    );
    assert_eq!(val(&d, "stages/0/instructions/2/cmd"), "cmd");
}

#[test]
fn heredocs_fed_to_other_programs_are_data() {
    let text = "\
FROM python:3.12
RUN python3 <<EOF
import os
EOF
RUN <<EOF
#!/usr/bin/env python3
print('x')
EOF
RUN bash -e <<EOF
apt-get install -y x
EOF
COPY <<EOF /etc/app.conf
PermitRootLogin no
EOF
RUN <<A cat > /a && <<B cat > /b
a
A
b
B
";
    let d = doc(text);
    let i = |n: usize| val(&d, &format!("stages/0/instructions/{n}"));
    assert_eq!(i(0)["commands"], json!([["python3"]]));
    assert_eq!(i(1)["commands"], json!([]));
    assert_eq!(
        i(2)["commands"],
        json!([["bash", "-e"], ["apt-get", "install", "-y", "x"]])
    );
    assert_eq!(i(2)["operators"], json!([";", ""]));
    assert_eq!(
        at(&d, "stages/0/instructions/2/commands/1/0"),
        loc(10, 1, "apt-get")
    );
    let copy = i(3);
    assert_eq!(copy["args"], json!(["<<EOF", "/etc/app.conf"]));
    assert_eq!(
        copy["heredocs"],
        json!([{"delimiter": "EOF", "body": "PermitRootLogin no\n"}])
    );
    assert_eq!(copy["commands"], json!([]));
    assert_eq!(
        at(&d, "stages/0/instructions/3/heredocs/0/body"),
        loc(13, 1, "PermitRootLogin no")
    );
    let two = i(4);
    assert_eq!(two["commands"], json!([["cat"], ["cat"]]));
    assert_eq!(
        two["heredocs"],
        json!([{"delimiter": "A", "body": "a\n"}, {"delimiter": "B", "body": "b\n"}])
    );
    assert_eq!(
        at(&d, "stages/0/instructions/4/heredocs/1/body"),
        loc(18, 1, "b")
    );
}

#[test]
fn empty_heredoc_body() {
    let d = doc("FROM a\nRUN <<EOF\nEOF\nUSER x\n");
    assert_eq!(val(&d, "stages/0/instructions/0/heredocs/0/body"), "");
    assert_eq!(
        at(&d, "stages/0/instructions/0/heredocs/0/body"),
        loc(3, 1, "")
    );
    assert_eq!(val(&d, "stages/0/instructions/1/cmd"), "user");
}

#[test]
fn stages_aliases_scratch_and_indexes() {
    let text = format!(
        "\
FROM golang:1.22 AS build
FROM scratch
FROM BUILD as final
FROM 0
FROM nginx@{SHA} AS web
FROM 7
"
    );
    let d = doc(&text);
    let from = |i: usize| val(&d, &format!("stages/{i}/from"));
    assert_eq!(val(&d, "stages/0/name"), "build");
    assert_eq!(from(1)["scratch"], true);
    assert_eq!(from(1)["ref"], Value::Null);
    assert_eq!(from(2)["stage"], 0);
    assert_eq!(from(2)["ref"], Value::Null);
    assert_eq!(val(&d, "stages/2/name"), "final");
    assert_eq!(val(&d, "stages/1/name"), Value::Null);
    assert_eq!(at(&d, "stages/1/name"), loc(2, 1, "FROM scratch"));
    assert_eq!(from(3)["stage"], 0);
    assert_eq!(from(4)["ref"]["digest"], SHA);
    assert_eq!(at(&d, "stages/4/from/ref/digest"), loc(5, 12, SHA));
    assert_eq!(at(&d, "stages/4/from/ref/repository"), loc(5, 6, "nginx"));
    assert_eq!(
        at(&d, "stages/4/from/ref/tag"),
        loc(5, 6, &format!("nginx@{SHA}"))
    );
    // `7` is not an earlier stage: an image named "7".
    assert_eq!(from(5)["stage"], Value::Null);
    assert_eq!(from(5)["ref"]["repository"], "7");
}

#[test]
fn image_parts_are_located_inside_the_token() {
    let d = doc(&format!(
        "FROM registry.example:5000/team/app:1.0@{SHA}\nFROM registry.example:5000/app\n"
    ));
    assert_eq!(
        at(&d, "stages/0/from/ref/registry"),
        loc(1, 6, "registry.example:5000")
    );
    assert_eq!(
        at(&d, "stages/0/from/ref/repository"),
        loc(1, 28, "team/app")
    );
    assert_eq!(at(&d, "stages/0/from/ref/tag"), loc(1, 37, "1.0"));
    assert_eq!(at(&d, "stages/0/from/ref/digest"), loc(1, 41, SHA));
    assert_eq!(
        val(&d, "stages/1/from/ref"),
        json!({"registry": "registry.example:5000", "repository": "app", "tag": null, "digest": null})
    );
    assert_eq!(
        at(&d, "stages/1/from/ref/tag"),
        loc(2, 6, "registry.example:5000/app")
    );
}

#[test]
fn arg_substitution_variants() {
    let text = "\
ARG REGISTRY
ARG NAME=app
ARG TAG=latest FULL=${NAME}:${TAG}
FROM ${REGISTRY:-ghcr.io}/org/${NAME}:${TAG} AS a
FROM $REGISTRY/app:1
FROM --platform=$BUILDPLATFORM ${FULL}
FROM ${UNSET}
";
    let d = doc(text);
    assert_eq!(
        val(&d, "args"),
        json!([
            {"name": "REGISTRY", "default": null},
            {"name": "NAME", "default": "app"},
            {"name": "TAG", "default": "latest"},
            {"name": "FULL", "default": "app:latest"}
        ])
    );
    assert_eq!(at(&d, "args/0/default"), loc(1, 5, "REGISTRY"));
    assert_eq!(at(&d, "args/3/default"), loc(3, 21, "${NAME}:${TAG}"));
    assert_eq!(val(&d, "stages/0/from/image"), "ghcr.io/org/app:latest");
    assert_eq!(val(&d, "stages/0/from/ref/tag"), "latest");
    assert_eq!(
        at(&d, "stages/0/from/image"),
        loc(4, 6, "${REGISTRY:-ghcr.io}/org/${NAME}:${TAG}")
    );
    assert_eq!(
        d.provenance
            .get(&segs("stages/0/from/ref/tag"))
            .map(|v| v.note.as_str()),
        Some("from the defaults of ARG NAME (line 2) and ARG TAG (line 3)")
    );
    // A variable without a value stays as written: no guess; it hides only
    // the part it covers (the registry), the literal tag is still read.
    assert_eq!(val(&d, "stages/1/from/image"), "$REGISTRY/app:1");
    assert_eq!(val(&d, "stages/1/from/ref/tag"), "1");
    assert_eq!(val(&d, "stages/1/from/ref/unknown/0"), "registry");
    assert!(
        !d.provenance
            .keys()
            .any(|k| k.get(1) == Some(&PathSeg::Index(1)))
    );
    assert_eq!(val(&d, "stages/2/from/platform"), "$BUILDPLATFORM");
    assert_eq!(
        at(&d, "stages/2/from/platform"),
        loc(6, 17, "$BUILDPLATFORM")
    );
    assert_eq!(val(&d, "stages/2/from/image"), "app:latest");
    assert_eq!(at(&d, "stages/2/from/image"), loc(6, 32, "${FULL}"));
    assert_eq!(val(&d, "stages/3/from/image"), "${UNSET}");
    assert_eq!(val(&d, "stages/3/from/ref/unknown/3"), "digest");
}

#[test]
fn arg_in_a_stage_is_an_instruction() {
    let d = doc("ARG V=1\nFROM a:${V}\nARG V\nRUN echo $V\n");
    assert_eq!(val(&d, "stages/0/from/image"), "a:1");
    assert_eq!(val(&d, "stages/0/instructions/0/cmd"), "arg");
    assert_eq!(val(&d, "stages/0/instructions/0/args"), json!(["V"]));
    assert_eq!(
        val(&d, "stages/0/instructions/1/commands"),
        json!([["echo", "$V"]])
    );
}

#[test]
fn crlf_bom_tabs_and_lowercase_keywords() {
    let text = "\u{feff}from\talpine:3.20\r\nrun\tapk add \\\r\n\tcurl\r\nexpose 22 80/tcp\r\n";
    let d = doc(text);
    assert_eq!(val(&d, "stages/0/from/image"), "alpine:3.20");
    assert_eq!(at(&d, "stages/0/from/image"), loc(1, 7, "alpine:3.20"));
    assert_eq!(val(&d, "stages/0/instructions/0/cmd"), "run");
    assert_eq!(
        val(&d, "stages/0/instructions/0/commands"),
        json!([["apk", "add", "curl"]])
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/2"),
        loc(3, 2, "curl")
    );
    assert_eq!(
        val(&d, "stages/0/instructions/1/args"),
        json!(["22", "80/tcp"])
    );
    assert_eq!(
        at(&d, "stages/0/instructions/1/args/1"),
        loc(4, 11, "80/tcp")
    );
}

#[test]
fn redirections_do_not_pollute_words() {
    let d = doc(
        "FROM a\nRUN apt-get install -y curl > /dev/null 2>&1 && echo ok >>/log 2>/dev/null </dev/null\n",
    );
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(
        run["commands"],
        json!([["apt-get", "install", "-y", "curl"], ["echo", "ok"]])
    );
    assert_eq!(
        run["args"],
        json!([
            "apt-get",
            "install",
            "-y",
            "curl",
            ">",
            "/dev/null",
            "2>&1",
            "&&",
            "echo",
            "ok",
            ">>/log",
            "2>/dev/null",
            "</dev/null"
        ])
    );
}

#[test]
fn quotes_substitutions_and_assignments() {
    let d = doc(
        "FROM a\nRUN DEBIAN_FRONTEND=noninteractive apt-get install -y \"pkg=1.0\" 'b c' $(cat list) `x y`; (cd /x && make) | tee log\n",
    );
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(
        run["commands"],
        json!([
            [
                "apt-get",
                "install",
                "-y",
                "pkg=1.0",
                "b c",
                "$(cat list)",
                "`x y`"
            ],
            ["cd", "/x"],
            ["make"],
            ["tee", "log"]
        ])
    );
    assert_eq!(run["operators"], json!([";", "&&", "|", ""]));
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/4"),
        loc(2, 65, "'b c'")
    );
}

#[test]
fn repeated_flags_keep_the_last_and_list_all() {
    let d = doc(
        "FROM a\nRUN --mount=type=cache,target=/a --mount=type=secret,id=x --network=none make\nCOPY --link --from=build /a /b\n",
    );
    let run = val(&d, "stages/0/instructions/0");
    assert_eq!(
        run["flags"],
        json!({"mount": "type=secret,id=x", "network": "none"})
    );
    assert_eq!(
        run["flag_list"][0],
        json!({"name": "mount", "value": "type=cache,target=/a"})
    );
    assert_eq!(run["flag_list"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        at(&d, "stages/0/instructions/0/flags/mount"),
        loc(2, 34, "--mount=type=secret,id=x")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/flag_list/0/name"),
        loc(2, 5, "--mount")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/flags"),
        loc(
            2,
            5,
            "--mount=type=cache,target=/a --mount=type=secret,id=x --network=none"
        )
    );
    let copy = val(&d, "stages/0/instructions/1");
    assert_eq!(copy["flags"], json!({"link": true, "from": "build"}));
    assert_eq!(copy["args"], json!(["/a", "/b"]));
    assert_eq!(
        at(&d, "stages/0/instructions/1/flags/link"),
        loc(3, 6, "--link")
    );
}

#[test]
fn onbuild_healthcheck_and_others() {
    let text = "\
FROM a
ONBUILD RUN apt-get upgrade -y
HEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1
HEALTHCHECK CMD [\"/bin/check\", \"-q\"]
HEALTHCHECK NONE
ENV A=\"x y\" B=z
ADD https://example.com/a.tgz /a
SHELL [\"/bin/bash\", \"-c\"]
";
    let d = doc(text);
    let i = |n: usize| val(&d, &format!("stages/0/instructions/{n}"));
    assert_eq!(i(0)["cmd"], "onbuild");
    assert_eq!(i(0)["commands"], json!([]));
    assert_eq!(i(0)["trigger"]["cmd"], "run");
    assert_eq!(
        i(0)["trigger"]["commands"],
        json!([["apt-get", "upgrade", "-y"]])
    );
    assert_eq!(at(&d, "stages/0/instructions/0/trigger"), loc(2, 9, "RUN"));
    assert_eq!(
        at(&d, "stages/0/instructions/0/trigger/commands/0/1"),
        loc(2, 21, "upgrade")
    );
    assert_eq!(i(1)["flags"], json!({"interval": "5s"}));
    assert_eq!(
        i(1)["commands"],
        json!([["curl", "-f", "http://localhost/"], ["exit", "1"]])
    );
    assert_eq!(i(1)["operators"], json!(["||", ""]));
    assert_eq!(i(2)["exec_form"], true);
    assert_eq!(i(2)["args"], json!(["CMD", "/bin/check", "-q"]));
    assert_eq!(i(2)["commands"], json!([["/bin/check", "-q"]]));
    assert_eq!(i(3)["commands"], json!([]));
    assert_eq!(i(4)["args"], json!(["A=x y", "B=z"]));
    assert_eq!(i(4)["commands"], json!([]));
    assert_eq!(i(5)["args"], json!(["https://example.com/a.tgz", "/a"]));
    assert_eq!(i(6)["exec_form"], true);
    assert_eq!(i(6)["commands"], json!([]));
}

#[test]
fn comment_lines_between_instructions_and_after_the_last() {
    let d = doc("# hello\n\n  # indented comment\nFROM a\n# x\n\n");
    assert_eq!(val(&d, "stages/0/instructions"), json!([]));
    assert_eq!(at(&d, "stages/0"), loc(4, 1, "FROM a"));
    assert_eq!(at(&d, ""), loc(4, 1, "FROM a"));
}

#[test]
fn directives_stop_at_the_first_other_line() {
    let d = doc("# check=skip=all\n#syntax = docker/dockerfile:1\n\n# escape=`\nFROM a\n");
    assert_eq!(
        val(&d, "directives"),
        json!({"check": "skip=all", "syntax": "docker/dockerfile:1"})
    );
    let d = doc("FROM a\n");
    assert_eq!(val(&d, "directives"), json!({}));
    assert_eq!(val(&d, "args"), json!([]));
}

#[test]
fn errors_are_located_at_the_offending_line() {
    let (e, line, col) = err("FROM a\n  FOO bar\n");
    assert_eq!((line, col), (2, 3));
    assert_eq!(e.message, "unknown instruction: FOO");
    assert_eq!(e.end - e.start, 3);

    let (e, line, col) = err("FROM a\nRUN cat <<EOF > /x\nhello\n");
    assert_eq!((line, col), (2, 9));
    assert!(e.message.contains("unterminated heredoc"), "{}", e.message);

    let (e, line, _) = err("ARG A=1\n# no from\n");
    assert_eq!(line, 1);
    assert!(e.message.contains("no FROM"), "{}", e.message);

    let (e, line, _) = err("");
    assert_eq!(line, 1);
    assert_eq!(e.message, "file with no instructions");
    let (e, _, _) = err("# only a comment\n\n");
    assert_eq!(e.message, "file with no instructions");

    let (e, line, col) = err("ARG A\nRUN x\nFROM a\n");
    assert_eq!((line, col), (2, 1));
    assert!(
        e.message.starts_with("RUN before the first FROM"),
        "{}",
        e.message
    );

    let (e, line, _) = err("FROM a b\n");
    assert_eq!(line, 1);
    assert!(e.message.starts_with("FROM requires"), "{}", e.message);
    let (e, _, _) = err("FROM\n");
    assert!(e.message.starts_with("FROM requires"), "{}", e.message);

    let (e, line, col) = err("FROM a AS 1st\n");
    assert_eq!((line, col), (1, 11));
    assert!(
        e.message.starts_with("invalid name for build stage"),
        "{}",
        e.message
    );
    let (e, line, _) = err("FROM a AS x\nFROM b AS X\n");
    assert_eq!(line, 2);
    assert!(e.message.contains("duplicate"), "{}", e.message);

    let (e, line, col) = err("FROM a\nONBUILD FROM b\n");
    assert_eq!((line, col), (2, 9));
    assert!(e.message.contains("ONBUILD"), "{}", e.message);
    let (_, line, _) = err("FROM a\nONBUILD\n");
    assert_eq!(line, 2);

    let (e, line, col) = err("# escape=x\nFROM a\n");
    assert_eq!((line, col), (1, 10));
    assert!(e.message.contains("escape"), "{}", e.message);
}

#[test]
fn heredoc_terminator_must_match_exactly() {
    // `EOF ` (trailing blank) does not close the heredoc, as in BuildKit.
    let (e, line, _) = err("FROM a\nRUN <<EOF\necho\nEOF \n");
    assert_eq!(line, 2);
    assert!(e.message.contains("unterminated"));
    // `<< EOF` (space) is not a heredoc for BuildKit: the body lines are
    // instructions, and `echo` is not one.
    let (e, line, _) = err("FROM a\nRUN cat << EOF\necho hi\nEOF\n");
    assert_eq!(line, 3);
    assert_eq!(e.message, "unknown instruction: echo");
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    let garbage: String = (0u32..4000)
        .map(|i| char::from_u32((i * 7919) % 0x2FF).unwrap_or('?'))
        .collect();
    let f = file(&garbage);
    let parsed = parse(&f);
    assert!(parsed.documents.is_empty());
    assert_eq!(parsed.errors.len(), 1);
    let e = err("\u{0}\u{1}ELF\u{fffd}\u{fffd}\nFROM a\n");
    assert_eq!((e.1, e.2), (1, 1));
    assert!(
        e.0.message.starts_with("unknown instruction: \\0"),
        "{}",
        e.0.message
    );
    let long = format!("{}\n", "X".repeat(10_000));
    let (e, _, _) = err(&long);
    assert!(e.message.chars().count() < 80, "message stays short");
}

#[test]
fn odd_inputs_never_panic() {
    let cases = [
        "FROM a\nRUN \\",
        "FROM a\nRUN [",
        "FROM a\nRUN [\"\\u",
        "FROM a\nRUN \"unterminated",
        "FROM a\nRUN $(",
        "FROM a\nRUN ${",
        "FROM ${",
        "FROM $",
        "FROM a\nCOPY <<EOF",
        "FROM a\nRUN <<",
        "FROM a\nRUN <<-",
        "FROM a\nHEALTHCHECK",
        "FROM a\nHEALTHCHECK CMD",
        "FROM a\nRUN --",
        "FROM a\nRUN --=x y",
        "FROM --platform a",
        "\u{feff}",
        "\r\n\r\n",
        "FROM a\r",
        "FROM é\nRUN é \\\n é",
        "FROM a\nRUN [\"sh\", \"-c\", \"\\u00e9 && \\ud83d\\ude00 x\"]",
        "FROM a\nONBUILD ONBUILD RUN x",
        "FROM a\nLABEL a=\"b\\\nc\"",
    ];
    for text in cases {
        let parsed = parse(&file(text));
        assert_eq!(parsed.documents.len() + parsed.errors.len(), 1, "{text:?}");
        for d in &parsed.documents {
            check_map(&d.input, &d.source_map, &d.files[0].text, "");
        }
        for e in &parsed.errors {
            assert!(e.start <= e.end && e.end <= text.len(), "{text:?}");
        }
    }
}

#[test]
fn unicode_columns_in_json_escapes() {
    let d = doc("FROM a\nRUN [\"sh\", \"-c\", \"\\u00e9 && curl x\"]\n");
    assert_eq!(
        val(&d, "stages/0/instructions/0/commands"),
        json!([["é"], ["curl", "x"]])
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/0/0"),
        loc(2, 19, "\\u00e9")
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/1/0"),
        loc(2, 29, "curl")
    );
}

#[test]
fn large_files_parse_in_linear_time() {
    let mut text = String::from("ARG BASE=alpine:3.20\nFROM ${BASE} AS build\n");
    for i in 0..25_000 {
        text.push_str(&format!(
            "RUN apk add --no-cache pkg{i}=1.0 \\\n    && echo \"step {i}\" > /dev/null\n# comment {i}\nENV K{i}=v\n"
        ));
    }
    let lines = text.lines().count();
    assert!(lines >= 100_000);
    let f = file(&text);
    let started = std::time::Instant::now();
    let parsed = parse(&f);
    let elapsed = started.elapsed();
    let d = doc(&text);
    assert_eq!(parsed.documents.len(), 1);
    let n = val(&d, "stages/0/instructions")
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(n, 50_000);
    assert_eq!(
        at(&d, "stages/0/instructions/49998/commands/1/1"),
        loc(lines as u32 - 2, 13, "\"step 24999\"")
    );
    // Generous for a debug build on a shared machine; quadratic behaviour
    // would take minutes.
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
}

#[test]
fn one_long_continued_instruction_is_linear_too() {
    let mut text = String::from("FROM a\nRUN true");
    for i in 0..50_000 {
        text.push_str(&format!(" \\\n && echo {i}"));
    }
    text.push('\n');
    let started = std::time::Instant::now();
    let d = doc(&text);
    assert_eq!(
        val(&d, "stages/0/instructions/0/commands")
            .as_array()
            .map_or(0, Vec::len),
        50_001
    );
    assert_eq!(
        at(&d, "stages/0/instructions/0/commands/50000/1"),
        loc(50_002, 10, "49999")
    );
    assert!(started.elapsed().as_secs() < 20);
}

/// Random token soup (deterministic): never a panic, and documents always
/// have a consistent source map.
#[test]
fn token_soup_never_panics() {
    const KEYWORDS: [&str; 10] = [
        "RUN ",
        "COPY ",
        "ADD ",
        "ARG ",
        "ONBUILD RUN ",
        "HEALTHCHECK CMD ",
        "CMD ",
        "ENV ",
        "EXPOSE ",
        "FROM ",
    ];
    const PIECES: [&str; 50] = [
        "FROM ",
        "RUN ",
        " AS x",
        "a:1",
        "${A:-b}",
        "$A",
        "A=b ",
        "\\",
        "`",
        "\\\n",
        "\\\r\n",
        "\n# c\n",
        " ",
        "\t",
        "\"",
        "'",
        "<<EOF",
        "<<-E",
        "\nEOF\n",
        "\n\tE\n",
        "$(",
        ")",
        "${",
        "}",
        "[",
        "]",
        "\"sh\", \"-c\", ",
        "\\u00e9",
        "\\\"",
        "é",
        "😀",
        "#",
        "--mount=x ",
        "--platform=$P ",
        "&&",
        "|",
        ";",
        "2>&1",
        "> /f",
        "&",
        "(",
        "\u{feff}",
        "if ",
        "then ",
        "fi",
        "x=1 ",
        "bash ",
        "\\\n  \\\n",
        "\n\n",
        "\"a b\"",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut documents = 0;
    for _ in 0..3000 {
        let mut text = String::from(if next() % 8 == 0 { "# escape=`\n" } else { "" });
        text.push_str("ARG A=x\nFROM a\n");
        for _ in 0..(next() % 6) {
            text.push_str(KEYWORDS[(next() % KEYWORDS.len() as u64) as usize]);
            for _ in 0..(next() % 12) {
                text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            text.push('\n');
        }
        let parsed = parse(&file(&text));
        assert_eq!(parsed.documents.len() + parsed.errors.len(), 1, "{text:?}");
        for d in &parsed.documents {
            check_map(&d.input, &d.source_map, &d.files[0].text, "");
        }
        for e in &parsed.errors {
            assert!(e.start <= e.end && e.end <= text.len(), "{text:?}");
        }
        documents += parsed.documents.len();
    }
    // Most inputs must get past the error paths, or the test proves little.
    assert!(documents > 1000, "only {documents} documents");
}

#[test]
fn onbuild_heredocs_belong_to_the_trigger() {
    let d = doc("FROM a\nONBUILD RUN <<EOF\napk upgrade\nEOF\nUSER x\n");
    let ob = val(&d, "stages/0/instructions/0");
    assert_eq!(ob["heredocs"], json!([]));
    assert_eq!(
        ob["trigger"]["heredocs"],
        json!([{"delimiter": "EOF", "body": "apk upgrade\n"}])
    );
    assert_eq!(ob["trigger"]["commands"], json!([["apk", "upgrade"]]));
    assert_eq!(
        at(&d, "stages/0/instructions/0/trigger/commands/0/1"),
        loc(3, 5, "upgrade")
    );
    assert_eq!(val(&d, "stages/0/instructions/1/cmd"), "user");
}

#[test]
fn the_input_page_example_is_what_the_parser_gives() {
    use crate::parse::kubernetes::tests::fenced;
    let md = include_str!("../../../docs/input-dockerfile.md");
    let d = doc(fenced(md, "dockerfile"));
    let shown: Value = serde_json::from_str(fenced(md, "json")).expect("valid JSON in docs");
    assert_eq!(d.input, shown);
    let (line, column, text) = at(&d, "commands/1/packages/0/name");
    assert_eq!((line, column, text.as_str()), (8, 7, "curl=7.88.1-10"));
}

/// The text each source of the value at `path` names, in order.
fn sources(d: &Document, path: &str) -> Vec<String> {
    let text = &d.files[0].text;
    d.provenance
        .get(&segs(path))
        .map(|p| {
            p.sources
                .iter()
                .map(|s| text[s.span.start as usize..s.span.end as usize].to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_stage_arg_reaches_expose_with_its_default_as_source() {
    let d = doc("FROM alpine:3.20\nARG SSH_PORT=22\nEXPOSE ${SSH_PORT}/tcp 8080\n");
    assert_eq!(
        val(&d, "stages/0/instructions/1/args"),
        json!(["22/tcp", "8080"])
    );
    // the word keeps its place; the value names where it is written
    assert_eq!(
        at(&d, "stages/0/instructions/1/args/0"),
        loc(3, 8, "${SSH_PORT}/tcp")
    );
    assert_eq!(sources(&d, "stages/0/instructions/1/args/0"), vec!["22"]);
    assert_eq!(
        d.provenance[&segs("stages/0/instructions/1/args/0")].note,
        "from ARG SSH_PORT (line 2)"
    );
    assert!(
        !d.provenance
            .contains_key(&segs("stages/0/instructions/1/args/1"))
    );
}

#[test]
fn an_env_reaches_later_instructions_and_wins_over_an_arg() {
    let d = doc("FROM alpine\nENV P=22 U=\"app user\"\nARG P=2222\nEXPOSE $P\nUSER $U\n");
    assert_eq!(val(&d, "stages/0/instructions/2/args/0"), "22");
    assert_eq!(val(&d, "stages/0/instructions/3/args/0"), "app user");
    assert_eq!(
        sources(&d, "stages/0/instructions/3/args/0"),
        vec!["\"app user\""]
    );
}

#[test]
fn env_values_in_one_instruction_use_the_environment_before_it() {
    let d = doc("FROM alpine\nENV A=1\nENV A=2 B=$A\nLABEL b=$B\n");
    assert_eq!(val(&d, "stages/0/instructions/2/args/0"), "b=1");
    // B's value, then the A it was built from
    assert_eq!(
        sources(&d, "stages/0/instructions/2/args/0"),
        vec!["$A", "1"]
    );
}

#[test]
fn the_legacy_env_form_takes_the_rest_of_the_line() {
    let d = doc("FROM alpine\nENV GREETING hello world\nLABEL g=\"$GREETING\"\n");
    assert_eq!(val(&d, "stages/0/instructions/1/args/0"), "g=hello world");
    assert_eq!(
        sources(&d, "stages/0/instructions/1/args/0"),
        vec!["hello world"]
    );
}

#[test]
fn a_global_arg_is_in_scope_only_once_the_stage_declares_it_again() {
    let d = doc("ARG PORT=22\nFROM alpine\nEXPOSE $PORT\nARG PORT\nEXPOSE $PORT\n");
    // BuildKit leaves it empty before the stage's ARG: not a value to judge
    assert_eq!(val(&d, "stages/0/instructions/0/args/0"), "$PORT");
    assert_eq!(val(&d, "stages/0/instructions/2/args/0"), "22");
    assert_eq!(sources(&d, "stages/0/instructions/2/args/0"), vec!["22"]);
    assert_eq!(
        d.provenance[&segs("stages/0/instructions/2/args/0")].note,
        "from global ARG PORT (line 1)"
    );
}

#[test]
fn run_cmd_and_entrypoint_are_left_to_the_shell() {
    let d = doc("FROM alpine\nARG V=1\nRUN echo $V\nCMD echo $V\nENTRYPOINT [\"$V\"]\n");
    assert_eq!(val(&d, "stages/0/instructions/1/args/1"), "$V");
    assert_eq!(val(&d, "stages/0/instructions/2/args/1"), "$V");
    assert_eq!(val(&d, "stages/0/instructions/3/args/0"), "$V");
}

#[test]
fn a_stage_starts_with_the_envs_of_the_stage_it_is_built_from() {
    let d = doc("FROM alpine AS base\nENV E=22\nARG A=22\nFROM base\nEXPOSE $E $A\n");
    assert_eq!(val(&d, "stages/1/instructions/0/args"), json!(["22", "$A"]));
}

#[test]
fn onbuild_triggers_see_the_envs_the_image_keeps() {
    let d = doc("FROM alpine\nENV E=22\nARG A=22\nONBUILD EXPOSE $E $A\n");
    assert_eq!(
        val(&d, "stages/0/instructions/2/trigger/args"),
        json!(["22", "$A"])
    );
    assert_eq!(
        sources(&d, "stages/0/instructions/2/trigger/args/0"),
        vec!["22"]
    );
}

#[test]
fn a_stage_substitution_over_its_bound_is_eval001() {
    let mut text = String::from("FROM alpine\nARG A0=xxxxxxxxxxxxxxxx\n");
    for i in 1..=20 {
        text.push_str(&format!("ARG A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    text.push_str("LABEL x=$A20\n");
    let f = file(&text);
    let parsed = parse(&f);
    assert_eq!(parsed.documents.len(), 1);
    let lines: Vec<u32> = parsed
        .errors
        .iter()
        .filter(|e| e.problem == crate::document::Problem::Incomplete)
        .map(|e| f.position(e.start).line)
        .collect();
    // 16 bytes doubled: A13 (line 15) would pass 64 KiB; each value is
    // reported once, not again as the instruction's word
    assert_eq!(lines.first(), Some(&15), "{:?}", parsed.errors);
    let mut unique = lines.clone();
    unique.dedup();
    assert_eq!(unique, lines, "{:?}", parsed.errors);
}

#[test]
fn a_from_image_built_from_global_args_names_each_default_down_to_the_literal() {
    let d = doc("ARG TAG=latest\nARG IMAGE=node:${TAG}\nFROM $IMAGE\n");
    assert_eq!(
        sources(&d, "stages/0/from/ref/tag"),
        vec!["node:${TAG}", "latest"]
    );
}

#[test]
fn stages_past_the_bound_are_one_eval001_and_the_first_ones_are_checked() {
    let text = "FROM a\n".repeat(MAX_STAGES + 50) + "EXPOSE 22\n";
    let f = file(&text);
    let parsed = parse(&f);
    assert_eq!(parsed.documents.len(), 1);
    let stages = parsed.documents[0].input["stages"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(stages, MAX_STAGES);
    let incomplete: Vec<u32> = parsed
        .errors
        .iter()
        .filter(|e| e.problem == crate::document::Problem::Incomplete)
        .map(|e| f.position(e.start).line)
        .collect();
    assert_eq!(
        incomplete,
        vec![MAX_STAGES as u32 + 1],
        "{:?}",
        parsed.errors
    );
}
