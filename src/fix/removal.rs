//! UPD005 and SSH003: removes `ignore_changes` or the SSH server/port (unsafe: changes what is deployed).
//!
//! What has a fix: UPD005's `ignore_changes` attribute in a `.tf` file (its
//! `lifecycle` block too when nothing else is left in it); SSH003's
//! `EXPOSE 22`/`22/tcp` port (the instruction when it was the only port),
//! an SSH server package word of an install command that installs other
//! packages too, and a block-style YAML list item of a Kubernetes
//! `containerPort`/Service port or a Compose `ports`/`expose` entry. The
//! rest (sshd started by `CMD`, a port range, flow-style lists, a Service's
//! only port, `.tf.json`) has none: the edit would be a guess.

mod yaml_item;

use std::sync::Arc;

use hcl_edit::Span as _;

use super::lifecycle::hcl;
use super::{Applicability, Edit, Fix, FixContext, FixError};
use crate::document::{Kind, SourceFile};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it). Unsafe:
/// removing `ignore_changes` lets the next apply revert changes made
/// elsewhere (autoscaling, tags set by other tools); removing an SSH server
/// or port breaks whoever still logs in.
pub const APPLICABILITY: Applicability = Applicability::Unsafe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(finding: &Finding, _ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    let (edit, title) = match finding.rule_id.as_str() {
        "UPD005" => (ignore_changes(finding), "remove `ignore_changes`"),
        "SSH003" => (ssh(finding)?, "remove the SSH server or port"),
        _ => return None,
    };
    Some(
        edit.map(|edit| Fix {
            rule_id: finding.rule_id.clone(),
            title: title.into(),
            applicability: APPLICABILITY,
            edits: vec![edit],
        })
        .map_err(|message| FixError {
            rule_id: finding.rule_id.clone(),
            message,
        }),
    )
}

fn removal(file: &Arc<SourceFile>, range: std::ops::Range<usize>) -> Edit {
    Edit {
        file: file.clone(),
        start: range.start,
        end: range.end,
        replacement: String::new(),
    }
}

/// Removes the `ignore_changes` attribute the finding points into, and its
/// `lifecycle` block when that held nothing else.
fn ignore_changes(finding: &Finding) -> Result<Edit, String> {
    let file = &finding.file;
    if file.path.extension().is_none_or(|x| x != "tf") {
        return Err("`ignore_changes` is not written in a `.tf` file; remove it by hand".into());
    }
    let body = hcl::parse(&file.text).ok_or("the file no longer parses")?;
    let mut blocks = Vec::new();
    hcl::walk_blocks(&body, &mut blocks);
    for block in blocks
        .into_iter()
        .filter(|b| b.ident.as_str() == "lifecycle")
    {
        let Some(attr) = hcl::attribute(block, "ignore_changes") else {
            continue;
        };
        let (Some(value), Some(whole)) = (attr.value.span(), attr.span()) else {
            continue;
        };
        if !value.contains(&finding.start) {
            continue;
        }
        let range = match block.span() {
            Some(b) if block.body.len() == 1 => b,
            _ => whole,
        };
        return Ok(removal(file, hcl::whole_lines(&file.text, range)));
    }
    Err("the `ignore_changes` attribute is not where the finding points".into())
}

/// The SSH003 removal for the finding, `None` for the kinds of finding
/// that have no fix.
fn ssh(finding: &Finding) -> Option<Result<Edit, String>> {
    match finding.kind? {
        Kind::Dockerfile if finding.message.contains("EXPOSE ") => expose_port(finding),
        Kind::Dockerfile if finding.message.starts_with("the image installs") => {
            Some(package_word(finding))
        }
        Kind::Kubernetes | Kind::Compose => {
            let only_item_is_ok = !finding.json_path.starts_with("spec.ports[");
            yaml_item::remove(&finding.file, finding.start, only_item_is_ok)
        }
        _ => None,
    }
}

/// `EXPOSE 80 22` → `EXPOSE 80`; `EXPOSE 22` → the line removed. Only a
/// plain `22` or `22/tcp`: a range would lose its other ports.
fn expose_port(finding: &Finding) -> Option<Result<Edit, String>> {
    let text = &finding.file.text;
    let word = &text[finding.start..finding.end];
    if !matches!(word.to_ascii_lowercase().as_str(), "22" | "22/tcp") {
        return None;
    }
    let line_start = text[..finding.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[finding.end..]
        .find('\n')
        .map_or(text.len(), |i| finding.end + i);
    let line = text[line_start..line_end].to_ascii_lowercase();
    let words: Vec<&str> = line.split_whitespace().collect();
    let only_port = matches!(words.as_slice(), ["expose", _] | ["onbuild", "expose", _]);
    if only_port {
        let range = hcl::whole_lines(text, line_start..line_end);
        return Some(Ok(removal(&finding.file, range)));
    }
    if line.trim_end().ends_with('\\') || text[line_start..finding.start].trim().is_empty() {
        return None; // continuation lines: the instruction spans several
    }
    Some(Ok(removal(&finding.file, word_with_space(text, finding))))
}

/// The finding's word and the blanks before it (after it when it follows
/// the instruction keyword directly, which must keep its separator).
fn word_with_space(text: &str, finding: &Finding) -> std::ops::Range<usize> {
    let before = text[..finding.start].trim_end_matches([' ', '\t']).len();
    let after = finding.end
        + (text[finding.end..].len() - text[finding.end..].trim_start_matches([' ', '\t']).len());
    let keyword_before = text[..before]
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("expose"));
    if keyword_before && !text[after..].starts_with(['\n', '\r']) && after < text.len() {
        finding.start..after
    } else {
        before..finding.end
    }
}

/// Removes the SSH server package from an install command that installs
/// other packages too (an install of nothing fails or does nothing: that
/// command is the user's to remove).
fn package_word(finding: &Finding) -> Result<Edit, String> {
    let parsed = crate::scan::parse_source(&finding.file, crate::discover::FileKind::Dockerfile);
    let command = parsed
        .documents
        .iter()
        .filter_map(|d| d.input["commands"].as_array())
        .flatten()
        .find(|c| finding.json_path.starts_with(&(display(&c["path"]) + "[")))
        .ok_or("the install command is not where the finding points")?;
    let packages = command["packages"].as_array().map_or(0, Vec::len);
    if packages < 2 {
        return Err("it is the command's only package: remove the install command by hand".into());
    }
    let word = &finding.file.text[finding.start..finding.end];
    if word.contains('\n') || word.contains('$') {
        return Err("the package name is not one plain word".into());
    }
    Ok(removal(
        &finding.file,
        word_with_space(&finding.file.text, finding),
    ))
}

/// A JSON path array (`["stages", 0, "commands", 1]`) as findings spell it
/// (`stages[0].commands[1]`).
fn display(path: &serde_json::Value) -> String {
    let mut out = String::new();
    for seg in path.as_array().into_iter().flatten() {
        match seg {
            serde_json::Value::Number(n) => out.push_str(&format!("[{n}]")),
            serde_json::Value::String(s) if out.is_empty() => out.push_str(s),
            serde_json::Value::String(s) => out.push_str(&format!(".{s}")),
            _ => {}
        }
    }
    out
}
