//! Removing one item of a block-style YAML list (`- containerPort: 22`
//! and the lines that belong to it) by its lines, keeping the rest of the
//! file as written.

use std::ops::Range;
use std::sync::Arc;

use crate::document::SourceFile;
use crate::fix::Edit;

/// One line of the text: its byte range (newline included) and the column
/// of its first non-blank character (`None` for blank and comment lines).
struct Line {
    range: Range<usize>,
    indent: Option<usize>,
    dash: bool,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let content = piece.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start_matches(' ');
        let blank = trimmed.is_empty() || trimmed.starts_with('#');
        out.push(Line {
            range: start..start + piece.len(),
            indent: (!blank).then_some(content.len() - trimmed.len()),
            dash: trimmed == "-" || trimmed.starts_with("- "),
        });
        start += piece.len();
    }
    out
}

/// Removes the list item holding `offset`. `None` when the value is not in
/// a block-style list item (flow style `[22]`), or when it is the list's
/// only item and `only_item_is_ok` is false (a Service needs a port). The
/// only item goes with its key (`ports:`), which would otherwise be null.
pub(super) fn remove(
    file: &Arc<SourceFile>,
    offset: usize,
    only_item_is_ok: bool,
) -> Option<Result<Edit, String>> {
    let text = &file.text;
    let all = lines(text);
    let at = all.iter().position(|l| l.range.contains(&offset))?;
    let column = offset - all[at].range.start;
    let dash_line = (0..=at)
        .rev()
        .find(|&i| all[i].dash && all[i].indent.is_some_and(|c| c < column))?;
    let dash = all[dash_line].indent?;
    if (dash_line..at).any(|i| all[i + 1].indent.is_some_and(|c| c <= dash)) {
        return None; // a line between the dash and the value ends the item
    }
    let end_line = (dash_line + 1..all.len())
        .find(|&i| all[i].indent.is_some_and(|c| c <= dash))
        .unwrap_or(all.len());
    let next_is_item =
        end_line < all.len() && all[end_line].dash && all[end_line].indent == Some(dash);
    let previous = (0..dash_line)
        .rev()
        .find(|&i| all[i].indent.is_some_and(|c| c <= dash));
    let previous_is_item = previous.is_some_and(|i| all[i].dash && all[i].indent == Some(dash));
    let mut start = all[dash_line].range.start;
    if !next_is_item && !previous_is_item {
        if !only_item_is_ok {
            return Some(Err(
                "it is the list's only item: the object needs one".into()
            ));
        }
        let key = previous?;
        if !text[all[key].range.clone()].trim_end().ends_with(':') {
            return None; // `- - 22` or a key with the list on its line
        }
        start = all[key].range.start;
    }
    // end_line > dash_line: the item's last line ends the removal
    let end = all[end_line - 1].range.end;
    Some(Ok(Edit {
        file: file.clone(),
        start,
        end,
        replacement: String::new(),
    }))
}
