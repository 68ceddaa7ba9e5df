//! Parsers: text in, [`Document`]s with source maps out.
//!
//! Each format lives in its own module; the shared loaders for YAML and JSON
//! (values plus spans) and the image-reference parser are written once here
//! and used by every format that needs them.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::document::{ParseError, Parsed, SourceFile, SourceMap};

pub mod compose;
pub mod dockerfile;
pub mod helm;
pub mod image;
pub mod json;
pub mod kubernetes;
pub mod kustomize;
pub mod terraform;
pub mod tfplan;
pub mod yaml;

/// Parses a Dockerfile/Containerfile into one document.
pub fn dockerfile(file: &Arc<SourceFile>) -> Parsed {
    dockerfile::parse(file)
}

/// Parses a `.yaml`/`.yml` file: a kustomization becomes a
/// `kustomization` document, a chart's `Chart.yaml` or values file a `helm`
/// document, a Compose file one `compose` document;
/// otherwise every YAML document that is a Kubernetes object
/// (string `apiVersion` and `kind`) becomes a document; other YAML is left
/// alone without noise.
pub fn yaml(file: &Arc<SourceFile>) -> Parsed {
    collect(|emit| for_each_yaml(file, emit))
}

/// [`yaml`] in parts, one YAML document (or JSON value) at a time, so a
/// scan can evaluate each part and drop it before the next is parsed.
/// kubectl reads a file whose first non-blank character is `{` as a stream
/// of JSON objects: such a file is read the same way when it is one.
pub fn for_each_yaml(file: &Arc<SourceFile>, mut emit: impl FnMut(Parsed)) {
    if kustomize::for_each_yaml(file, &mut emit)
        || helm::for_each_yaml(file, &mut emit)
        || compose::for_each_yaml(file, &mut emit)
    {
        return;
    }
    if starts_like_json(&file.text) {
        // Held until the stream is known to be JSON: on an error the file
        // is read again as YAML, and nothing may be reported twice.
        let mut parts = Vec::new();
        if json_stream(file, &mut |part| parts.push(part)).is_ok() {
            return parts.into_iter().for_each(emit);
        }
    }
    kubernetes::for_each_yaml(file, emit);
}

/// Parses a `.json` file: a Terraform plan (`terraform show -json`), a
/// Kubernetes object or list, or nothing.
pub fn json(file: &Arc<SourceFile>) -> Parsed {
    collect(|emit| for_each_json(file, emit))
}

/// [`json`] in parts, one JSON value at a time. A stream of several values
/// (`{…}{…}`) is a stream of manifests, as kubectl reads it; text that does
/// not start with `{` is YAML to kubectl, and read as YAML.
pub fn for_each_json(file: &Arc<SourceFile>, mut emit: impl FnMut(Parsed)) {
    if !starts_like_json(&file.text) {
        return kubernetes::for_each_yaml(file, emit);
    }
    if !may_hold_documents(&file.text) {
        return;
    }
    if let Err(err) = json_stream(file, &mut emit)
        && looks_like_infrastructure_json(&file.text)
    {
        emit(Parsed::error(err));
    }
}

/// Gathers the parts a `for_each_*` function emits into one [`Parsed`].
fn collect(run: impl FnOnce(&mut dyn FnMut(Parsed))) -> Parsed {
    let mut all = Parsed::default();
    run(&mut |part: Parsed| {
        all.documents.extend(part.documents);
        all.errors.extend(part.errors);
    });
    all
}

/// Whether the first non-blank character is `{` (kubectl's
/// `GuessJSONStream`).
fn starts_like_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// Emits the documents of a JSON stream: a single Terraform plan, or
/// Kubernetes objects. On a syntax error, what came before it has been
/// emitted and the error is returned.
fn json_stream(file: &Arc<SourceFile>, emit: &mut impl FnMut(Parsed)) -> Result<(), ParseError> {
    let mut first: Option<(Value, SourceMap)> = None;
    let mut count = 0;
    let result = json::for_each_value(file, |value, map| {
        count += 1;
        if count == 1 && tfplan::is_plan(&value) {
            first = Some((value, map));
            return;
        }
        if let Some((value, map)) = first.take() {
            emit(kubernetes::documents_from_value(file, value, map));
        }
        emit(kubernetes::documents_from_value(file, value, map));
    });
    if let Some((value, map)) = first {
        if count == 1 && result.is_ok() {
            emit(tfplan::document(file, value, map));
        } else {
            emit(kubernetes::documents_from_value(file, value, map));
        }
    }
    result
}

/// Whether a JSON stream may hold a document: a Kubernetes object needs an
/// `apiVersion` key, a plan a `format_version` key ([`tfplan::is_plan`]),
/// and a file that cannot spell either (escapes counted) yields nothing,
/// parsed or not — nor a `PARSE001` when broken
/// ([`looks_like_infrastructure_json`]). Lock files and dashboards, most
/// of a repository's JSON, are then not parsed at all (BENCHMARKS.md,
/// "Stop 31").
fn may_hold_documents(text: &str) -> bool {
    kubernetes::could_mention_any(text, &["apiVersion", "format_version"])
}

/// A JSON file that does not parse is only worth a `PARSE001` when it was
/// meant to be one of ours: otherwise `package.json` typos would fail the
/// gate. Escaped keys (`"\u0061piVersion"`) count as naming it.
fn looks_like_infrastructure_json(text: &str) -> bool {
    kubernetes::may_be_manifest(text)
        || (text.contains("\"format_version\"")
            && (text.contains("\"resource_changes\"")
                || text.contains("\"planned_values\"")
                || text.contains("\"resource_drift\"")))
}

/// Parses one Terraform module: all its `.tf` and `.tf.json` files (and
/// variable files), evaluated together into one document.
pub fn terraform_module(
    dir: &Path,
    files: &[Arc<SourceFile>],
    options: &terraform::Options,
) -> Parsed {
    terraform::parse_module(dir, files, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What reading the stream in full gives: documents, and whether a
    /// syntax error would be reported.
    fn read_in_full(text: &str) -> (usize, bool) {
        let file = Arc::new(SourceFile::new("a.json", text));
        let mut documents = 0;
        let result = json_stream(&file, &mut |part| documents += part.documents.len());
        let reported = result.is_err() && looks_like_infrastructure_json(text);
        (documents, reported)
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("apiVersion".to_owned()),
            Just("\\u0061piVersion".to_owned()),
            Just("kind".to_owned()),
            Just("format_version".to_owned()),
            Just("form\\u0061t_version".to_owned()),
            Just("resource_changes".to_owned()),
            Just("items".to_owned()),
            "[a-z]{1,8}",
        ]
    }

    fn object(entries: &[(String, String)]) -> String {
        let body: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        format!("{{{}}}", body.join(", "))
    }

    fn value() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("\"v1\"".to_owned()),
            Just("\"Pod\"".to_owned()),
            Just("1".to_owned()),
            Just("null".to_owned()),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec((key(), inner.clone()), 0..4).prop_map(|e| object(&e)),
                prop::collection::vec(inner, 0..3)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
            ]
        })
    }

    proptest! {
        /// Skipping a stream that cannot spell `apiVersion` or
        /// `format_version` hides nothing: read in full, it gives no
        /// document and no reported error, whole or cut short.
        #[test]
        fn skipped_json_holds_nothing(
            values in prop::collection::vec(prop::collection::vec((key(), value()), 0..4), 1..3),
            cut in 0usize..200,
        ) {
            let whole = values.iter().map(|e| object(e)).collect::<String>();
            let cut_short = &whole[..cut.min(whole.len())];
            for text in [whole.as_str(), cut_short] {
                if !may_hold_documents(text) {
                    prop_assert_eq!(read_in_full(text), (0, false), "{}", text);
                }
            }
        }
    }

    #[test]
    fn lock_files_are_skipped_and_escaped_keys_are_not() {
        assert!(!may_hold_documents(
            r#"{"name": "app", "lockfileVersion": 3}"#
        ));
        assert!(may_hold_documents(
            r#"{"\u0061piVersion": "v1", "kind": "Pod"}"#
        ));
        assert!(may_hold_documents(
            r#"{"format_version": "1.2", "planned_values": {}}"#
        ));
        let (documents, _) = read_in_full(r#"{"\u0061piVersion": "v1", "kind": "Pod"}"#);
        assert_eq!(documents, 1);
    }
}
