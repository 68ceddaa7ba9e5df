//! Suppression comments in Terraform HCL (`#`, `//` and `/* */`).
//!
//! - comment line(s) directly above a line that opens a `{` block (or a
//!   `[`/`(` list or call spanning lines, or a heredoc): the whole block up
//!   to its closing bracket — above `resource "…" "…" {` that is the
//!   whole resource;
//! - above any other line: that line;
//! - trailing comment: its line, or the block that line opens.
//!
//! A small lexer skips strings (with `${…}` interpolations) and heredocs, so
//! a `#` or a brace inside them is never mistaken for code structure.

use super::{Candidate, lines_range};
use crate::document::SourceFile;

/// A comment: where its marker is and its text (without the marker).
struct Comment {
    offset: usize,
    line: u32,
    body: std::ops::Range<usize>,
}

/// What the lexer learns about a file.
struct Lexed {
    comments: Vec<Comment>,
    /// Per line (index line - 1): the line has code (not only comments).
    code: Vec<bool>,
    /// Per line: the line where the outermost bracket opened on it closes
    /// (0 when it opens nothing spanning lines).
    block_end: Vec<u32>,
}

/// The suppression comments of a `.tf` file with the byte range each covers.
pub fn candidates(file: &SourceFile) -> Vec<Candidate> {
    if !file.text.contains("driftless") {
        return Vec::new();
    }
    let lexed = lex(file);
    let mut out = Vec::new();
    for c in &lexed.comments {
        let body = &file.text[c.body.clone()];
        if !body.trim_start().starts_with("driftless") {
            continue;
        }
        let before = file
            .text
            .get(file.line_start(c.line)..c.offset)
            .unwrap_or("");
        let target = if before.trim().is_empty() {
            target_below(file, &lexed, c.line)
        } else {
            Some(c.line)
        };
        let scope = match target {
            Some(t) => {
                let end = lexed.block_end[(t - 1) as usize].max(t);
                lines_range(file, t, end)
            }
            None => c.offset..c.offset,
        };
        out.push(Candidate {
            offset: c.offset,
            text: body.to_string(),
            scope,
        });
    }
    out
}

/// The first code line below a comment line; comment lines may stack, a
/// blank line detaches the comment.
fn target_below(file: &SourceFile, lexed: &Lexed, line: u32) -> Option<u32> {
    let mut next = line + 1;
    while (next as usize) <= lexed.code.len() {
        if lexed.code[(next - 1) as usize] {
            return Some(next);
        }
        if file.line_text(next).trim().is_empty() {
            return None;
        }
        next += 1;
    }
    None
}

/// Where the lexer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// Inside a quoted string.
    Str,
    /// Inside `${ … }` in a string, with the depth of nested `{`.
    Interp(u32),
}

struct Lexer<'a> {
    bytes: &'a [u8],
    i: usize,
    line: u32,
    stack: Vec<Ctx>,
    open: Vec<u32>,
    out: Lexed,
}

fn lex(file: &SourceFile) -> Lexed {
    let lines = file.line_count().max(1);
    let mut lx = Lexer {
        bytes: file.text.as_bytes(),
        i: 0,
        line: 1,
        stack: Vec::new(),
        open: Vec::new(),
        out: Lexed {
            comments: Vec::new(),
            code: vec![false; lines + 1],
            block_end: vec![0; lines + 1],
        },
    };
    while lx.i < lx.bytes.len() {
        match lx.stack.last().copied() {
            Some(Ctx::Str) => lx.string_byte(),
            ctx => lx.code_byte(ctx),
        }
    }
    lx.out
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.i + ahead).copied().unwrap_or(0)
    }

    fn mark_code(&mut self) {
        if let Some(c) = self.out.code.get_mut((self.line - 1) as usize) {
            *c = true;
        }
    }

    fn newline(&mut self) {
        self.line += 1;
        self.i += 1;
    }

    fn code_byte(&mut self, ctx: Option<Ctx>) {
        let b = self.peek(0);
        match b {
            b'\n' => self.newline(),
            b' ' | b'\t' | b'\r' => self.i += 1,
            b'#' => self.line_comment(1),
            b'/' if self.peek(1) == b'/' => self.line_comment(2),
            b'/' if self.peek(1) == b'*' => self.block_comment(),
            b'<' if self.peek(1) == b'<' && ctx.is_none() => self.heredoc(),
            b'"' => {
                self.mark_code();
                self.stack.push(Ctx::Str);
                self.i += 1;
            }
            _ => {
                self.mark_code();
                self.bracket(b, ctx);
                self.i += 1;
            }
        }
    }

    fn bracket(&mut self, b: u8, ctx: Option<Ctx>) {
        match (ctx, b) {
            (None, b'{' | b'[' | b'(') => self.open.push(self.line),
            (None, b'}' | b']' | b')') => {
                if let Some(opened) = self.open.pop()
                    && self.line > opened
                {
                    let end = &mut self.out.block_end[(opened - 1) as usize];
                    *end = (*end).max(self.line);
                }
            }
            (Some(Ctx::Interp(d)), b'{') => {
                self.stack.pop();
                self.stack.push(Ctx::Interp(d + 1));
            }
            (Some(Ctx::Interp(0)), b'}') => {
                self.stack.pop();
            }
            (Some(Ctx::Interp(d)), b'}') => {
                self.stack.pop();
                self.stack.push(Ctx::Interp(d - 1));
            }
            _ => {}
        }
    }

    fn string_byte(&mut self) {
        match self.peek(0) {
            b'\n' => {
                // An unterminated string ends at the line's end (error recovery).
                self.stack.pop();
                self.newline();
            }
            // An escape skips the next byte, but never a line break (the
            // line count must stay exact).
            b'\\' if self.peek(1) == b'\n' => self.i += 1,
            b'\\' => self.i += 2,
            b'"' => {
                self.stack.pop();
                self.i += 1;
            }
            b'$' | b'%' if self.peek(1) == self.peek(0) && self.peek(2) == b'{' => self.i += 3,
            b'$' | b'%' if self.peek(1) == b'{' => {
                self.stack.push(Ctx::Interp(0));
                self.i += 2;
            }
            _ => self.i += 1,
        }
    }

    fn line_comment(&mut self, marker: usize) {
        let start = self.i;
        let end = self.bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |p| start + p);
        self.out.comments.push(Comment {
            offset: start,
            line: self.line,
            body: start + marker..end,
        });
        self.i = end;
    }

    fn block_comment(&mut self) {
        let start = self.i;
        let end = find(self.bytes, start + 2, b"*/").unwrap_or(self.bytes.len());
        self.out.comments.push(Comment {
            offset: start,
            line: self.line,
            body: start + 2..end,
        });
        let newlines = self.bytes[start..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u32;
        self.i = (end + 2).min(self.bytes.len());
    }

    /// `<<EOF` / `<<-EOF` … `EOF`: the body is skipped and the opening line's
    /// block reaches the terminator line.
    fn heredoc(&mut self) {
        let mut j = self.i + 2;
        if self.bytes.get(j) == Some(&b'-') {
            j += 1;
        }
        let word_start = j;
        while self
            .bytes
            .get(j)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        {
            j += 1;
        }
        let word = &self.bytes[word_start..j];
        self.mark_code();
        if word.is_empty() {
            self.i += 2;
            return;
        }
        let opened = self.line;
        let mut pos = match self.bytes[j..].iter().position(|&b| b == b'\n') {
            Some(p) => j + p,
            None => {
                self.i = self.bytes.len();
                return;
            }
        };
        // pos is at a newline; look at each following line for the terminator.
        while pos < self.bytes.len() {
            self.line += 1;
            self.mark_code();
            let start = pos + 1;
            let end = self.bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.bytes.len(), |p| start + p);
            if self.bytes[start..end].trim_ascii() == word {
                let slot = &mut self.out.block_end[(opened - 1) as usize];
                *slot = (*slot).max(self.line);
                self.i = end;
                return;
            }
            pos = end;
        }
        self.i = self.bytes.len();
    }
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> Vec<(u32, u32)> {
        crate::suppress::tests::scope_lines("main.tf", text, candidates)
    }

    const TEXT: &str = r#"# driftless:ignore[SSH001] bastion, reviewed by security
resource "aws_security_group" "bastion" {
  name = "a # not a comment ${var.x} {"
  ingress {
    from_port   = 22
    // driftless:ignore[SSH001] office range only
    cidr_blocks = [
      "0.0.0.0/0",
    ]
  }
  user_data = <<-EOT
    # driftless:ignore[X] heredoc content, not a comment
    echo {
  EOT
}

resource "aws_instance" "a" { # driftless:ignore[SSH002] key needed for break-glass
  key_name = "ops" /* driftless:ignore[SSH002] inline block comment */
}
/* driftless:ignore[UPD003] detached */

resource "null" "b" {}
"#;

    #[test]
    fn block_line_trailing_and_detached_scopes() {
        assert_eq!(
            scopes(TEXT),
            vec![(2, 15), (7, 9), (17, 19), (18, 18), (0, 0)]
        );
    }

    #[test]
    fn heredoc_spans_its_body() {
        let file = SourceFile::new("main.tf", "a = <<EOT\n{\nEOT\nb = 1\n");
        let lexed = lex(&file);
        assert_eq!(lexed.block_end[0], 3);
        assert!(lexed.comments.is_empty());
        assert!(lexed.code[3]);
    }

    #[test]
    fn line_count_survives_odd_strings() {
        let text = "a = \"x\\\n# driftless:ignore[TAG001] r\nb = \"y\"\n";
        let file = SourceFile::new("main.tf", text);
        let c = candidates(&file);
        assert_eq!(c.len(), 1);
        assert_eq!(file.position(c[0].scope.start).line, 3);
    }

    #[test]
    fn text_inside_strings_templates_and_heredocs_is_not_a_comment() {
        let text = "a = \"${ \"}\" } # driftless:ignore[X] string\"\nb = \"%{ if t }# driftless:ignore[X] directive%{ endif }\"\nc = <<-EOT\n  ${ \"x\" }\n  # driftless:ignore[X] heredoc\n  EOT\nd = 1 # driftless:ignore[X] real\n";
        let file = SourceFile::new("main.tf", text);
        let lines: Vec<u32> = candidates(&file)
            .iter()
            .map(|c| file.position(c.offset).line)
            .collect();
        assert_eq!(lines, vec![7]);
    }

    #[test]
    fn files_without_the_marker_are_not_lexed() {
        let file = SourceFile::new("main.tf", "# nothing\nresource \"a\" \"b\" {}\n");
        assert!(candidates(&file).is_empty());
    }
}
