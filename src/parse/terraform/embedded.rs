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
/// embeds no YAML or the bodies hold no known document. `left`: the bytes
/// of [`MAX_MODULE_YAML`] the module may still decode.
pub(crate) fn decode(
    ev: &Evaluator,
    kind: &str,
    config: &Val,
    files: &[Arc<SourceFile>],
    left: &mut usize,
) -> Option<(&'static str, Val)> {
    let (field, bodies): (&'static str, Vec<&Val>) = match kind {
        "kubectl_manifest" => (MANIFESTS, config.get("yaml_body").into_iter().collect()),
        "helm_release" => (HELM_VALUES, list_items(config.get("values"))),
        _ => return None,
    };
    let docs: Vec<Val> = bodies
        .into_iter()
        .filter(|body| field != MANIFESTS || !scanned_on_its_own(ev, body))
        .flat_map(|body| documents(ev, body, files, left))
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
fn documents(ev: &Evaluator, body: &Val, files: &[Arc<SourceFile>], left: &mut usize) -> Vec<Val> {
    match &body.v {
        V::Json(inner) if matches!(inner.v, V::Map(_)) => vec![(**inner).clone()],
        V::Map(_) => vec![body.clone()],
        V::Str(text) => decode_yaml(ev, text, body.span, files, left),
        _ => Vec::new(),
    }
}

/// Most bytes of embedded YAML one module decodes (the same body decoded
/// once per instance of a `for_each` counts each time): the decoded
/// objects are part of the module's one document, held whole in memory
/// (2 MiB of small manifests is about 18,000 objects).
pub(crate) const MAX_MODULE_YAML: usize = 2 << 20;

const OVER_BOUND: &str = "YAML body not decoded: the module embeds more than 2 MiB of YAML, \
     driftless's bound; the gate cannot vouch for the Kubernetes objects or Helm values it holds";

/// Decodes a YAML stream written at `span`, `left` bytes of the module's
/// [`MAX_MODULE_YAML`] still allowed; empty documents are skipped,
/// a broken one is reported (`EVAL001`) and the others are kept.
fn decode_yaml(
    ev: &Evaluator,
    text: &str,
    span: Span,
    files: &[Arc<SourceFile>],
    left: &mut usize,
) -> Vec<Val> {
    if text.len() > *left {
        ev.bound_hit(span, OVER_BOUND);
        return Vec::new();
    }
    *left -= text.len();
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn manifest(text: &str) -> Val {
        let span = Span::new(0, text.len());
        let body = Val::str(text, span);
        Val::new(V::Map(vec![("yaml_body".into(), body)]), span)
    }

    /// The module's allowance of embedded YAML is spent body by body; a
    /// body over what is left is `EVAL001` at the body, not decoded.
    #[test]
    fn a_body_over_the_module_allowance_is_eval001_not_decoded() {
        let ev = Evaluator::new(Path::new("."), Path::new("."), 1);
        let config = manifest("kind: Pod\n");
        let mut left = 15;
        let decoded = decode(&ev, "kubectl_manifest", &config, &[], &mut left);
        assert_eq!(
            decoded.map(|(field, v)| (field, v.to_json())).unwrap().1[0]["kind"],
            "Pod"
        );
        assert_eq!(left, 5);
        assert!(ev.take_incomplete().is_empty());
        assert!(decode(&ev, "kubectl_manifest", &config, &[], &mut left).is_none());
        let incomplete = ev.take_incomplete();
        assert_eq!(incomplete.len(), 1);
        assert!(
            incomplete[0].1.contains("more than 2 MiB"),
            "{incomplete:?}"
        );
    }
}
