//! Kubernetes manifests: one document per object, in YAML streams and JSON.
//!
//! The input a rule sees is the object itself, unchanged, so existing
//! Kubernetes Rego knowledge applies (`input.spec.template.spec.containers`).
//! An object is a mapping with *string* `apiVersion` and `kind`. Lists are
//! read as kubectl's decoder reads them (apimachinery's unstructured JSON
//! scheme): an object with an `items` key is a list *whatever its kind*, is
//! not applied itself, and contributes each item instead; items with neither
//! `apiVersion` nor `kind` take the list's `apiVersion` and its kind without
//! the `List` suffix. Other YAML (workflows, compose files, Helm values)
//! yields nothing.
//!
//! Whether a file is ours is decided on parsed content. A document that does
//! not parse is reported (as `PARSE001`) when its text may be a manifest
//! (it mentions `apiVersion` and `kind`, quoted or indented alike, or uses
//! an escape or a `!!binary` tag that could spell them) or when the file
//! holds Kubernetes objects, so broken YAML of other tools does not fail the
//! gate. Helm templates (`{{ ... }}`) are treated the same way when they
//! reach us.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::document::{Document, Kind, ParseError, Parsed, PathSeg, SourceFile, SourceMap};
use crate::parse::yaml;

/// Parses a YAML stream; Kubernetes objects become documents, each with the
/// source map of its own YAML document (spans are file offsets, so a finding
/// in the third document points into the third document).
pub fn parse_yaml(file: &Arc<SourceFile>) -> Parsed {
    let mut parsed = Parsed::default();
    for_each_yaml(file, |part| {
        parsed.documents.extend(part.documents);
        parsed.errors.extend(part.errors);
    });
    parsed
}

/// [`parse_yaml`] one YAML document at a time: `emit` receives the objects
/// of each document as soon as it is parsed (so a scan can evaluate and drop
/// them before the next), and the syntax errors at the end.
pub fn for_each_yaml(file: &Arc<SourceFile>, mut emit: impl FnMut(Parsed)) {
    // No document can name an `apiVersion` without the text, unless an
    // escape, a tag or a `!!binary` key spells it: skip the YAML parse.
    if !could_mention(&file.text, "apiVersion") {
        return;
    }
    let mut holds_objects = false;
    let mut broken: Vec<ParseError> = Vec::new();
    yaml::for_each_document(file, |doc| match doc.result {
        Ok((value, map)) => {
            let part = documents_from_value(file, value, map);
            holds_objects |= !part.documents.is_empty();
            emit(part);
        }
        Err(err) => {
            let region = file.text.get(doc.start..doc.end).unwrap_or_default();
            let bounded = err.problem != crate::document::Problem::Unparsed;
            if bounded || may_be_manifest(region) {
                emit(Parsed::error(err));
            } else {
                broken.push(err);
            }
        }
    });
    if holds_objects {
        emit(Parsed {
            documents: Vec::new(),
            errors: broken,
        });
    }
}

/// Whether `text` may spell `word`: it is written there, or the text uses a
/// construct that can hide it from a plain search (an escape of an ASCII
/// letter in a quoted key — `\u0061`, `\x61`, `\U00000061` —, an escaped
/// line break inside a quoted key, a `!!binary` scalar).
pub fn could_mention(text: &str, word: &str) -> bool {
    could_mention_any(text, &[word])
}

/// [`could_mention`] for several words at once: the constructs that can
/// hide any word are looked for once.
pub fn could_mention_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
        || escapes_a_letter(text)
        || may_tag_binary(text)
        || words.iter().any(|w| splits_across_lines(text, w))
}

/// Whether a part of `word` ends a line with an escaped line break, which
/// joins the lines of a double-quoted scalar with nothing between them
/// (`"api\` then `Version"` on the next line is `apiVersion`). The first
/// part written that way is a prefix of the word (or an escape, which
/// [`escapes_a_letter`] finds). A shell line continuation after a space or
/// an option (`apt-get install -y \`) is not one.
fn splits_across_lines(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\\', bytes).any(|i| {
        let breaks = matches!(bytes.get(i + 1), Some(b'\n' | b'\r'));
        breaks && (1..word.len()).any(|k| bytes[..i].ends_with(&word.as_bytes()[..k]))
    })
}

/// Whether a scalar of the text may be tagged `!!binary` (base64 that
/// go-yaml decodes before Kubernetes sees it, keys included). The tag is
/// written with the secondary handle (`!!binary`) or verbatim
/// (`!<tag:yaml.org,2002:binary>`), its letters possibly as URI escapes
/// (`!!bin%61ry`, which go-yaml and our parser both decode), or through a
/// handle a `%TAG` directive defines. Text such as `binaryauthorization`
/// with no tag at all cannot hide a key (Google Cloud's YAML mentions it
/// often, and was parsed for nothing: BENCHMARKS.md, "Stop 30").
fn may_tag_binary(text: &str) -> bool {
    text.contains("%TAG")
        || ((text.contains("!!") || text.contains("!<"))
            && (text.contains("binary") || text.contains('%')))
}

/// Whether the text holds a JSON or YAML escape of an ASCII letter
/// (code points 0x40 to 0x7F), the only way to write a key's letters
/// without the letters themselves.
pub fn escapes_a_letter(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'\\', bytes).any(|i| {
        let rest = &bytes[i + 1..];
        let letter_digit = |d: Option<&u8>| matches!(d, Some(b'4'..=b'7'));
        (rest.starts_with(b"u00") && letter_digit(rest.get(3)))
            || (rest.starts_with(b"x") && letter_digit(rest.get(1)))
            || (rest.starts_with(b"U0000") && letter_digit(rest.get(5)))
    })
}

/// Whether the text of a document that did not parse may be a Kubernetes
/// manifest: it mentions both `apiVersion` and `kind`, at any indentation,
/// quoted or not (see [`could_mention`]). Only such documents get
/// `PARSE001` when the rest of the file holds no object.
pub fn may_be_manifest(text: &str) -> bool {
    could_mention(text, "apiVersion") && could_mention(text, "kind")
}

/// Turns a parsed value into Kubernetes documents when it is one (lists
/// expanded); anything else yields nothing. A list kubectl could not decode
/// (`items` not an array, an item that is not an object or has no kind)
/// is a `PARSE001` at the offending value: kubectl refuses it, so the gate
/// must not pass it.
pub fn documents_from_value(file: &Arc<SourceFile>, value: Value, map: SourceMap) -> Parsed {
    let mut parsed = Parsed::default();
    if object_kind(&value).is_some() {
        collect(file, value, map, 0, &mut parsed);
    }
    parsed
}

/// Adds `value` (an object with a string `kind`) as a document, or the
/// items of it if it is a list.
fn collect(file: &Arc<SourceFile>, value: Value, map: SourceMap, depth: usize, out: &mut Parsed) {
    let Value::Object(mut object) = value else {
        return;
    };
    let Some(items) = object.remove("items") else {
        out.documents
            .push(document(file, Value::Object(object), map));
        return;
    };
    let items_key = PathSeg::Key("items".to_owned());
    let items_map = map
        .child(&items_key)
        .cloned()
        .unwrap_or_else(|| map.clone());
    let items = match items {
        Value::Null => return,
        Value::Array(items) => items,
        _ => {
            let message = "`items` is not a list: kubectl cannot decode this object";
            out.errors.push(error_at(file, &items_map, message));
            return;
        }
    };
    if depth >= crate::parse::json::MAX_DEPTH {
        return;
    }
    let inherited = Inherited::from_list(&object, &map);
    for (i, item) in items.into_iter().enumerate() {
        let item_map = items_map
            .child(&PathSeg::Index(i))
            .cloned()
            .unwrap_or_else(|| items_map.clone());
        let Value::Object(mut item) = item else {
            let message = "list item is not an object: kubectl cannot decode it";
            out.errors.push(error_at(file, &item_map, message));
            continue;
        };
        let mut item_map = item_map;
        inherited.fill(&mut item, &mut item_map);
        let item = Value::Object(item);
        if object_kind(&item).is_none() {
            let message =
                "list item has no string `apiVersion` and `kind`: kubectl cannot apply it";
            out.errors.push(error_at(file, &item_map, message));
            continue;
        }
        collect(file, item, item_map, depth + 1, out);
    }
}

/// What a list's items inherit, as apimachinery's `decodeToList` sets it:
/// an item with neither `apiVersion` nor `kind` (as strings) gets the
/// list's `apiVersion` and its kind without the `List` suffix.
struct Inherited {
    api_version: Option<(Value, SourceMap)>,
    kind: Option<(Value, SourceMap)>,
}

impl Inherited {
    fn from_list(list: &Map<String, Value>, map: &SourceMap) -> Self {
        let field = |key: &str, value: Option<Value>| {
            let span = map.child(&PathSeg::Key(key.to_owned()))?.clone();
            Some((value?, span))
        };
        let api_version = list.get("apiVersion").cloned();
        let kind = list
            .get("kind")
            .and_then(Value::as_str)
            .map(|k| k.strip_suffix("List").unwrap_or(k))
            .filter(|k| !k.is_empty())
            .map(|k| Value::String(k.to_owned()));
        Inherited {
            api_version: field("apiVersion", api_version),
            kind: field("kind", kind),
        }
    }

    /// Sets `apiVersion` and `kind` on an item that has neither; their spans
    /// point at the list's own fields.
    fn fill(&self, item: &mut Map<String, Value>, map: &mut SourceMap) {
        let empty = |key: &str| {
            item.get(key)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        };
        if !(empty("apiVersion") && empty("kind")) {
            return;
        }
        for (key, inherited) in [("apiVersion", &self.api_version), ("kind", &self.kind)] {
            if let Some((value, span)) = inherited {
                item.insert(key.to_owned(), value.clone());
                map.insert(key, span.clone());
            }
        }
    }
}

/// A `PARSE001` at the span of a source map node.
fn error_at(file: &Arc<SourceFile>, map: &SourceMap, message: &str) -> ParseError {
    let mut err = ParseError::at(file, map.span.start as usize, message);
    err.end = (map.span.end as usize).clamp(err.start, file.text.len());
    while !file.text.is_char_boundary(err.end) {
        err.end -= 1;
    }
    err
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
            (11, 11, "b".into())
        );
        assert_eq!(at(&parsed.documents[1], &[]), (9, 9, "Secret".into()));
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
    fn keys_spelled_without_their_letters_are_still_read() {
        // the `!!binary` tag written with a URI escape, verbatim or through
        // a `%TAG` prefix, and a key whose double-quoted text is joined
        // across an escaped line break: go-yaml reads each as `apiVersion`,
        // so kubectl applies the Pod
        let cases = [
            "!!bin%61ry YXBpVmVyc2lvbg==: v1\nkind: Pod\nmetadata: {name: a}\n",
            "!<tag:yaml.org,2002:bin%61ry> YXBpVmVyc2lvbg==: v1\nkind: Pod\nmetadata: {name: a}\n",
            "%TAG !e! tag:yaml.org,2002:bin\n---\n!e!ary YXBpVmVyc2lvbg==: v1\nkind: Pod\nmetadata: {name: a}\n",
            "? \"api\\\n  Version\"\n: v1\nkind: Pod\nmetadata: {name: a}\n",
        ];
        for text in cases {
            let parsed = parse_yaml(&file("x.yaml", text));
            assert_eq!(parsed.documents.len(), 1, "{text:?}: {:?}", parsed.errors);
            assert_eq!(parsed.documents[0].input["apiVersion"], "v1", "{text:?}");
        }
    }

    #[test]
    fn text_that_only_mentions_binary_cannot_hide_a_key() {
        // Google Cloud's `binaryauthorization.googleapis.com`, with no tag
        assert!(!could_mention(
            "services:\n  - binaryauthorization.googleapis.com\n",
            "apiVersion"
        ));
        assert!(!could_mention("a: !!str fifty\n", "apiVersion"));
        assert!(could_mention("a: !!str binary\n", "apiVersion"));
        assert!(could_mention(
            "%TAG !e! tag:yaml.org,2002:\n---\n!e!bin%61ry x: y\n",
            "apiVersion"
        ));
        // a shell line continuation in a block scalar joins no key
        assert!(!could_mention(
            "run: |\n  apt-get install -y \\\n    curl\n",
            "apiVersion"
        ));
        assert!(could_mention(
            "? \"apiV\\\n  ersion\"\n: v1\n",
            "apiVersion"
        ));
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
    fn broken_documents_may_be_manifests_at_any_indentation_or_quoting() {
        assert!(may_be_manifest("kind: Pod\napiVersion: v1\n"));
        assert!(may_be_manifest("  apiVersion: v1\n  kind: Pod\n"));
        assert!(may_be_manifest(
            "{\"apiVersion\": \"v1\", \"kind\": \"Pod\""
        ));
        assert!(may_be_manifest(
            "\"\\u0061piVersion\": v1\n\"\\x6bind\": Pod\n"
        ));
        assert!(may_be_manifest(
            "!!binary YXBpVmVyc2lvbg==: v1\n!!binary a2luZA==: Pod\n"
        ));
        assert!(!may_be_manifest("apiVersion: v1\n"));
        assert!(!may_be_manifest("name: \"caf\\u00e9\"\non: push\n"));
    }

    #[test]
    fn any_object_with_items_is_a_list_as_kubectl_decodes_it() {
        // A pinned decoy Pod carrying `items`: kubectl applies the items only.
        let text = "\
apiVersion: v1
kind: Pod
metadata: {name: decoy}
spec: {containers: [{name: a, image: nginx@sha256:00}]}
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web}
";
        let parsed = parse_yaml(&file("decoy.yaml", text));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let labels: Vec<_> = parsed.documents.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["Deployment/web"]);
        // `items: null` is an empty list: nothing is applied.
        let empty = parse_yaml(&file("e.yaml", "apiVersion: v1\nkind: Pod\nitems:\n"));
        assert!(empty.documents.is_empty() && empty.errors.is_empty());
    }

    #[test]
    fn typed_list_items_inherit_kind_and_api_version() {
        let text = "\
apiVersion: v1
kind: PodList
items:
- metadata: {name: a}
  spec: {containers: [{name: c, image: x}]}
- apiVersion: v1
  kind: Secret
  metadata: {name: s}
";
        let f = file("pods.yaml", text);
        let parsed = parse_yaml(&f);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let labels: Vec<_> = parsed.documents.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["Pod/a", "Secret/s"]);
        let pod = &parsed.documents[0];
        assert_eq!(pod.input["apiVersion"], "v1");
        // The inherited kind points at the list's kind.
        assert_eq!(at(pod, &["kind"]), (2, 7, "PodList".into()));
        assert_eq!(at(pod, &[]), (2, 7, "PodList".into()));
    }

    #[test]
    fn lists_kubectl_cannot_decode_are_parse_errors() {
        let text = "\
apiVersion: v1
kind: List
items:
- just: a value
- 42
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ok}
";
        let f = file("l.yaml", text);
        let parsed = parse_yaml(&f);
        let labels: Vec<_> = parsed.documents.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["ConfigMap/ok"]);
        let lines: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (f.position(e.start).line, e.message.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    4,
                    "list item has no string `apiVersion` and `kind`: kubectl cannot apply it"
                ),
                (5, "list item is not an object: kubectl cannot decode it"),
            ]
        );
        let parsed = parse_yaml(&file(
            "i.yaml",
            "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
        ));
        assert_eq!(
            parsed.errors[0].message,
            "`items` is not a list: kubectl cannot decode this object"
        );
    }
}
