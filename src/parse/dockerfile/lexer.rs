//! Physical lines to logical instructions, the way BuildKit reads them:
//! parser directives at the top, comments and blank lines skipped,
//! escape-character continuations joined (comment and empty lines inside a
//! continuation skipped), heredoc bodies read after their instruction.
//!
//! One pass over the text: every line is visited once and line numbers are
//! counted as we go, so a 100,000-line file costs no more than its bytes.

use super::Error;
use super::mapping::Mapping;
use crate::document::Span;

/// The byte-order mark, tolerated at the start even though the caller
/// normally strips it.
const BOM: &str = "\u{feff}";

/// A parser directive (`# syntax=docker/dockerfile:1`, `# escape=\``).
#[derive(Debug, Clone)]
pub struct Directive {
    /// Lower-cased name (`syntax`, `escape`, `check`).
    pub name: String,
    pub value: String,
    pub line_span: Span,
    pub value_span: Span,
}

/// One instruction with its continuation lines joined.
#[derive(Debug)]
pub struct Logical {
    /// The instruction text: leading whitespace removed, escape characters
    /// at line ends removed, lines concatenated (as BuildKit does).
    pub text: String,
    /// Offsets of `text` to file offsets.
    pub map: Mapping,
    /// 1-based line of the instruction keyword.
    pub line: u32,
}

/// A heredoc body read after its instruction.
#[derive(Debug, Clone)]
pub struct Body {
    /// The content: lines with `\n` endings (CR removed), leading tabs
    /// removed for `<<-`.
    pub content: String,
    /// File range of the body lines (empty at the terminator for an empty body).
    pub start: usize,
    pub end: usize,
}

/// A physical line: byte range without its line terminator.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    number: u32,
}

/// Whitespace as BuildKit trims it (Go's `unicode.IsSpace`, ASCII part).
fn is_blank(c: char) -> bool {
    c.is_whitespace()
}

/// Reads instructions one by one; the caller asks for heredoc bodies right
/// after the instruction that announced them.
pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    next_line: u32,
    escape: char,
}

impl<'a> Lexer<'a> {
    /// Starts after a BOM, if any; `escape` comes from [`directives`].
    pub fn new(text: &'a str, escape: char) -> Self {
        let pos = if text.starts_with(BOM) { BOM.len() } else { 0 };
        Lexer {
            text,
            pos,
            next_line: 1,
            escape,
        }
    }

    fn read_line(&mut self) -> Option<Line> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let (end, next) = match self.text[start..].find('\n') {
            Some(i) => (start + i, start + i + 1),
            None => (self.text.len(), self.text.len()),
        };
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        self.pos = next;
        let number = self.next_line;
        self.next_line += 1;
        Some(Line { start, end, number })
    }

    /// The next instruction, or `None` at the end of the file.
    pub fn next_instruction(&mut self) -> Option<Logical> {
        loop {
            let line = self.read_line()?;
            let raw = &self.text[line.start..line.end];
            let content = raw.trim_start_matches(is_blank);
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let offset = line.start + (raw.len() - content.len());
            return Some(self.join_continuations(content, offset, line.number));
        }
    }

    fn join_continuations(&mut self, first: &str, offset: usize, number: u32) -> Logical {
        let mut text = String::with_capacity(first.len());
        let mut map = Mapping::default();
        let (piece, mut more) = strip_continuation(first, self.escape);
        map.push_verbatim(text.len(), offset, piece.len());
        text.push_str(piece);
        while more {
            let Some(line) = self.read_line() else { break };
            let raw = &self.text[line.start..line.end];
            let trimmed = raw.trim_start_matches(is_blank);
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let (piece, m) = strip_continuation(raw, self.escape);
            map.push_verbatim(text.len(), line.start, piece.len());
            text.push_str(piece);
            more = m;
        }
        Logical {
            text,
            map,
            line: number,
        }
    }

    /// Reads a heredoc body up to its terminator line; `None` when the file
    /// ends first.
    pub fn read_heredoc(&mut self, delimiter: &str, strip_tabs: bool) -> Option<Body> {
        let mut content = String::new();
        let mut range: Option<(usize, usize)> = None;
        loop {
            let line = self.read_line()?;
            let raw = &self.text[line.start..line.end];
            let candidate = if strip_tabs {
                raw.trim_start_matches('\t')
            } else {
                raw
            };
            if candidate == delimiter {
                let (start, end) = range.unwrap_or((line.start, line.start));
                return Some(Body {
                    content,
                    start,
                    end,
                });
            }
            content.push_str(candidate);
            content.push('\n');
            range = Some((range.map_or(line.start, |r| r.0), line.end));
        }
    }
}

/// Removes a trailing escape character (plus trailing blanks) that continues
/// the line. As in BuildKit, an escape preceded by another escape is a
/// literal, not a continuation.
fn strip_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (line, false);
    };
    if before.ends_with(escape) {
        return (line, false);
    }
    (before, true)
}

/// Parser directives at the top of the file, and the escape character they
/// select. Directives stop at the first line that is not one (including a
/// blank line or an unknown directive name).
pub fn directives(text: &str) -> Result<(Vec<Directive>, char), Error> {
    let mut lexer = Lexer::new(text, '\\');
    let mut found: Vec<Directive> = Vec::new();
    let mut escape = '\\';
    while let Some(line) = lexer.read_line() {
        let raw = &text[line.start..line.end];
        let Some(d) = directive(raw, line.start) else {
            break;
        };
        if found.iter().any(|f| f.name == d.name) {
            return Err(Error::new(
                line.start,
                line.end,
                format!("only one {} parser directive can be used", d.name),
            ));
        }
        if d.name == "escape" {
            escape = match d.value.as_str() {
                "\\" => '\\',
                "`" => '`',
                other => {
                    return Err(Error::new(
                        d.value_span.start as usize,
                        d.value_span.end as usize,
                        format!("invalid escape token '{other}': must be ` or \\"),
                    ));
                }
            };
        }
        found.push(d);
    }
    Ok((found, escape))
}

/// Matches `# name = value` with a known directive name.
fn directive(raw: &str, start: usize) -> Option<Directive> {
    let body = raw.trim_start_matches(is_blank).strip_prefix('#')?;
    let name_part = body.trim_start_matches(is_blank);
    let name_len = name_part
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name_part.len());
    let name = &name_part[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after_name = name_part[name_len..].trim_start_matches(is_blank);
    let value_part = after_name.strip_prefix('=')?.trim_start_matches(is_blank);
    let value = value_part.trim_end_matches(is_blank);
    if value.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    let value_start = start + (raw.len() - value_part.len());
    Some(Directive {
        name,
        value: value.to_owned(),
        line_span: Span::new(start, start + raw.len()),
        value_span: Span::new(value_start, value_start + value.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, escape: char) -> Vec<(String, u32)> {
        let mut lx = Lexer::new(text, escape);
        std::iter::from_fn(|| lx.next_instruction())
            .map(|l| (l.text, l.line))
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_continuations() {
        let text = "# c\n\nFROM a\nRUN x \\  \n  # inside\n\n    && y\\\n z\nCMD q\n";
        assert_eq!(
            all(text, '\\'),
            vec![
                ("FROM a".to_string(), 3),
                ("RUN x     && y z".to_string(), 4),
                ("CMD q".to_string(), 9)
            ]
        );
    }

    #[test]
    fn escaped_escape_is_not_a_continuation() {
        assert_eq!(all("RUN a \\\\\nCMD b", '\\').len(), 2);
        assert_eq!(all("RUN a \\\nCMD b", '\\').len(), 1);
        assert_eq!(all("RUN a `\nb\n", '`')[0].0, "RUN a b");
    }

    #[test]
    fn joined_text_maps_back_to_each_line() {
        let text = "RUN a \\\r\n  bb\r\n";
        let mut lx = Lexer::new(text, '\\');
        let l = lx.next_instruction().unwrap();
        assert_eq!(l.text, "RUN a   bb");
        let bb = l.text.find("bb").unwrap();
        assert_eq!(l.map.span(bb, bb + 2), Span::new(11, 13));
        assert_eq!(&text[11..13], "bb");
    }

    #[test]
    fn heredoc_bodies() {
        let text = "RUN <<-EOF\n\tapt-get x\r\n\tEOF\nCMD y\n";
        let mut lx = Lexer::new(text, '\\');
        lx.next_instruction().unwrap();
        let b = lx.read_heredoc("EOF", true).unwrap();
        assert_eq!(b.content, "apt-get x\n");
        assert_eq!(&text[b.start..b.end], "\tapt-get x");
        assert_eq!(lx.next_instruction().unwrap().text, "CMD y");
        let mut lx = Lexer::new("RUN <<EOF\nx\n", '\\');
        lx.next_instruction().unwrap();
        assert!(lx.read_heredoc("EOF", false).is_none());
    }

    #[test]
    fn directives_at_the_top_only() {
        let (d, esc) =
            directives("\u{feff}# syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM a\n").unwrap();
        assert_eq!(esc, '`');
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].value, "docker/dockerfile:1");
        assert_eq!(d[1].name, "escape");
        let (d, esc) = directives("# hello\n# escape=`\n").unwrap();
        assert!(d.is_empty());
        assert_eq!(esc, '\\');
        let (_, esc) = directives("\n# escape=`\n").unwrap();
        assert_eq!(esc, '\\');
        assert!(directives("# escape=x\n").is_err());
        assert!(directives("# escape=`\n# escape=\\\n").is_err());
    }
}
