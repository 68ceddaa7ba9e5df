//! VER006: adds `immutable: true` to a ConfigMap or Secret (unsafe: the object can no longer be edited in place).
//!
//! The file is parsed again to find the object the finding is about (a
//! YAML stream holds several); `immutable: false` is set to `true`, else
//! `immutable: true` is written on the line after `kind:` with the same
//! indentation (YAML) or as the member after `"kind"` (JSON).

use std::sync::Arc;

use super::{Applicability, Edit, Fix, FixContext, FixError};
use crate::discover::FileKind;
use crate::document::{Document, PathSeg, SourceFile, Span};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it). Unsafe:
/// Kubernetes refuses every later change to an immutable object's data, so
/// a rollout that edits the ConfigMap in place instead of renaming it
/// starts to fail.
pub const APPLICABILITY: Applicability = Applicability::Unsafe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(finding: &Finding, _ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    Some(immutable_edit(finding).map(|edit| Fix {
        rule_id: finding.rule_id.clone(),
        title: "set `immutable: true`".into(),
        applicability: APPLICABILITY,
        edits: vec![edit],
    }))
}

fn immutable_edit(finding: &Finding) -> Result<Edit, FixError> {
    let fail = |message: &str| FixError {
        rule_id: finding.rule_id.clone(),
        message: message.into(),
    };
    if finding.kind == Some(crate::document::Kind::Terraform) {
        return Err(fail(
            "the manifest is embedded in Terraform; add `immutable: true` to it by hand",
        ));
    }
    let file = &finding.file;
    let json = file.text.trim_start().starts_with(['{', '[']);
    let kind = if json { FileKind::Json } else { FileKind::Yaml };
    let parsed = crate::scan::parse_source(file, kind);
    let doc = parsed
        .documents
        .iter()
        .find(|d| is_finding_document(d, finding))
        .ok_or_else(|| fail("the object is no longer where the finding points"))?;
    if let Some(node) = doc.source_map.child(&key("immutable")) {
        return Ok(replace(file, node.span, "true"));
    }
    let kind_span = doc
        .source_map
        .child(&key("kind"))
        .map(|n| n.span)
        .ok_or_else(|| fail("the object has no `kind:` to write `immutable: true` after"))?;
    let inserted = if json {
        json_member_after(file, kind_span)
    } else {
        yaml_entry_after(file, kind_span)
    };
    inserted.ok_or_else(|| {
        fail("`kind` is not written as a plain `kind: …` entry; add `immutable: true` by hand")
    })
}

/// Whether `doc` is the ConfigMap/Secret the finding points into: its
/// `immutable` or `metadata.name` (where VER006 points) is the finding's span.
fn is_finding_document(doc: &Document, finding: &Finding) -> bool {
    let at_finding = |path: &[PathSeg]| {
        let (node, depth) = doc.source_map.locate(path);
        depth == path.len()
            && node.span.start as usize == finding.start
            && node.span.end as usize == finding.end
    };
    at_finding(&[key("immutable")]) || at_finding(&[key("metadata"), key("name")])
}

fn key(name: &str) -> PathSeg {
    PathSeg::Key(name.into())
}

fn replace(file: &Arc<SourceFile>, span: Span, text: &str) -> Edit {
    Edit {
        file: file.clone(),
        start: span.start as usize,
        end: span.end as usize,
        replacement: text.into(),
    }
}

fn insert(file: &Arc<SourceFile>, at: usize, text: String) -> Edit {
    Edit {
        file: file.clone(),
        start: at,
        end: at,
        replacement: text,
    }
}

/// `immutable: true` on its own line after `kind: …`, indented like `kind`
/// (`- kind:` in a list item counts the dash as indentation).
fn yaml_entry_after(file: &Arc<SourceFile>, kind_value: Span) -> Option<Edit> {
    let text = &file.text;
    let value_start = kind_value.start as usize;
    let line_start = text[..value_start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..value_start];
    let key_at = before.rfind("kind")?;
    let (lead, after_key) = (&before[..key_at], &before[key_at + 4..]);
    if !lead.chars().all(|c| c == ' ' || c == '-') || after_key.trim() != ":" {
        return None;
    }
    let end = kind_value.end as usize;
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let indent = " ".repeat(lead.chars().count());
    Some(insert(file, line_end, format!("\n{indent}immutable: true")))
}

/// `"immutable": true` as the member after `"kind": …`, on a line of its own
/// when `"kind"` has one.
fn json_member_after(file: &Arc<SourceFile>, kind_value: Span) -> Option<Edit> {
    let text = &file.text;
    let value_start = kind_value.start as usize;
    let line_start = text[..value_start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..value_start];
    let key_at = before.rfind("\"kind\"")?;
    let lead = &before[..key_at];
    let separator = if lead.trim().is_empty() {
        format!("\n{lead}")
    } else {
        " ".into()
    };
    let end = kind_value.end as usize;
    Some(insert(
        file,
        end,
        format!(",{separator}\"immutable\": true"),
    ))
}
