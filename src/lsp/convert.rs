//! Findings as LSP diagnostics and "suppress with a reason" quick fixes.
//!
//! Positions are 0-based lines and UTF-16 columns (the LSP default, and
//! what SARIF's `columnKind: utf16CodeUnits` uses), so editor squiggles and
//! code-scanning alerts land on the same characters.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, Location, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::document::SourceFile;
use crate::finding::{Finding, Severity};
use crate::rules::{Catalogue, fails_closed};
use crate::warning::Warning;

/// The `source` of every diagnostic.
pub const SOURCE: &str = "driftless";

/// The reason placeholder the quick fix writes: the user replaces it with
/// the justification the suppression grammar requires.
pub const REASON_PLACEHOLDER: &str = "<reason>";

/// The LSP position of a byte offset.
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let p = file.position(offset);
    Position::new(p.line.saturating_sub(1), p.utf16_column.saturating_sub(1))
}

/// The range a finding covers. A finding located at a point (a parse
/// error's position, a rule about something missing located at the start
/// of its file) covers the token there instead, which editors can
/// underline and hover, not an invisible zero-width range.
pub fn range(f: &Finding) -> Range {
    let (start, end) = if f.start == f.end {
        token_at(&f.file.text, f.start)
    } else {
        (f.start, f.end)
    };
    Range::new(position(&f.file, start), position(&f.file, end))
}

/// The byte range of the token at `offset`: the run of non-blank
/// characters starting there, or, at a blank or a line's end, the last one
/// before it on the same line; `offset..offset` on a blank line.
fn token_at(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    let blank = |c: char| c.is_whitespace();
    if line[at..].starts_with(|c: char| !blank(c)) {
        let len = line[at..].find(blank).unwrap_or(line.len() - at);
        return (offset, offset + len);
    }
    match line[..at].trim_end_matches(blank) {
        "" => (offset, offset),
        before => {
            let start = before.rfind(blank).map_or(0, |i| i + 1);
            (line_start + start, line_start + before.len())
        }
    }
}

/// The nearest char boundary at or before `at`.
fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Critical and high findings (and unparseable files) are errors, medium
/// ones warnings, low ones information.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error | Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
    }
}

/// One finding as a diagnostic: rule ID as `code`, a link to the rule's
/// documentation, `source: "driftless"`.
pub fn diagnostic(f: &Finding, catalogue: &Catalogue) -> Diagnostic {
    let href = catalogue
        .get(&f.rule_id)
        .and_then(|r| r.help_uri().parse::<Uri>().ok());
    Diagnostic {
        range: range(f),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule_id.clone())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: f.message.clone(),
        related_information: related_information(f),
        ..Diagnostic::default()
    }
}

/// Where the value is written (the finding's sources, "value written
/// here") and the other places of the same decision (the other unpinned
/// packages of an install command), which editors list under the
/// diagnostic with links. `None` when there are none, or a place has no
/// `file:` URI.
fn related_information(f: &Finding) -> Option<Vec<DiagnosticRelatedInformation>> {
    if f.related.is_empty() && f.sources.is_empty() {
        return None;
    }
    let sources = f
        .sources
        .iter()
        .map(|r| (r, format!("value written here: {}", r.message)));
    let related = f.related.iter().map(|r| (r, r.message.clone()));
    sources
        .chain(related)
        .map(|(r, message)| {
            let uri = super::uri::from_path(&r.file.path).parse::<Uri>().ok()?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    uri,
                    Range::new(position(&r.file, r.start), position(&r.file, r.end)),
                ),
                message,
            })
        })
        .collect()
}

/// A warning about a suppression (no reason, expired, unused, unknown
/// rule) as a diagnostic from its position to the end of its line. `None`
/// for warnings without a position.
pub fn warning_diagnostic(w: &Warning, text: &str) -> Option<Diagnostic> {
    let pos = w.position?;
    let line = text
        .split('\n')
        .nth(pos.line.saturating_sub(1) as usize)
        .unwrap_or("")
        .trim_end_matches('\r');
    let start = Position::new(
        pos.line.saturating_sub(1),
        pos.utf16_column.saturating_sub(1),
    );
    let end_col = (line.encode_utf16().count() as u32).max(start.character);
    Some(Diagnostic {
        range: Range::new(start, Position::new(start.line, end_col)),
        severity: Some(DiagnosticSeverity::WARNING),
        code: Some(NumberOrString::String(w.kind.code().to_string())),
        source: Some(SOURCE.to_string()),
        message: w.message.clone(),
        ..Diagnostic::default()
    })
}

/// Whether a file's syntax has comments an ignore can be written in
/// (HCL, YAML, Dockerfiles; not JSON).
pub fn supports_comments(file: &SourceFile) -> bool {
    let name = file.path.to_string_lossy().to_ascii_lowercase();
    !name.ends_with(".json")
}

/// The quick fix for a finding: insert `# driftless:ignore[ID] <reason>` on
/// the line above it, indented like the finding's line (above the `RUN`
/// for a finding inside a heredoc, whose lines are the script's). `None` for
/// `PARSE001` (a broken file must be fixed, not ignored) and files without
/// comments.
pub fn suppress_action(f: &Finding, uri: &Uri, diagnostic: Diagnostic) -> Option<CodeAction> {
    if fails_closed(&f.rule_id) || !supports_comments(&f.file) {
        return None;
    }
    let line = crate::suppress::comment_line_for(&f.file, f.start_pos().line);
    let text = f.file.line_text(line);
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if f.file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let at = Position::new(line - 1, 0);
    let edit = TextEdit {
        range: Range::new(at, at),
        new_text: format!(
            "{indent}# driftless:ignore[{}] {REASON_PLACEHOLDER}{newline}",
            f.rule_id
        ),
    };
    Some(CodeAction {
        title: format!(
            "Suppress {} here (driftless:ignore with a reason)",
            f.rule_id
        ),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    })
}

/// Whether two ranges touch (a cursor inside or at the edge of a finding
/// counts).
pub fn overlaps(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn finding(path: &str, text: &str, needle: &str, rule: &str) -> Finding {
        let file = Arc::new(SourceFile::new(path, text));
        let start = text.find(needle).expect("needle in text");
        Finding {
            rule_id: rule.into(),
            severity: Severity::High,
            message: "m".into(),
            file,
            start,
            end: start + needle.len(),
            kind: None,
            document: String::new(),
            json_path: String::new(),
            suppression: None,
            related: Vec::new(),
            identity: None,
            sources: Vec::new(),
        }
    }

    #[test]
    fn ranges_are_zero_based_utf16() {
        let f = finding(
            "pod.yaml",
            "spec:\n  containers: [{name: \"😀\", image: nginx:latest}]\n",
            "nginx:latest",
            "TAG001",
        );
        // 34 characters precede the image; the emoji is two UTF-16 units.
        assert_eq!(f.start_pos().column, 35);
        assert_eq!(
            range(&f),
            Range::new(Position::new(1, 35), Position::new(1, 47))
        );
    }

    #[test]
    fn severities_map_to_lsp_levels() {
        assert_eq!(severity(Severity::Critical), DiagnosticSeverity::ERROR);
        assert_eq!(severity(Severity::Medium), DiagnosticSeverity::WARNING);
        assert_eq!(severity(Severity::Low), DiagnosticSeverity::INFORMATION);
        assert_eq!(severity(Severity::Error), DiagnosticSeverity::ERROR);
    }

    #[test]
    fn quick_fix_inserts_an_indented_ignore_above_the_finding() {
        let text = "spec:\r\n  containers:\r\n    - image: nginx:latest\r\n";
        let f = finding("pod.yaml", text, "nginx:latest", "TAG001");
        let uri: Uri = "file:///pod.yaml".parse().unwrap();
        let action = suppress_action(&f, &uri, Diagnostic::default()).expect("action");
        let edits = &action.edit.unwrap().changes.unwrap()[&uri];
        assert_eq!(edits[0].range.start, Position::new(2, 0));
        assert_eq!(
            edits[0].new_text,
            "    # driftless:ignore[TAG001] <reason>\r\n"
        );
        assert_eq!(action.kind, Some(CodeActionKind::QUICKFIX));
    }

    #[test]
    fn quick_fix_in_a_heredoc_goes_above_the_instruction() {
        let text = "FROM alpine:3.20\n  RUN <<EOF\n  apk update\n  apk upgrade\nEOF\n";
        let f = finding("Dockerfile", text, "apk upgrade", "UPD006");
        let uri: Uri = "file:///Dockerfile".parse().unwrap();
        let action = suppress_action(&f, &uri, Diagnostic::default()).expect("action");
        let edit = &action.edit.unwrap().changes.unwrap()[&uri][0];
        assert_eq!(edit.range.start, Position::new(1, 0), "above `RUN <<EOF`");
        assert_eq!(edit.new_text, "  # driftless:ignore[UPD006] <reason>\n");
        // applied, the comment is one the suppression pass reads for the finding
        let fixed = format!("{}{}{}", &text[..17], edit.new_text, &text[17..]);
        let file = SourceFile::new("Dockerfile", fixed.replace("<reason>", "reviewed"));
        let at = file.text.find("apk upgrade").unwrap();
        let covered = crate::suppress::candidates(&file)
            .iter()
            .any(|c| c.scope.contains(&at));
        assert!(covered, "{}", file.text);
    }

    #[test]
    fn point_findings_cover_the_token_there() {
        let at = |text: &str, offset: usize| {
            let file = Arc::new(SourceFile::new("main.tf", text));
            let mut f = finding("main.tf", text, &text[..1], "VER002");
            f.file = file;
            f.start = offset;
            f.end = offset;
            range(&f)
        };
        // VER002 about a root module, located at the start of its file
        let text = "provider \"aws\" {\n}\n";
        assert_eq!(
            at(text, 0),
            Range::new(Position::new(0, 0), Position::new(0, 8))
        );
        // PARSE001 at the end of a line: the last token before it
        let text = "resource \"x\" \"y\" {\n  a = \n}\n";
        let eol = text.find("= \n").unwrap() + 2;
        assert_eq!(
            at(text, eol),
            Range::new(Position::new(1, 4), Position::new(1, 5))
        );
        // a wide character stays whole
        let text = "k: 日本\n";
        assert_eq!(
            at(text, 3),
            Range::new(Position::new(0, 3), Position::new(0, 5))
        );
        // nothing to cover on a blank line
        assert_eq!(
            at("\n\n", 1),
            Range::new(Position::new(1, 0), Position::new(1, 0))
        );
    }

    #[test]
    fn no_quick_fix_for_json_or_parse_errors() {
        let uri: Uri = "file:///x".parse().unwrap();
        let json = finding(
            "pod.json",
            "{\"image\": \"a:latest\"}",
            "a:latest",
            "TAG001",
        );
        assert!(suppress_action(&json, &uri, Diagnostic::default()).is_none());
        let parse = finding("Dockerfile", "FROM\n", "FROM", crate::rules::PARSE_ERROR);
        assert!(suppress_action(&parse, &uri, Diagnostic::default()).is_none());
    }

    #[test]
    fn diagnostics_link_to_the_rule() {
        let mut catalogue = Catalogue::default();
        let info = crate::rules::RuleInfo::custom(
            "ACME001",
            &serde_json::json!({"title": "t"}),
            crate::document::Kind::Kubernetes,
        );
        catalogue.insert(info.clone());
        let f = finding("a.yaml", "x: y\n", "y", "ACME001");
        let d = diagnostic(&f, &catalogue);
        assert_eq!(d.code, Some(NumberOrString::String("ACME001".into())));
        assert_eq!(
            d.code_description.map(|c| c.href.as_str().to_string()),
            Some(info.help_uri())
        );
        assert_eq!(d.source.as_deref(), Some("driftless"));
    }

    #[test]
    fn related_places_become_related_information() {
        let text = "RUN apt-get install -y curl git\n";
        let mut f = finding("/w/Dockerfile", text, "curl", "VER004");
        let git = text.find("git").unwrap();
        f.related.push(crate::finding::Related {
            message: "`git` is not pinned either".into(),
            file: f.file.clone(),
            start: git,
            end: git + 3,
        });
        let info = diagnostic(&f, &Catalogue::default())
            .related_information
            .expect("related information");
        assert_eq!(info.len(), 1);
        assert_eq!(info[0].location.uri.as_str(), "file:///w/Dockerfile");
        assert_eq!(
            info[0].location.range,
            Range::new(Position::new(0, 28), Position::new(0, 31))
        );
        assert_eq!(info[0].message, "`git` is not pinned either");
        // where the value is written comes first
        let arg = "ARG BASE=node:latest\nFROM $BASE\n";
        let mut from = finding("/w/Dockerfile", arg, "$BASE", "TAG001");
        from.sources.push(crate::finding::Related {
            message: "the default of ARG BASE (line 1)".into(),
            file: from.file.clone(),
            start: 9,
            end: 20,
        });
        from.related = f.related.clone();
        let info = diagnostic(&from, &Catalogue::default())
            .related_information
            .expect("related information");
        assert_eq!(info.len(), 2);
        assert_eq!(
            info[0].message,
            "value written here: the default of ARG BASE (line 1)"
        );
        assert_eq!(
            info[0].location.range,
            Range::new(Position::new(0, 9), Position::new(0, 20))
        );
        let plain = finding("/w/Dockerfile", text, "curl", "VER004");
        assert!(
            diagnostic(&plain, &Catalogue::default())
                .related_information
                .is_none()
        );
    }
}
