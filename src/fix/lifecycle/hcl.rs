//! Edits of native HCL by span, keeping the file's formatting: hcl-edit
//! finds the blocks and attributes and their byte ranges; the edits are
//! whole lines indented like their neighbours.

use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::{Attribute, Block, Body, Structure};

use crate::document::SourceFile;
use crate::fix::Edit;

/// The file's body, or `None` when it does not parse (the scan reports that).
pub(in crate::fix) fn parse(text: &str) -> Option<Body> {
    hcl_edit::parser::parse_body(text).ok()
}

/// The `resource "TYPE" "NAME"` block of a body.
pub(in crate::fix) fn find_resource<'a>(body: &'a Body, ty: &str, name: &str) -> Option<&'a Block> {
    body.blocks().find(|b| {
        b.ident.as_str() == "resource"
            && b.labels.len() == 2
            && b.labels[0].as_str() == ty
            && b.labels[1].as_str() == name
    })
}

/// The direct child blocks of `block` named `ident`.
pub(in crate::fix) fn child_blocks<'a>(
    block: &'a Block,
    ident: &'a str,
) -> impl Iterator<Item = &'a Block> + 'a {
    block
        .body
        .blocks()
        .filter(move |b| b.ident.as_str() == ident)
}

/// The attribute `key` directly in `block`.
pub(in crate::fix) fn attribute<'a>(block: &'a Block, key: &str) -> Option<&'a Attribute> {
    block.body.attributes().find(|a| a.key.as_str() == key)
}

/// Every block of the body, nested ones included, parents first.
pub(in crate::fix) fn walk_blocks<'a>(body: &'a Body, out: &mut Vec<&'a Block>) {
    for structure in body.iter() {
        if let Structure::Block(b) = structure {
            out.push(b);
            walk_blocks(&b.body, out);
        }
    }
}

/// The whitespace that starts the line holding `offset`.
pub(in crate::fix) fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// `range` grown to whole lines when nothing but whitespace precedes it on
/// its first line and nothing but whitespace or a comment follows it on its
/// last: removing it then leaves no blank line behind.
pub(in crate::fix) fn whole_lines(text: &str, range: Range<usize>) -> Range<usize> {
    let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i + 1);
    let before = &text[line_start..range.start];
    let after = text[range.end..line_end].trim();
    let comment = after.is_empty() || after.starts_with('#') || after.starts_with("//");
    if before.trim().is_empty() && comment {
        line_start..line_end
    } else {
        range
    }
}

/// An edit that writes `lines` (relative indentation, one entry per line)
/// as the last lines of `block`'s body, indented one level (two spaces)
/// deeper than the block. A one-line block (`lifecycle {}`, `x { a = 1 }`)
/// is opened up so the body is one item per line, as HCL requires.
pub(in crate::fix) fn append_to_block(
    file: &Arc<SourceFile>,
    block: &Block,
    lines: &[String],
) -> Option<Edit> {
    let text = &file.text;
    let span = block.span()?;
    let close = span
        .end
        .checked_sub(1)
        .filter(|&i| text.as_bytes()[i] == b'}')?;
    let open = span.start + text[span.start..close].find('{')?;
    let indent = line_indent(text, span.start).to_string();
    let inner = format!("{indent}  ");
    let mut body: Vec<String> = Vec::new();
    let multiline = text[open..close].contains('\n');
    let (start, end) = if multiline {
        let close_line = text[..close].rfind('\n').map_or(0, |i| i + 1);
        if !text[close_line..close].trim().is_empty() {
            return None; // `}` after an item on the same line
        }
        (close_line, close_line)
    } else {
        let existing = text[open + 1..close].trim();
        if !existing.is_empty() {
            body.push(format!("{inner}{existing}"));
        }
        (open + 1, close)
    };
    body.extend(lines.iter().map(|l| format!("{inner}{l}")));
    let mut replacement = body.join("\n") + "\n";
    if !multiline {
        replacement = format!("\n{replacement}{indent}");
    }
    Some(Edit {
        file: file.clone(),
        start,
        end,
        replacement,
    })
}
