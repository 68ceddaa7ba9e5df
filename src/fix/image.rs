//! Pins TAG001–TAG003 images to `version@digest` from the registry, at the
//! place the reference is written.
//!
//! Where: the last entry of [`Finding::sources`] when the finding is located
//! where the value is used (`FROM $BASE` → the `ARG BASE=` default), else
//! the finding's own span. What: only the literal text, inside its quotes
//! (`'nginx:1.27'` stays single-quoted) and flags (`--from=`, `--mount=…,
//! from=…`); when the literal is only the end of the reference (the tag in
//! `"${var.repo}:latest"`, a variable default `latest` behind
//! `"redis:${var.tag}"`), only that part is rewritten. Kustomize `images`
//! entries get `newTag: <version>` and `digest: sha256:…` (kustomize ≥ 4.5
//! renders both as `name:version@digest`); Helm values maps get `tag`, and
//! `digest` when the map has that key (else `tag: version@digest`, which
//! charts render as `repository:version@digest`).
//!
//! Safe: the resolver keeps a given tag and adds its digest, and replaces
//! `latest` or a missing tag only by a version tag that points at the same
//! digest, so what is deployed today is what the pin names.

use std::sync::Arc;

use super::registry::Pinned;
use super::{Applicability, Edit, Fix, FixContext, FixError};
use crate::document::{Kind, PathSeg, SourceFile, SourceMap};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it).
pub const APPLICABILITY: Applicability = Applicability::Safe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(finding: &Finding, ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    let built = match finding.kind {
        _ if ctx.offline => Err(super::NEEDS_NETWORK.to_owned()),
        Some(Kind::Kustomization) => kustomize_fix(finding, ctx),
        Some(Kind::Helm) => helm_fix(finding, ctx),
        _ => literal_fix(finding, ctx),
    };
    Some(built.map_err(|message| FixError {
        rule_id: finding.rule_id.clone(),
        message,
    }))
}

/// A byte range of a file: where a value is written.
#[derive(Clone, Debug)]
pub struct Place {
    pub file: Arc<SourceFile>,
    pub start: usize,
    pub end: usize,
}

impl Place {
    fn text(&self) -> &str {
        self.file.text.get(self.start..self.end).unwrap_or("")
    }

    fn sub(&self, start: usize, end: usize) -> Place {
        Place {
            file: self.file.clone(),
            start: self.start + start,
            end: self.start + end,
        }
    }

    fn edit(&self, replacement: String) -> Edit {
        Edit {
            file: self.file.clone(),
            start: self.start,
            end: self.end,
            replacement,
        }
    }
}

/// Where the offending value is written: the end of the provenance chain,
/// else the finding itself.
pub fn written_at(finding: &Finding) -> Place {
    match finding.sources.last() {
        Some(s) => Place {
            file: s.file.clone(),
            start: s.start,
            end: s.end,
        },
        None => Place {
            file: finding.file.clone(),
            start: finding.start,
            end: finding.end,
        },
    }
}

/// The reference the rule judged, as its message names it (after `ARG` and
/// variable substitution): the first `` `…` `` after "image". The finding
/// carries no structured copy of it, and the place it is written may hold
/// only part of it (a tag).
///
/// Why not the document input at `json_path`: fixes run on the scan's
/// findings after the documents are gone (a [`Finding`] keeps its file and
/// path, not the input), re-parsing would not be enough for Terraform (the
/// value is evaluated across the module's files, variables and tfvars),
/// and the value at the path is not always the reference (a Kustomize
/// `newTag` is only the tag, a Helm `tag` only half of a map). The
/// structured way is a field the TAG rules return beside `msg` and the
/// engine passes through (as it does `fingerprint`); until then every TAG
/// rule's message names the full reference as `` image `…` `` (the
/// snapshots of tests/rule_fixtures.rs pin the messages).
pub fn reference_in_message(message: &str) -> Option<&str> {
    let rest = &message[message.find("image `")? + "image `".len()..];
    Some(&rest[..rest.find('`')?])
}

/// The literal text inside a span as written: without quotes, without a
/// Dockerfile flag name or `ARG NAME=`, and for a template (`"${x}:tag"`)
/// the literal tail after the last interpolation. Flags and `NAME=` are
/// only Dockerfile syntax (`a=b` is a whole YAML value).
pub fn literal_in(place: &Place, kind: Option<Kind>) -> Place {
    let text = place.text();
    let flag = match kind {
        Some(Kind::Dockerfile) => flag_value(text),
        Some(Kind::Terraform) => attribute_value(text),
        _ => None,
    };
    let (start, end) = flag.unwrap_or((0, text.len()));
    let (start, end) = match kind {
        Some(Kind::Dockerfile | Kind::Terraform) => strip_quotes(text, start, end),
        _ => unquote(text, start, end),
    };
    let (start, end) = template_tail(text, start, end);
    place.sub(start, end)
}

/// `--from=x`, `type=bind,from=x,…` (a `--mount` value, with or without
/// the flag name), `NAME=x` (an `ARG`): the range of `x`.
fn flag_value(text: &str) -> Option<(usize, usize)> {
    let mount = text.strip_prefix("--mount=").unwrap_or(text);
    if mount.contains(',') || mount.starts_with("type=") {
        let mut offset = text.len() - mount.len();
        for field in mount.split(',') {
            if let Some(v) = field.strip_prefix("from=") {
                let start = offset + field.len() - v.len();
                return Some((start, start + v.len()));
            }
            offset += field.len() + 1;
        }
        return None;
    }
    let eq = text.find('=')?;
    let name = text[..eq].strip_prefix("--").unwrap_or(&text[..eq]);
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    is_name.then_some((eq + 1, text.len()))
}

/// `name = "value"` (a `.tfvars` entry, a module argument, a variable's
/// `default` when the span is the whole attribute): the range of the
/// expression after `=`.
fn attribute_value(text: &str) -> Option<(usize, usize)> {
    let eq = text.find('=')?;
    let name = text[..eq].trim();
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !is_name || text[eq + 1..].starts_with('=') {
        return None;
    }
    let value = text[eq + 1..].trim_start();
    let start = text.len() - value.len();
    Some((start, start + value.trim_end().len()))
}

/// The range inside matching outer quotes (a Dockerfile word, a Terraform
/// template, whose `${…}` may hold quotes of its own), else the range.
fn strip_quotes(text: &str, start: usize, end: usize) -> (usize, usize) {
    let inner = &text[start..end];
    let quoted = inner.len() >= 2
        && ((inner.starts_with('"') && inner.ends_with('"'))
            || (inner.starts_with('\'') && inner.ends_with('\'')));
    if quoted {
        (start + 1, end - 1)
    } else {
        (start, end)
    }
}

/// The range inside `"…"` or `'…'` when the text opens with a quote (up to
/// the closing quote: what follows, such as a YAML comment, is not part of
/// the value), else the range itself.
fn unquote(text: &str, start: usize, end: usize) -> (usize, usize) {
    let inner = &text[start..end];
    let Some(quote) = inner.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return (start, end);
    };
    match closing_quote(&inner[1..], quote) {
        Some(close) => (start + 1, start + 1 + close),
        None => (start, end),
    }
}

/// The offset of the quote that closes a string opened by `quote`:
/// a backslash escapes in double quotes, `''` is a quote in single quotes.
fn closing_quote(body: &str, quote: char) -> Option<usize> {
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                } else {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// After the last `}` of a `${…}`/`%{…}` template, the literal tail.
fn template_tail(text: &str, start: usize, end: usize) -> (usize, usize) {
    let inner = &text[start..end];
    if !inner.contains("${") && !inner.contains("%{") {
        return (start, end);
    }
    match inner.rfind('}') {
        Some(close) => (start + close + 1, end),
        None => (end, end),
    }
}

/// The literal to edit: the nearest place, from the end of the provenance
/// chain back to the finding itself, whose literal is the end of
/// `reference` (all of it, or its tag). A value built from several operands
/// lists them all, the rightmost last, and that one may hold another part
/// than the one the fix changes: with `"${var.repo}:latest"` the chain ends
/// at the default of `var.repo` (the name), while the tag is written in the
/// template itself. Without such a place, the end of the chain (the error
/// then says what is written there).
fn literal_to_edit(finding: &Finding, reference: Option<&str>) -> Place {
    let places = finding
        .sources
        .iter()
        .rev()
        .map(|s| Place {
            file: s.file.clone(),
            start: s.start,
            end: s.end,
        })
        .chain(std::iter::once(Place {
            file: finding.file.clone(),
            start: finding.start,
            end: finding.end,
        }));
    let mut literals = places.map(|p| literal_in(&p, finding.kind));
    let first = literals.next().expect("the finding's own place");
    let editable = |l: &Place| {
        let text = l.text();
        !text.is_empty() && !text.contains('$') && reference.is_some_and(|r| r.ends_with(text))
    };
    if editable(&first) {
        return first;
    }
    literals.find(editable).unwrap_or(first)
}

/// Pins the reference written as a plain literal (Dockerfile, Kubernetes,
/// Compose, Terraform, a Helm values string).
fn literal_fix(finding: &Finding, ctx: &FixContext) -> Result<Fix, String> {
    let literal = literal_to_edit(finding, reference_in_message(&finding.message));
    let written = literal.text();
    if written.contains('$') || written.is_empty() {
        return Err(format!(
            "the image's tag is not written literally at {}",
            location(&literal)
        ));
    }
    let reference = reference_in_message(&finding.message).unwrap_or(written);
    let pinned = pin(ctx, reference)?;
    let replacement = replace_suffix(reference, written, &pinned.reference).ok_or_else(|| {
        format!(
            "`{reference}` is not written literally at {} (only `{written}` is)",
            location(&literal)
        )
    })?;
    Ok(image_fix(
        finding,
        reference,
        &pinned,
        vec![literal.edit(replacement)],
    ))
}

/// What replaces `written` when it is the end of `reference` (all of it,
/// or its tag): the same end of `pinned`. `None` when `written` is not the
/// end of `reference`, or when the part before it changes.
pub fn replace_suffix(reference: &str, written: &str, pinned: &str) -> Option<String> {
    let prefix = reference.strip_suffix(written)?;
    pinned.strip_prefix(prefix).map(str::to_owned)
}

/// The registry's answer, or the reason there is none, naming the
/// reference once (the registry client's errors already name it).
fn pin(ctx: &FixContext, reference: &str) -> Result<Pinned, String> {
    ctx.pin(reference).map_err(|e| {
        if e.0.starts_with(&format!("cannot pin `{reference}`")) {
            e.0
        } else {
            format!("cannot pin `{reference}`: {}", e.0)
        }
    })
}

fn image_fix(finding: &Finding, reference: &str, pinned: &Pinned, edits: Vec<Edit>) -> Fix {
    let note = if pinned.note.is_empty() {
        String::new()
    } else {
        format!(" ({})", pinned.note)
    };
    Fix {
        rule_id: finding.rule_id.clone(),
        title: format!("pin `{reference}` to `{}`{note}", pinned.reference),
        applicability: APPLICABILITY,
        edits,
    }
}

fn location(place: &Place) -> String {
    let pos = place.file.position(place.start);
    format!("{}:{}:{}", place.file.path.display(), pos.line, pos.column)
}

/// `spec.containers[0].image` as path steps.
pub fn parse_json_path(path: &str) -> Vec<PathSeg> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut pieces = part.split('[');
        if let Some(key) = pieces.next().filter(|k| !k.is_empty()) {
            out.push(PathSeg::Key(key.to_owned()));
        }
        for index in pieces {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(PathSeg::Index(i));
            }
        }
    }
    out
}

/// A YAML mapping of the finding's file with the source map of its
/// entries, at `path`.
struct Mapping {
    value: serde_json::Map<String, serde_json::Value>,
    map: SourceMap,
    file: Arc<SourceFile>,
}

impl Mapping {
    fn load(file: &Arc<SourceFile>, path: &[PathSeg]) -> Result<Mapping, String> {
        let (value, map) = crate::parse::yaml::load_one(file).map_err(|e| e.message)?;
        let value = path.iter().try_fold(&value, |v, seg| match seg {
            PathSeg::Key(k) => v.get(k),
            PathSeg::Index(i) => v.get(*i),
        });
        let (node, depth) = map.locate(path);
        match value.and_then(|v| v.as_object()) {
            Some(obj) if depth == path.len() => Ok(Mapping {
                value: obj.clone(),
                map: node.clone(),
                file: file.clone(),
            }),
            _ => Err("the image is not written as a YAML mapping".into()),
        }
    }

    fn string(&self, key: &str) -> Option<&str> {
        self.value
            .get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
    }

    /// The value's range (quotes included) of `key`.
    fn place(&self, key: &str) -> Option<Place> {
        let span = self.map.child(&PathSeg::Key(key.to_owned()))?.span;
        Some(Place {
            file: self.file.clone(),
            start: span.start as usize,
            end: span.end as usize,
        })
    }

    /// Sets `key` to `value`: its literal replaced (quotes kept), or a new
    /// `key: value` line below the line of `after`, at its indentation.
    fn set(&self, key: &str, value: &str, after: &str) -> Result<Edit, String> {
        if let Some(place) = self.place(key) {
            let literal = literal_in(&place, None);
            let quoted = literal.start != place.start;
            let value = if quoted {
                value.to_owned()
            } else {
                yaml_string(value)
            };
            return Ok(literal.edit(value));
        }
        self.insert_after(after, &[(key, value)])
    }

    /// New `key: value` lines below the line of `after`, at its indentation.
    fn insert_after(&self, after: &str, entries: &[(&str, &str)]) -> Result<Edit, String> {
        let anchor = self
            .place(after)
            .ok_or_else(|| format!("no `{after}` to add entries after"))?;
        let lines: Vec<String> = entries
            .iter()
            .map(|(k, v)| format!("{k}: {}", yaml_string(v)))
            .collect();
        insert_lines_after(&anchor, after, &lines)
    }
}

/// `value` as a plain YAML scalar when YAML reads it as that string, else
/// double-quoted: a tag `1.10` written plain would be the number 1.1, and
/// `true` a boolean (YAML 1.1, as go-yaml behind kubectl and Helm reads it).
pub fn yaml_string(value: &str) -> String {
    let reads_back = crate::parse::yaml::load_value(value).is_ok_and(|v| v.as_str() == Some(value));
    if reads_back {
        value.to_owned()
    } else {
        format!("\"{value}\"")
    }
}

/// New lines after the line holding `key: <anchor>`, indented like `key`,
/// in the file's line ending. Refused in flow style (`{name: a, newTag:
/// b}`), where a new line would not be an entry of the mapping.
fn insert_lines_after(anchor: &Place, key: &str, lines: &[String]) -> Result<Edit, String> {
    let text = &anchor.file.text;
    let line_start = text[..anchor.start].rfind('\n').map_or(0, |i| i + 1);
    let head = &text[line_start..anchor.start];
    let key_at = head
        .rfind(key)
        .filter(|&i| head[..i].chars().all(|c| c == ' ' || c == '-'))
        .ok_or_else(|| format!("`{key}` is not a block mapping entry; edit it by hand"))?;
    let line_end = text[anchor.end..]
        .find('\n')
        .map_or(text.len(), |i| anchor.end + i);
    let line_end = if text[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let indent = " ".repeat(key_at);
    Ok(Edit {
        file: anchor.file.clone(),
        start: line_end,
        end: line_end,
        replacement: lines.iter().map(|l| format!("{eol}{indent}{l}")).collect(),
    })
}

/// A Kustomize `images` entry: `newTag` set to the version, `digest` set.
fn kustomize_fix(finding: &Finding, ctx: &FixContext) -> Result<Fix, String> {
    let mut path = parse_json_path(&finding.json_path);
    if matches!(path.last(), Some(PathSeg::Key(_))) && path.len() > 2 {
        path.pop();
    }
    let entry = Mapping::load(&finding.file, &path)?;
    let name = entry
        .string("newName")
        .or(entry.string("name"))
        .ok_or("the `images` entry has no name")?;
    if entry.string("newName").is_some_and(has_tag) {
        return Err("`newName` carries a tag; move it to `newTag` first".into());
    }
    let reference = match entry.string("newTag") {
        Some(tag) => format!("{name}:{tag}"),
        None => name.to_owned(),
    };
    let pinned = pin(ctx, &reference)?;
    let key = if entry.place("newName").is_some() {
        "newName"
    } else {
        "name"
    };
    let edits = match (entry.place("newTag"), entry.place("digest")) {
        (Some(_), _) => vec![
            entry.set("newTag", &pinned.tag, key)?,
            entry.set("digest", &pinned.digest, "newTag")?,
        ],
        (None, Some(_)) => vec![
            entry.set("newTag", &pinned.tag, key)?,
            entry.set("digest", &pinned.digest, key)?,
        ],
        (None, None) => {
            vec![entry.insert_after(key, &[("newTag", &pinned.tag), ("digest", &pinned.digest)])?]
        }
    };
    Ok(image_fix(finding, &reference, &pinned, edits))
}

/// Whether a name has a tag after its last `/`.
fn has_tag(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|last| last.contains(':'))
}

/// A Helm values image: a string pinned as a literal, a map's `tag` (and
/// `digest` when the map has one) set.
fn helm_fix(finding: &Finding, ctx: &FixContext) -> Result<Fix, String> {
    let path = parse_json_path(&finding.json_path);
    let Some(rest) = path.strip_prefix(&[PathSeg::Key("values".into())]) else {
        return Err("not an image in a values file".into());
    };
    let map_path = match rest.last() {
        Some(PathSeg::Key(k)) if k == "tag" => &rest[..rest.len() - 1],
        _ => rest,
    };
    let Ok(map) = Mapping::load(&finding.file, map_path) else {
        return literal_fix(finding, ctx);
    };
    let reference = reference_in_message(&finding.message)
        .ok_or("the finding does not name the image")?
        .to_owned();
    let pinned = pin(ctx, &reference)?;
    let edits = if map.value.contains_key("digest") {
        let after_tag = if map.place("tag").is_some() {
            "tag"
        } else {
            "repository"
        };
        vec![
            map.set("tag", &pinned.tag, "repository")?,
            map.set("digest", &pinned.digest, after_tag)?,
        ]
    } else {
        let tag = format!("{}@{}", pinned.tag, pinned.digest);
        vec![map.set("tag", &tag, "repository")?]
    };
    Ok(image_fix(finding, &reference, &pinned, edits))
}

#[cfg(test)]
mod tests;
