//! Suppression comments in YAML (Kubernetes manifests).
//!
//! - trailing comment: the line it is on, or the block that line opens;
//! - comment line(s) directly above a mapping key or sequence item: that
//!   key's (item's) indented block;
//! - comment before the first content line of a YAML document: the whole
//!   document (up to the next `---`).

use super::{Candidate, lines_range};
use crate::document::SourceFile;

/// What a line is, for scoping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    Blank,
    Comment,
    /// `---` or `...`: a document boundary.
    Marker,
    /// Content with its indentation (in bytes).
    Content(Content),
}

/// A content line's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Content {
    indent: usize,
    /// A sequence item (`- …`).
    item: bool,
    /// Ends with `:` (a key whose value is the block below).
    opens: bool,
}

fn classify(text: &str) -> Line {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        Line::Blank
    } else if trimmed.starts_with('#') {
        Line::Comment
    } else if is_marker(text) {
        Line::Marker
    } else {
        let code = match comment_start(trimmed) {
            Some(i) => &trimmed[..i],
            None => trimmed,
        };
        Line::Content(Content {
            indent: text.len() - trimmed.len(),
            item: trimmed == "-" || trimmed.starts_with("- "),
            opens: code.trim_end().ends_with(':'),
        })
    }
}

/// Where a `#` comment starts in a line: at its start or after whitespace.
fn comment_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    text.match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| i == 0 || matches!(bytes[i - 1], b' ' | b'\t'))
}

fn is_marker(text: &str) -> bool {
    ["---", "..."].iter().any(|m| {
        text.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

/// The suppression comments of a YAML file with the byte range each covers.
/// A `#` the YAML parser read as part of a scalar (a block scalar's line, a
/// quoted or multi-line value) is text, not a comment, and suppresses
/// nothing.
pub fn candidates(file: &SourceFile) -> Vec<Candidate> {
    let mut out = line_candidates(file);
    if !out.is_empty() {
        let scalars = crate::parse::yaml::scalar_spans(&file.text);
        out.retain(|c| !scalars.iter().any(|s| s.contains(&c.offset)));
    }
    out
}

/// Every line's `# driftless…` with its scope, judged line by line.
fn line_candidates(file: &SourceFile) -> Vec<Candidate> {
    let n = file.line_count() as u32;
    let kinds: Vec<Line> = (1..=n).map(|l| classify(file.line_text(l))).collect();
    let kind = |line: u32| kinds[(line - 1) as usize];
    let mut out = Vec::new();
    let mut doc_start = 1;
    let mut seen_content = false;
    for line in 1..=n {
        let text = file.line_text(line);
        match kind(line) {
            Line::Marker => {
                doc_start = line + 1;
                seen_content = false;
            }
            Line::Content(_) => seen_content = true,
            _ => {}
        }
        let Some((col, body)) = comment_in(text) else {
            continue;
        };
        let offset = file.line_start(line) + col;
        let own_line = matches!(kind(line), Line::Comment | Line::Marker);
        let lines = if !own_line {
            Some((line, block_end(&kinds, line)))
        } else if !seen_content {
            let start = if kind(line) == Line::Marker {
                line + 1
            } else {
                doc_start
            };
            Some((start, document_end(&kinds, line)))
        } else {
            target_below(&kinds, line).map(|t| (t, block_end(&kinds, t)))
        };
        let scope = match lines {
            Some((a, b)) if b >= a => lines_range(file, a, b),
            _ => offset..offset,
        };
        out.push(Candidate {
            offset,
            text: body.to_string(),
            scope,
        });
    }
    out
}

/// A `#` comment in the line whose text starts with `driftless`: the `#`
/// begins the line or follows whitespace (YAML's rule), which keeps `#` in
/// values such as `color: "#fff"` or `url: a#b` out.
pub(super) fn comment_in(text: &str) -> Option<(usize, &str)> {
    let i = comment_start(text)?;
    let body = &text[i + 1..];
    body.trim_start()
        .starts_with("driftless")
        .then_some((i, body))
}

/// The first content line below a comment block (comment lines may stack;
/// a blank line or a document marker detaches the comment).
fn target_below(kinds: &[Line], line: u32) -> Option<u32> {
    let mut next = line + 1;
    while let Some(k) = kinds.get((next - 1) as usize) {
        match k {
            Line::Comment => next += 1,
            Line::Content(_) => return Some(next),
            Line::Blank | Line::Marker => return None,
        }
    }
    None
}

/// The last line of the block `line` opens: following lines indented
/// deeper (and, under a `key:` line, sequence items at the key's own
/// indentation, which YAML allows), stopping at the document's end.
/// Trailing blank and comment lines are left to what follows.
fn block_end(kinds: &[Line], line: u32) -> u32 {
    let Line::Content(head) = kinds[(line - 1) as usize] else {
        return line;
    };
    let items_belong = head.opens && !head.item;
    let mut end = line;
    let mut next = line + 1;
    while let Some(k) = kinds.get((next - 1) as usize) {
        match *k {
            Line::Blank | Line::Comment => {}
            Line::Marker => break,
            Line::Content(c) if c.indent > head.indent => end = next,
            Line::Content(c) if c.indent == head.indent && c.item && items_belong => end = next,
            Line::Content(_) => break,
        }
        next += 1;
    }
    end
}

/// The last content line of the document `line` is in.
fn document_end(kinds: &[Line], line: u32) -> u32 {
    let mut end = line;
    let mut next = line + 1;
    while let Some(k) = kinds.get((next - 1) as usize) {
        match k {
            Line::Marker => break,
            Line::Content(_) => end = next,
            _ => {}
        }
        next += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (first line, last line) of each candidate's scope.
    fn scopes(text: &str) -> Vec<(u32, u32)> {
        let file = SourceFile::new("k.yaml", text);
        candidates(&file)
            .iter()
            .map(|c| {
                let a = file.position(c.scope.start).line;
                let b = file
                    .position(c.scope.end.saturating_sub(1).max(c.scope.start))
                    .line;
                (a, b)
            })
            .collect()
    }

    const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        # driftless:ignore[TAG001] whole container
        - name: app
          image: app:latest # driftless:ignore[TAG001] this line
          ports:
            - containerPort: 22
        - name: side
          image: side:latest
";

    #[test]
    fn key_block_and_trailing_line() {
        assert_eq!(scopes(DEPLOY), vec![(8, 11), (9, 9)]);
    }

    #[test]
    fn document_head_covers_the_document() {
        let text = "# driftless:ignore[TAG001] whole doc\n\napiVersion: v1\nkind: Pod\n---\n# driftless:ignore[TAG002] second\nkind: Pod\nspec: {}\n";
        assert_eq!(scopes(text), vec![(1, 4), (6, 8)]);
    }

    #[test]
    fn blank_line_detaches_and_values_with_hash_are_not_comments() {
        let text = "a: 1\n# driftless:ignore[TAG001] detached\n\nb: \"#driftless:ignore[X] no\"\nc: d#driftless\n";
        let file = SourceFile::new("k.yaml", text);
        let c = candidates(&file);
        assert_eq!(c.len(), 1);
        assert!(c[0].scope.is_empty());
        assert_eq!(file.position(c[0].offset).line, 2);
    }

    #[test]
    fn a_hash_inside_a_scalar_is_not_a_comment() {
        let text = "kind: Pod\nspec:\n  script: |\n    # driftless:ignore[TAG001] block\n  note: \"a # driftless:ignore[TAG001] quoted\"\n  args: ['a\n    # driftless:ignore[TAG001] folded']\n  # driftless:ignore[TAG001] real\n  image: app:latest\n";
        let file = SourceFile::new("k.yaml", text);
        let lines: Vec<u32> = candidates(&file)
            .iter()
            .map(|c| file.position(c.offset).line)
            .collect();
        assert_eq!(lines, vec![8]);
    }

    #[test]
    fn sequence_under_key_at_same_indent_ends_the_key_block_only_for_keys() {
        let text = "spec:\n  # driftless:ignore[SSH003] ports\n  ports:\n  - port: 22\n  - port: 80\n  selector: {}\n";
        assert_eq!(scopes(text), vec![(3, 5)]);
    }
}
