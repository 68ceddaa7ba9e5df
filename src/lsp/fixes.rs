//! `driftless scan --fix` in the editor: each available fix of a finding
//! as a `quickfix` code action (preferred when safe), and
//! `source.fixAll.driftless` applying every safe fix of the buffer. The
//! edits are the ones `--fix` writes ([`crate::fix`]), possibly in other
//! files than the buffer (an `ARG` default, a variable default), so they
//! are a `WorkspaceEdit` keyed by URI. Registry lookups happen only when
//! the editor asks for actions, with a short timeout, and are cached for
//! the session ([`crate::fix::Cached`]).

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use lsp_types::{
    CodeAction, CodeActionDisabled, CodeActionKind, Diagnostic, TextEdit, Uri, WorkspaceEdit,
};

use super::{convert, uri};
use crate::config::FixSettings;
use crate::finding::Finding;
use crate::fix::registry::{RegistryOptions, Resolver};
use crate::fix::{self, Applicability, Cached, Edit, Fix, FixContext, apply};

/// The kind of the action that applies every safe fix of a buffer.
pub const FIX_ALL: &str = "source.fixAll.driftless";

/// How long one registry request may take while the editor waits.
pub const REGISTRY_TIMEOUT: Duration = Duration::from_secs(3);

/// The fix context of a session: the registry client behind a cache,
/// with the configuration's `fix:` table (mirrors, platform, timeout,
/// `network: false`) as `driftless scan --fix` reads it. The timeout is
/// [`REGISTRY_TIMEOUT`] unless the table sets one.
pub fn context(settings: &FixSettings) -> FixContext {
    let options = RegistryOptions {
        timeout: Some(settings.registry_timeout.unwrap_or(REGISTRY_TIMEOUT)),
        platform: settings.platform.clone(),
        mirrors: settings.registry_mirrors.clone().into_iter().collect(),
    };
    let offline = settings.network == Some(false);
    let resolver = Arc::new(Resolver::new(options.clone()));
    FixContext::new(options, offline).with_pinner(Arc::new(Cached::new(resolver)))
}

/// The quick fix of one finding of `buffer_findings`: its fix, or the fix
/// disabled with the reason it cannot be made (the editor shows it greyed
/// out). `None` when the rule has no fix.
pub fn quick_fix(
    f: &Finding,
    buffer_findings: &[Finding],
    ctx: &FixContext,
    buffer: (&Uri, &Path),
    diagnostic: Diagnostic,
) -> Option<CodeAction> {
    let fixed = fix::fix_for(f, ctx)?.and_then(|fix| match shared(&fix, f, buffer_findings, ctx) {
        Some(message) => Err(fix::FixError {
            rule_id: f.rule_id.clone(),
            message,
        }),
        None => Ok(fix),
    });
    let action = match fixed {
        Ok(fix) => CodeAction {
            title: capitalised(&fix.title),
            kind: Some(CodeActionKind::QUICKFIX),
            is_preferred: Some(fix.applicability == Applicability::Safe),
            edit: Some(workspace_edit(&fix.edits, buffer)),
            ..CodeAction::default()
        },
        Err(e) => CodeAction {
            title: format!("Fix {}", f.rule_id),
            kind: Some(CodeActionKind::QUICKFIX),
            disabled: Some(CodeActionDisabled { reason: e.message }),
            ..CodeAction::default()
        },
    };
    Some(CodeAction {
        diagnostics: Some(vec![diagnostic]),
        ..action
    })
}

/// Why `fix` must not be made alone: another finding of the buffer whose
/// value is written at a place `fix` edits needs a different edit there
/// (one `ARG V=latest` behind `node:${V}` and `redis:${V}`), as `--fix`
/// refuses it ([`apply::plan`]). Only findings whose own span or sources
/// touch the edited text are resolved, so the usual case asks no registry
/// more than the quick fix itself.
fn shared(fix: &Fix, f: &Finding, others: &[Finding], ctx: &FixContext) -> Option<String> {
    let touches = |o: &Finding| {
        let own = (o.file.path.as_path(), o.start, o.end);
        let sources = o
            .sources
            .iter()
            .map(|s| (s.file.path.as_path(), s.start, s.end));
        std::iter::once(own)
            .chain(sources)
            .any(|(path, start, end)| {
                fix.edits
                    .iter()
                    .any(|e| e.file.path == path && e.start <= end && start <= e.end)
            })
    };
    let mut fixes = vec![fix.clone()];
    for other in others.iter().filter(|o| !std::ptr::eq(*o, f) && touches(o)) {
        if let Some(Ok(other_fix)) = fix::fix_for(other, ctx) {
            fixes.push(other_fix);
        }
    }
    if fixes.len() == 1 {
        return None;
    }
    // `fix` comes first: only a value shared with a later fix refuses it.
    let plan = apply::plan(fixes);
    let refused = plan.rejected.first().filter(|r| r.fix.title == fix.title)?;
    Some(refused.reason.clone())
}

/// Every safe fix of the buffer's findings as one action, edits grouped,
/// duplicates once and overlaps dropped as `--fix` does; `None` when
/// there is nothing to fix.
pub fn fix_all(
    findings: &[Finding],
    ctx: &FixContext,
    buffer: (&Uri, &Path),
) -> Option<CodeAction> {
    let fixes: Vec<Fix> = fix::collect(findings, ctx, false).fixes;
    let plan = apply::plan(fixes);
    if plan.patches.is_empty() {
        return None;
    }
    let edits: Vec<Edit> = plan.patches.into_iter().flat_map(|p| p.edits).collect();
    Some(CodeAction {
        title: format!("Fix all safe driftless findings ({})", plan.applied.len()),
        kind: Some(CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(&edits, buffer)),
        ..CodeAction::default()
    })
}

/// Whether the client's `only` filter asks for the fix-all action
/// (`source`, `source.fixAll` or the exact kind).
pub fn wants_fix_all(only: Option<&Vec<CodeActionKind>>) -> bool {
    only.is_some_and(|kinds| {
        kinds.iter().any(|k| {
            let k = k.as_str();
            FIX_ALL == k || FIX_ALL.starts_with(&format!("{k}."))
        })
    })
}

/// The edits keyed by the URI of their file: the buffer's own URI for the
/// buffer (an untitled one has no path), a `file:` URI for the others.
// `WorkspaceEdit.changes` is keyed by `Uri`, whose parsed parts cache in
// cells: lsp-types' own shape, and no key is changed while in the map.
#[allow(clippy::mutable_key_type)]
fn workspace_edit(edits: &[Edit], (buffer_uri, buffer_path): (&Uri, &Path)) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for edit in edits {
        let target = if edit.file.path == buffer_path {
            Some(buffer_uri.clone())
        } else {
            Uri::from_str(&uri::from_path(&edit.file.path)).ok()
        };
        if let Some(target) = target {
            changes.entry(target).or_default().push(text_edit(edit));
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}

/// One edit in LSP positions (0-based, UTF-16 columns).
pub fn text_edit(edit: &Edit) -> TextEdit {
    let range = lsp_types::Range::new(
        convert::position(&edit.file, edit.start),
        convert::position(&edit.file, edit.end),
    );
    TextEdit {
        range,
        new_text: edit.replacement.clone(),
    }
}

fn capitalised(title: &str) -> String {
    let mut chars = title.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
