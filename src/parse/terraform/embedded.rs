//! Kubernetes manifests and Helm values written inside Terraform strings:
//! `kubectl_manifest.yaml_body` and `helm_release.values` hold YAML (a
//! heredoc, `file("x.yaml")`, `templatefile(...)`, `yamlencode({...})`)
//! that rules cannot read as text. They are decoded here, once, into
//! fields of the resource (`manifests`, `helm_values`: one entry per YAML
//! document), so the Kubernetes and Helm library helpers run on them as on
//! manifest and values files (docs/input-terraform.md).
//!
//! Spans point inside the heredoc or the file read when the text is
//! written there as it is; otherwise (indented heredocs, rendered
//! templates) at the attribute. A body that does not parse is `EVAL001` at
//! the attribute: the gate cannot vouch for what it does not read. A body
//! that is not known (interpolations of unknowns) is left as it is.

use std::sync::Arc;

use serde_json::Value;

use super::eval::Evaluator;
use super::value::{V, Val};
use crate::document::{SourceFile, Span};
use crate::parse::yaml;

/// The resource field holding the Kubernetes objects of a `kubectl_manifest`.
pub(crate) const MANIFESTS: &str = "manifests";

/// The resource field holding the values documents of a `helm_release`.
pub(crate) const HELM_VALUES: &str = "helm_values";

/// The decoded documents of a resource of type `kind` as the field to add
/// to the resource (`manifests`/`helm_values`), or `None` when the type
/// embeds no YAML or the bodies hold no known document.
pub(crate) fn decode(
    ev: &Evaluator,
    kind: &str,
    config: &Val,
    files: &[Arc<SourceFile>],
) -> Option<(&'static str, Val)> {
    let (field, bodies): (&'static str, Vec<&Val>) = match kind {
        "kubectl_manifest" => (MANIFESTS, config.get("yaml_body").into_iter().collect()),
        "helm_release" => (HELM_VALUES, list_items(config.get("values"))),
        _ => return None,
    };
    let docs: Vec<Val> = bodies
        .into_iter()
        .filter(|body| field != MANIFESTS || !scanned_on_its_own(ev, body))
        .flat_map(|body| documents(ev, body, files))
        .collect();
    (!docs.is_empty()).then(|| (field, Val::new(V::List(docs), config.span)))
}

/// Whether a manifest body is a whole file the scan reads as a manifest of
/// its own (`file("web.yaml")`): all Kubernetes rules judge it there, so
/// the Terraform document does not report its images a second time at the
/// same place.
fn scanned_on_its_own(ev: &Evaluator, body: &Val) -> bool {
    let V::Str(text) = &body.v else {
        return false;
    };
    ev.loaded_holding(text).is_some_and(|rel| {
        matches!(
            crate::discover::classify(&rel),
            Some(crate::discover::FileKind::Yaml | crate::discover::FileKind::Json)
        )
    })
}

fn list_items(v: Option<&Val>) -> Vec<&Val> {
    match v.map(|v| &v.v) {
        Some(V::List(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// The objects one body holds: structure kept by `yamlencode`/`jsonencode`
/// (or a JSON heredoc) as it is, YAML text decoded document by document.
fn documents(ev: &Evaluator, body: &Val, files: &[Arc<SourceFile>]) -> Vec<Val> {
    match &body.v {
        V::Json(inner) if matches!(inner.v, V::Map(_)) => vec![(**inner).clone()],
        V::Map(_) => vec![body.clone()],
        V::Str(text) => decode_yaml(ev, text, body.span, files),
        _ => Vec::new(),
    }
}

/// Decodes a YAML stream written at `span`; empty documents are skipped,
/// a broken one is reported (`EVAL001`) and the others are kept.
fn decode_yaml(ev: &Evaluator, text: &str, span: Span, files: &[Arc<SourceFile>]) -> Vec<Val> {
    let place = place(ev, text, span, files);
    let source = Arc::new(SourceFile::new("<yaml body>", text));
    let mut out = Vec::new();
    for doc in yaml::load_stream(&source) {
        match doc.result {
            Ok((Value::Null, _)) => {}
            Ok((value, map)) => out.push(match place {
                Some((file, offset)) => {
                    let mut v = Val::from_json_mapped(&value, &map, file);
                    v.shift(offset);
                    v
                }
                None => Val::from_json(&value, span),
            }),
            Err(e) => ev.bound_hit(
                span,
                format!(
                    "YAML body not decoded ({}): the gate cannot vouch for the \
                     Kubernetes objects or Helm values it holds",
                    e.message
                ),
            ),
        }
    }
    out
}

/// Where `text` is written as it is: the file `file()` read it from, or
/// its place inside the attribute's source (a heredoc); `None` when it is
/// only a rendering (indented heredoc, template, escapes).
fn place(ev: &Evaluator, text: &str, span: Span, files: &[Arc<SourceFile>]) -> Option<(u16, u32)> {
    if let Some(file) = ev.file_holding(text) {
        return Some((file, 0));
    }
    let source = files.get(span.file as usize)?;
    let written = source.text.get(span.start as usize..span.end as usize)?;
    let at = written.find(text).filter(|_| !text.is_empty())?;
    Some((span.file, span.start + at as u32))
}
