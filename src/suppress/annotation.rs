//! The Kubernetes annotation form of a suppression, for manifests generated
//! by tools that drop comments (Helm, Kustomize, `kubectl get -o yaml`):
//!
//! ```yaml
//! metadata:
//!   annotations:
//!     driftless.io/ignore: "TAG001: image promoted by digest in CD; SSH003,VER006: debug pod until=2027-01-31"
//! ```
//!
//! Entries are separated by `;` or newlines; each is `IDS: reason
//! [until=YYYY-MM-DD]` with comma-separated IDs. The annotation covers the
//! whole object (its document).

use std::ops::Range;
use std::sync::Arc;

use super::grammar::{self, Parsed};
use crate::document::{Document, Kind, PathSeg, SourceFile};

/// The annotation key.
pub const KEY: &str = "driftless.io/ignore";

/// An object's `driftless.io/ignore` annotation, taken from its document
/// before rules run (evaluation consumes the input).
#[derive(Clone, Debug)]
pub struct Annotation {
    pub file: Arc<SourceFile>,
    /// Byte offset of the annotation's value (where warnings point).
    pub offset: usize,
    /// The value, or `None` when it is not a string.
    pub value: Option<String>,
    /// The bytes of the object it covers.
    pub scope: Range<usize>,
}

/// The annotation of a Kubernetes document, if it has one.
pub fn annotation(doc: &Document) -> Option<Annotation> {
    if doc.kind != Kind::Kubernetes {
        return None;
    }
    let value = doc.input.get("metadata")?.get("annotations")?.get(KEY)?;
    let path = [
        PathSeg::Key("metadata".into()),
        PathSeg::Key("annotations".into()),
        PathSeg::Key(KEY.into()),
    ];
    let (node, depth) = doc.source_map.locate(&path);
    let span = node.span;
    let file = doc
        .files
        .get(span.file as usize)
        .or(doc.files.first())?
        .clone();
    let scope = if depth == path.len() {
        extent(doc, span.file)
    } else {
        0..file.text.len()
    };
    Some(Annotation {
        file,
        offset: span.start as usize,
        value: value.as_str().map(str::to_string),
        scope,
    })
}

/// The bytes a document occupies in one of its files: from its first to its
/// last mapped value (one pass over the source map).
fn extent(doc: &Document, file: u16) -> Range<usize> {
    let mut range: Option<Range<usize>> = None;
    doc.source_map.for_each_span(&mut |s| {
        if s.file != file || (s.start == 0 && s.end == 0) {
            return;
        }
        let (a, b) = (s.start as usize, s.end as usize);
        range = Some(match range.take() {
            None => a..b,
            Some(r) => r.start.min(a)..r.end.max(b),
        });
    });
    range.unwrap_or(0..0)
}

/// Parses the annotation's entries; each is valid or explains why not.
pub fn entries(value: &str) -> Vec<Result<Parsed, String>> {
    value
        .split([';', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(entry)
        .collect()
}

fn entry(text: &str) -> Result<Parsed, String> {
    let Some((ids, tail)) = text.split_once(':') else {
        return Err(format!(
            "`{text}` is not `RULE[,RULE]: reason` (the `{KEY}` annotation needs rule IDs and a reason)"
        ));
    };
    let ids = grammar::parse_ids(ids)?;
    let (reason, until) = grammar::parse_tail(tail)?;
    Ok(Parsed { ids, reason, until })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{SourceMap, Span};

    #[test]
    fn entries_split_on_semicolons_and_newlines() {
        let parsed = entries(
            "TAG001: promoted by digest; SSH003, VER006: debug pod until=2027-01-31\n\nUPD001",
        );
        assert_eq!(parsed.len(), 3);
        let first = parsed[0].as_ref().unwrap();
        assert_eq!(
            (first.ids.as_slice(), first.reason.as_str()),
            (&["TAG001".to_string()][..], "promoted by digest")
        );
        let second = parsed[1].as_ref().unwrap();
        assert_eq!(second.ids, ["SSH003", "VER006"]);
        assert_eq!(second.until.unwrap().to_string(), "2027-01-31");
        assert!(parsed[2].as_ref().unwrap_err().contains("is not `RULE"));
        assert!(
            entries("TAG001:")[0]
                .as_ref()
                .unwrap_err()
                .contains("missing reason")
        );
    }

    #[test]
    fn annotation_covers_its_document() {
        let text = "a: 1\n---\nmetadata:\n  annotations:\n    driftless.io/ignore: \"TAG001: x\"\nspec: {}\n";
        let file = Arc::new(SourceFile::new("k.yaml", text));
        let value_at = text.find("\"TAG001").unwrap();
        let mut annotations = SourceMap::leaf(Span::new(text.find("annotations").unwrap(), 0));
        annotations.insert(KEY, SourceMap::leaf(Span::new(value_at, value_at + 11)));
        let mut metadata = SourceMap::leaf(Span::new(9, 17));
        metadata.insert("annotations", annotations);
        let mut root = SourceMap::leaf(Span::new(9, 17));
        root.insert("metadata", metadata);
        root.insert(
            "spec",
            SourceMap::leaf(Span::new(text.len() - 3, text.len() - 1)),
        );
        let input =
            serde_json::json!({"metadata": {"annotations": {KEY: "TAG001: x"}}, "spec": {}});
        let doc = Document::new(Kind::Kubernetes, file, input, root);
        let a = annotation(&doc).unwrap();
        assert_eq!(a.offset, value_at);
        assert_eq!(a.value.as_deref(), Some("TAG001: x"));
        assert_eq!(a.scope, 9..text.len() - 1);
    }
}
