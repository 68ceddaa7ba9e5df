//! Kubernetes manifests: one document per object, in YAML streams and JSON.
//!
//! The input a rule sees is the object itself, unchanged, so existing
//! Kubernetes Rego knowledge applies (`input.spec.template.spec.containers`).
//! An object is a mapping with *string* `apiVersion` and `kind`; a `List`
//! (or any `*List` kind with an `items` array) contributes each item instead.
//! Other YAML (workflows, compose files, Helm values) yields nothing.
//!
//! A YAML syntax error is reported (as `PARSE001`) only when the file looks
//! like a manifest — a line starting with `apiVersion:` and one starting
//! with `kind:` — so broken YAML of other tools does not fail the gate. Helm
//! templates (`{{ ... }}`) are treated the same way when they reach us.

use std::sync::Arc;

use serde_json::Value;

use crate::document::{Document, Kind, ParseError, Parsed, PathSeg, SourceFile, SourceMap};
use crate::parse::yaml;

/// Parses a YAML stream; Kubernetes objects become documents, each with the
/// source map of its own YAML document (spans are file offsets, so a finding
/// in the third document points into the third document).
pub fn parse_yaml(file: &Arc<SourceFile>) -> Parsed {
    // No document can have an `apiVersion` key without the text (an escaped
    // key in double quotes needs a backslash): skip the YAML parse.
    if !file.text.contains("apiVersion") && !file.text.contains('\\') {
        return Parsed::default();
    }
    let mut parsed = Parsed::default();
    let mut errors: Vec<ParseError> = Vec::new();
    for doc in yaml::load_stream(file) {
        match doc.result {
            Ok((value, map)) => {
                let more = documents_from_value(file, value, map);
                parsed.documents.extend(more.documents);
            }
            Err(err) => errors.push(err),
        }
    }
    if looks_like_manifest(&file.text) {
        parsed.errors = errors;
    }
    parsed
}

/// Whether a file is meant to be a Kubernetes manifest: some line starts with
/// `apiVersion:` and some line with `kind:` (as every manifest's top level
/// does). Only such files get `PARSE001` for YAML syntax errors.
pub fn looks_like_manifest(text: &str) -> bool {
    let mut api_version = false;
    let mut kind = false;
    for line in text.lines() {
        api_version |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
        if api_version && kind {
            return true;
        }
    }
    false
}

/// Turns a parsed value into Kubernetes documents when it is one
/// (`kind: List` items expanded); anything else yields nothing.
pub fn documents_from_value(file: &Arc<SourceFile>, value: Value, map: SourceMap) -> Parsed {
    let mut documents = Vec::new();
    collect(file, value, map, &mut documents);
    Parsed {
        documents,
        errors: Vec::new(),
    }
}

/// Adds `value` as a document if it is an object, or its items if it is a list.
fn collect(file: &Arc<SourceFile>, value: Value, map: SourceMap, out: &mut Vec<Document>) {
    let Some(kind) = object_kind(&value) else {
        return;
    };
    let is_list = kind.ends_with("List") && value.get("items").is_some_and(Value::is_array);
    if !is_list {
        out.push(document(file, value, map));
        return;
    }
    let Value::Object(mut object) = value else {
        return;
    };
    let Some(Value::Array(items)) = object.remove("items") else {
        return;
    };
    let items_key = PathSeg::Key("items".to_owned());
    for (i, item) in items.into_iter().enumerate() {
        let item_map = map
            .child(&items_key)
            .and_then(|m| m.child(&PathSeg::Index(i)))
            .cloned()
            .unwrap_or_default();
        // Items are objects; a nested list is not expanded again.
        if object_kind(&item).is_some_and(|k| !k.ends_with("List")) {
            out.push(document(file, item, item_map));
        }
    }
}

/// The `kind` of a Kubernetes object: a mapping with string `apiVersion` and
/// `kind`.
fn object_kind(value: &Value) -> Option<&str> {
    value.get("apiVersion")?.as_str()?;
    value.get("kind")?.as_str()
}

/// One object as a document. Its head span becomes its `kind` value, so a
/// finding about the object as a whole (something missing) points at
/// `kind: Deployment` rather than wherever the first key happens to be.
fn document(file: &Arc<SourceFile>, value: Value, mut map: SourceMap) -> Document {
    if let Some(kind) = map.child(&PathSeg::Key("kind".to_owned())) {
        map.span = kind.span;
    }
    let label = label(&value);
    let mut doc = Document::new(Kind::Kubernetes, file.clone(), value, map);
    doc.label = label;
    doc
}

/// `Kind/namespace/name`, `Kind/name`, or `Kind` for an unnamed object.
fn label(value: &Value) -> String {
    let field = |key: &str| {
        value
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = field("name").or_else(|| field("generateName"));
    match (field("namespace"), name) {
        (Some(ns), Some(name)) => format!("{kind}/{ns}/{name}"),
        (None, Some(name)) => format!("{kind}/{name}"),
        _ => kind.to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::document::testing::{path, span_at};
    use crate::parse;
    use serde_json::json;

    fn file(name: &str, text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new(name, text))
    }

    fn at(doc: &Document, p: &[&str]) -> (u32, u32, String) {
        let files: Vec<&SourceFile> = doc.files.iter().map(|f| f.as_ref()).collect();
        span_at(&files, &doc.source_map, p)
    }

    const STREAM: &str = "\
# a stream of three
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: \"1\"
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: prod}
spec:
  ports: [{port: 22}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:latest
";

    #[test]
    fn every_object_of_a_stream_is_a_document() {
        let parsed = parse_yaml(&file("k8s.yaml", STREAM));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let labels: Vec<_> = parsed.documents.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "ConfigMap/settings",
                "Service/prod/web",
                "Deployment/prod/web"
            ]
        );
        let deploy = &parsed.documents[2];
        assert_eq!(deploy.kind, Kind::Kubernetes);
        assert_eq!(
            deploy.input["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:latest"
        );
        let image = ["spec", "template", "spec", "containers", "0", "image"];
        assert_eq!(at(deploy, &image), (25, 18, "nginx:latest".into()));
        assert_eq!(
            at(deploy, &["spec", "template", "spec", "containers", "0"]),
            (24, 11, "name".into())
        );
        // The object itself points at its kind.
        assert_eq!(at(deploy, &[]), (16, 7, "Deployment".into()));
        // A missing attribute falls back to the nearest existing parent.
        let (node, depth) =
            deploy
                .source_map
                .locate(&path(&["spec", "template", "spec", "securityContext"]));
        assert_eq!(depth, 3);
        assert_eq!(deploy.files[0].position(node.span.start as usize).line, 22);
        assert_eq!(
            at(&parsed.documents[1], &["spec", "ports", "0", "port"]),
            (13, 18, "22".into())
        );
    }

    #[test]
    fn lists_are_expanded_with_their_own_maps() {
        let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: c, image: x}]}
- just: a value
- apiVersion: v1
  kind: Secret
  metadata:
    name: b
";
        let parsed = parse_yaml(&file("list.yaml", text));
        assert_eq!(parsed.documents.len(), 2);
        assert_eq!(parsed.documents[0].label, "Pod/a");
        assert_eq!(parsed.documents[1].label, "Secret/b");
        assert_eq!(
            parsed.documents[1].input,
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "b"}})
        );
        assert_eq!(
            at(&parsed.documents[0], &["spec", "containers", "0", "image"]),
            (7, 40, "x".into())
        );
        assert_eq!(
            at(&parsed.documents[1], &["metadata", "name"]),
            (12, 11, "b".into())
        );
        assert_eq!(at(&parsed.documents[1], &[]), (10, 9, "Secret".into()));
    }

    #[test]
    fn json_objects_and_lists_become_documents() {
        let text = r#"{"apiVersion": "v1", "kind": "PodList", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
   "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
]}"#;
        let parsed = parse::json(&file("pods.json", text));
        assert_eq!(parsed.documents.len(), 1);
        let pod = &parsed.documents[0];
        assert_eq!(pod.label, "Pod/p");
        assert_eq!(
            at(pod, &["spec", "containers", "0", "image"]),
            (3, 51, "\"busybox\"".into())
        );
        let single = parse::json(&file(
            "cm.json",
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}"#,
        ));
        assert_eq!(single.documents.len(), 1);
        let other = parse::json(&file("package.json", r#"{"name": "x", "kind": "module"}"#));
        assert!(other.documents.is_empty() && other.errors.is_empty());
    }

    #[test]
    fn other_yaml_is_silent() {
        let cases = [
            "name: CI\non:\n  push:\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
            "services:\n  web:\n    image: nginx:latest\n",
            "replicaCount: 1\nimage:\n  repository: nginx\n  tag: latest\n",
            "",
            "# only a comment\n",
            "---\n---\n",
            "apiVersion: 1\nkind: Pod\n",
            "apiVersion: v1\nkind: [Pod]\n",
            "apiVersion: v1\n",
            // Broken, but not a manifest: no PARSE001.
            "apiVersion: v1\nsteps: [a\n",
            "on: push\njobs: {build: [}\n",
        ];
        for text in cases {
            let parsed = parse_yaml(&file("x.yaml", text));
            assert!(parsed.documents.is_empty(), "{text:?}");
            assert!(parsed.errors.is_empty(), "{text:?}: {:?}", parsed.errors);
        }
    }

    #[test]
    fn broken_manifests_are_parse_errors_at_the_right_line() {
        let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ok
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
 labels: {}
---
apiVersion: v1
kind: Secret
metadata:
  name: after
";
        let f = file("broken.yaml", text);
        let parsed = parse_yaml(&f);
        let labels: Vec<_> = parsed.documents.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["ConfigMap/ok", "Secret/after"]);
        assert_eq!(parsed.errors.len(), 1);
        let pos = f.position(parsed.errors[0].start);
        assert_eq!((pos.line, pos.column), (10, 2));
        assert!(
            parsed.errors[0]
                .message
                .contains("did not find expected key")
        );
    }

    #[test]
    fn helm_templates_are_errors_only_when_they_look_like_manifests() {
        let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"x\" . }}\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n";
        let parsed = parse_yaml(&file("deployment.yaml", template));
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.documents);
        let values = "image:\n  tag: {{ .Values.tag }}\n{{- if x }}\n";
        let parsed = parse_yaml(&file("values.yaml", values));
        assert!(parsed.errors.is_empty() && parsed.documents.is_empty());
    }

    /// The first fenced block of `lang` in a Markdown text.
    pub(crate) fn fenced<'a>(markdown: &'a str, lang: &str) -> &'a str {
        let open = format!("```{lang}\n");
        let start = markdown.find(&open).map(|i| i + open.len()).unwrap_or(0);
        let len = markdown[start..].find("```").unwrap_or(0);
        &markdown[start..start + len]
    }

    #[test]
    fn the_documented_example_maps_as_documented() {
        let md = include_str!("../../docs/input-kubernetes.md");
        let parsed = parse_yaml(&file("deploy.yaml", fenced(md, "yaml")));
        assert_eq!(parsed.documents.len(), 2);
        let deploy = &parsed.documents[1];
        assert_eq!(deploy.label, "Deployment/prod/web");
        let shown: Value = serde_json::from_str(fenced(md, "json")).expect("valid JSON in docs");
        assert_eq!(deploy.input, shown);
        let c = ["spec", "template", "spec", "containers"];
        assert_eq!(at(deploy, &[&c[..], &["0", "image"]].concat()).0, 19);
        assert_eq!(at(deploy, &c).0, 17);
        assert_eq!(at(deploy, &[&c[..], &["0"]].concat()).0, 18);
        assert_eq!(at(deploy, &[]).0, 10);
        let (node, _) =
            deploy
                .source_map
                .locate(&path(&["spec", "template", "spec", "securityContext"]));
        assert_eq!(deploy.files[0].position(node.span.start as usize).line, 16);
    }

    #[test]
    fn looks_like_manifest_needs_both_lines_at_top_level() {
        assert!(looks_like_manifest("kind: Pod\napiVersion: v1\n"));
        assert!(!looks_like_manifest("  apiVersion: v1\nkind: Pod\n"));
        assert!(!looks_like_manifest("apiVersion: v1\n"));
    }
}
