//! Suppression comments in Dockerfiles.
//!
//! - comment line(s) directly above an instruction: that instruction with
//!   its `\` continuations and heredoc bodies;
//! - comment line(s) directly above `FROM`: the whole stage;
//! - a comment line inside a continued instruction: the line below it;
//! - a trailing shell comment (`RUN apt-get upgrade # driftless:ignore[…]`):
//!   the instruction it is on — only where the shell reads a comment (the
//!   Dockerfile parser's shell lexer says where): not inside a quoted
//!   string, not in exec form, not after other instructions.

use super::{Candidate, lines_range, yaml::comment_in};
use crate::document::SourceFile;

/// One instruction: its first and last line and whether it is `FROM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Instruction {
    first: u32,
    last: u32,
    from: bool,
}

/// The Dockerfile's instructions and, per line, the instruction it belongs to.
struct Layout {
    instructions: Vec<Instruction>,
    /// Index into `instructions` for each line (0-based by line - 1).
    owner: Vec<Option<usize>>,
    /// Whether the line is a comment line (first non-blank char `#`).
    comment: Vec<bool>,
    /// Whether the line is heredoc content (its `#` are not comments).
    heredoc: Vec<bool>,
}

/// The suppression comments of a Dockerfile with the byte range each covers.
pub fn candidates(file: &SourceFile) -> Vec<Candidate> {
    let layout = layout(file);
    let shell_comments = crate::parse::dockerfile::shell_comment_offsets(&file.text);
    let mut out = Vec::new();
    for line in 1..=file.line_count() as u32 {
        let idx = (line - 1) as usize;
        if layout.heredoc[idx] {
            continue;
        }
        let text = file.line_text(line);
        let Some((col, body)) = comment_in(text) else {
            continue;
        };
        let offset = file.line_start(line) + col;
        if !layout.comment[idx] && shell_comments.binary_search(&offset).is_err() {
            continue;
        }
        let lines = if !layout.comment[idx] {
            layout.owner[idx].map(|i| whole(&layout.instructions[i]))
        } else {
            scope_below(&layout, line)
        };
        let scope = match lines {
            Some((a, b)) => lines_range(file, a, b),
            None => offset..offset,
        };
        out.push(Candidate {
            offset,
            text: body.to_string(),
            scope,
        });
    }
    out
}

/// The line a suppression comment for a finding on `line` goes above: the
/// first line of its instruction when `line` is heredoc content (a `#`
/// there is the script's), else `line`.
pub fn comment_line_for(file: &SourceFile, line: u32) -> u32 {
    let layout = layout(file);
    let idx = line.saturating_sub(1) as usize;
    match (layout.heredoc.get(idx), layout.owner.get(idx)) {
        (Some(true), Some(Some(owner))) => layout.instructions[*owner].first,
        _ => line,
    }
}

fn whole(i: &Instruction) -> (u32, u32) {
    (i.first, i.last)
}

/// What a comment line covers: the instruction (or stage) that starts right
/// below it, or the next line when the comment sits inside a continuation.
fn scope_below(layout: &Layout, line: u32) -> Option<(u32, u32)> {
    let mut next = line + 1;
    loop {
        let idx = (next - 1) as usize;
        if idx >= layout.comment.len() {
            return None;
        }
        if !layout.comment[idx] {
            break;
        }
        next += 1;
    }
    let owner = layout.owner[(next - 1) as usize]?;
    let inst = layout.instructions[owner];
    if inst.first != next {
        return Some((next, next));
    }
    if !inst.from {
        return Some(whole(&inst));
    }
    let stage_end = layout.instructions[owner + 1..]
        .iter()
        .take_while(|i| !i.from)
        .last()
        .map_or(inst.last, |i| i.last);
    Some((inst.first, stage_end))
}

/// Splits the file into instructions, following the escape character
/// (`# escape=` parser directive), continuation lines (comment and blank
/// lines inside them are skipped, as BuildKit does) and heredocs.
fn layout(file: &SourceFile) -> Layout {
    let n = file.line_count();
    let escape = escape_char(file);
    let mut layout = Layout {
        instructions: Vec::new(),
        owner: vec![None; n],
        comment: vec![false; n],
        heredoc: vec![false; n],
    };
    let mut current: Option<Instruction> = None;
    let mut continued = false;
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    for line in 1..=n as u32 {
        let idx = (line - 1) as usize;
        let text = file.line_text(line);
        if let Some((word, strip_tabs)) = heredocs.first() {
            let body = if *strip_tabs {
                text.trim_start_matches('\t')
            } else {
                text
            };
            if body == word {
                heredocs.remove(0);
            }
            layout.heredoc[idx] = true;
            layout.extend(&mut current, line);
            continued = !heredocs.is_empty();
            continue;
        }
        let trimmed = text.trim();
        let is_comment = trimmed.starts_with('#');
        layout.comment[idx] = is_comment;
        if trimmed.is_empty() || is_comment {
            continue;
        }
        if !continued {
            layout.finish(&mut current);
            let keyword = trimmed.split_whitespace().next().unwrap_or("");
            current = Some(Instruction {
                first: line,
                last: line,
                from: keyword.eq_ignore_ascii_case("FROM"),
            });
        }
        layout.extend(&mut current, line);
        heredocs.extend(heredoc_words(trimmed));
        continued = trimmed.ends_with(escape) || !heredocs.is_empty();
    }
    layout.finish(&mut current);
    layout
}

impl Layout {
    /// Adds a line to the instruction being read.
    fn extend(&mut self, current: &mut Option<Instruction>, line: u32) {
        if let Some(inst) = current {
            inst.last = line;
            self.owner[(line - 1) as usize] = Some(self.instructions.len());
        }
    }

    /// Closes the instruction being read.
    fn finish(&mut self, current: &mut Option<Instruction>) {
        if let Some(inst) = current.take() {
            self.instructions.push(inst);
        }
    }
}

/// `# escape=` as the first parser directive switches `\` to `` ` ``.
fn escape_char(file: &SourceFile) -> char {
    for line in 1..=file.line_count() as u32 {
        let text = file.line_text(line).trim();
        let Some(directive) = text.strip_prefix('#') else {
            break;
        };
        let directive = directive.trim().to_ascii_lowercase();
        if let Some(value) = directive.strip_prefix("escape=") {
            return if value.trim() == "`" { '`' } else { '\\' };
        }
        if !directive.contains('=') {
            break;
        }
    }
    '\\'
}

/// The terminator words of heredocs opened on a line (`<<EOF`, `<<-"EOF"`),
/// with whether leading tabs are stripped before comparing.
fn heredoc_words(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("<<") {
        rest = &rest[pos + 2..];
        let strip_tabs = rest.starts_with('-');
        let word_part = rest.trim_start_matches('-').trim_start_matches(['"', '\'']);
        let word: String = word_part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            out.push((word, strip_tabs));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(text: &str) -> Vec<(u32, u32)> {
        crate::suppress::tests::scope_lines("Dockerfile", text, candidates)
    }

    const TEXT: &str = "\
# driftless:ignore[TAG001] builder stage is throwaway
FROM golang:latest AS build
RUN go build ./...

# driftless:ignore[VER004] pinned by the distro snapshot
RUN apt-get update && \\
    # driftless:ignore[SSH003] debug image only
    apt-get install -y openssh-server \\
    curl
RUN apt-get upgrade -y # driftless:ignore[UPD006] nightly rebuild
FROM alpine:3.20
COPY <<EOF /etc/motd
# driftless:ignore[X] inside a heredoc is file content
EOF
# driftless:ignore[TAG002] detached

EXPOSE 22
";

    #[test]
    fn stage_instruction_continuation_and_trailing_scopes() {
        assert_eq!(
            scopes(TEXT),
            vec![(2, 10), (6, 9), (8, 8), (10, 10), (0, 0)]
        );
    }

    #[test]
    fn only_shell_comments_trail_an_instruction() {
        let text = "FROM alpine\nRUN echo \"a # driftless:ignore[UPD006] quoted\" && apt-get upgrade\nRUN echo 'b # driftless:ignore[UPD006] single' && \\\n    apk upgrade # driftless:ignore[UPD006] real\nCMD [\"sh\", \"# driftless:ignore[UPD006] exec\"]\nLABEL a=\"# driftless:ignore[UPD006] label\"\n";
        let file = SourceFile::new("Dockerfile", text);
        let lines: Vec<u32> = candidates(&file)
            .iter()
            .map(|c| file.position(c.offset).line)
            .collect();
        assert_eq!(lines, vec![4]);
    }

    #[test]
    fn heredoc_terminators_and_escape_directive() {
        assert_eq!(
            heredoc_words("RUN <<-\"EOT\" bash"),
            vec![("EOT".to_string(), true)]
        );
        assert_eq!(
            heredoc_words("RUN echo a<<b"),
            vec![("b".to_string(), false)]
        );
        let file = SourceFile::new(
            "Dockerfile",
            "# escape=`\nFROM x\n# driftless:ignore[A] r\nRUN a `\n  b\n",
        );
        assert_eq!(escape_char(&file), '`');
        let c = candidates(&file);
        assert_eq!(file.position(c[0].scope.end - 1).line, 5);
    }
}
