//! VER001: pins a module source to the current commit or the latest release.
//!
//! Git sources (Terraform `git::…`, `github.com/o/r`, `git@…`; Kustomize
//! remote resources) without `?ref=` or with a branch get `?ref=<commit>`,
//! the commit the ref (or the default branch, `HEAD`) points at today, as
//! `git ls-remote` reports it; `//subdir` and the other query parameters
//! are kept. A Terraform registry module without a `version`, or with a
//! range open above, gets the exact latest release from the registry's
//! module API ([`tf_registry`]). Everything else (HTTP archives, S3, GCS,
//! Helm chart dependencies, a remote manifest file) has no fix and says so.

mod git;
mod tf_registry;

use std::sync::Arc;

use super::{Applicability, Edit, Fix, FixContext, FixError, NEEDS_NETWORK};
use crate::document::{Kind, SourceFile};
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it). Safe:
/// the common case, a git ref, is pinned to the commit it resolves to
/// today, which is what the next `terraform init` would fetch. A registry
/// module's missing or open version is written as the version `terraform
/// init` installed (`.terraform/modules/modules.json`), which is safe too;
/// when none is recorded, as the latest release, which may differ from
/// what was used before: that fix is marked unsafe on its own
/// ([`Fix::applicability`]).
pub const APPLICABILITY: Applicability = Applicability::Safe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(finding: &Finding, ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    let fail = |message: String| FixError {
        rule_id: finding.rule_id.clone(),
        message,
    };
    let online = || {
        if ctx.offline {
            Err(NEEDS_NETWORK.to_string())
        } else {
            Ok(())
        }
    };
    let fixed = match finding.kind {
        Some(Kind::Terraform) if finding.json_path.ends_with(".version") => {
            tf_registry::fix(finding, ctx.offline)
        }
        Some(Kind::Terraform) if finding.json_path.ends_with(".source") => {
            online().and_then(|()| git_source_fix(finding))
        }
        Some(Kind::Kustomization) => online().and_then(|()| git_source_fix(finding)),
        _ => Err("no automatic fix for this source: pin it by hand".into()),
    };
    Some(fixed.map_err(fail))
}

/// A source string as written in the file: its span without the quotes.
struct Written {
    file: Arc<SourceFile>,
    start: usize,
    end: usize,
    value: String,
}

/// The source string at the finding, unquoted; an error when it is not a
/// plain literal (escapes, interpolation) that can be rewritten as text.
fn written_source(finding: &Finding) -> Result<Written, String> {
    let raw = finding
        .file
        .text
        .get(finding.start..finding.end)
        .ok_or("the finding's span is outside its file")?;
    let quoted = raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')));
    let (start, end) = if quoted {
        (finding.start + 1, finding.end - 1)
    } else {
        (finding.start, finding.end)
    };
    let value = &finding.file.text[start..end];
    if value.contains(['\\', '$', '"', '\'', '\n']) || value.trim() != value {
        return Err("the source is not written as one plain string".into());
    }
    Ok(Written {
        file: finding.file.clone(),
        start,
        end,
        value: value.to_string(),
    })
}

/// `?ref=<commit>` for a git source, from `git ls-remote`.
fn git_source_fix(finding: &Finding) -> Result<Fix, String> {
    let written = written_source(finding)?;
    let kustomize = finding.kind == Some(Kind::Kustomization);
    let source = git::Source::parse(&written.value, kustomize)?;
    let commit = git::resolve(&source.repository, source.git_ref())?;
    let new = source.with_ref(&commit);
    Ok(Fix {
        rule_id: finding.rule_id.clone(),
        title: format!(
            "pin `{}` to commit {commit} (`{}` today)",
            source.repository,
            source.git_ref()
        ),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            file: written.file,
            start: written.start,
            end: written.end,
            replacement: new,
        }],
    })
}
