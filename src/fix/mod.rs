//! `driftless scan --fix`: turn findings into pinned, immutable code
//! (issue #18). A fix is a set of byte edits at the place where the value is
//! written (the `ARG` default, the variable default, the `images` entry), not
//! where it is used. Fixes that change what gets deployed beyond pinning it
//! are `Unsafe` and need `--unsafe-fixes`.
//!
//! Data flow: the scan's active findings → [`fix_for`] (one rule module per
//! fix) → edits grouped per file → written, or shown with `--diff`.

pub mod image;
pub mod immutable;
pub mod lifecycle;
pub mod module_ref;
pub mod registry;
pub mod removal;

use std::sync::Arc;

use crate::document::SourceFile;
use crate::finding::Finding;

/// Whether a fix may be applied without asking (`--fix`) or only with
/// `--unsafe-fixes`, as ruff distinguishes them: a safe fix keeps what is
/// deployed today (it pins it); an unsafe one changes behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// One replacement of a byte range of a file's text.
#[derive(Clone, Debug)]
pub struct Edit {
    pub file: Arc<SourceFile>,
    /// Byte range in `file.text` that `replacement` replaces.
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// The edits that resolve one finding, with a title for reports and editors
/// ("pin `node:latest` to `node:22.11.0@sha256:…`").
#[derive(Clone, Debug)]
pub struct Fix {
    pub rule_id: String,
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Why a rule that has a fix could not fix this finding (registry down,
/// value not written literally, …): reported, never silently dropped.
#[derive(Clone, Debug)]
pub struct FixError {
    pub rule_id: String,
    pub message: String,
}

/// What fixes may use beyond the finding: the registry client and whether
/// the network may be used at all (`--no-network`).
pub struct FixContext {
    pub registry: registry::Resolver,
    pub offline: bool,
}

/// The fix for one finding, if its rule has one.
pub fn fix_for(finding: &Finding, ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    match finding.rule_id.as_str() {
        "TAG001" | "TAG002" | "TAG003" => image::fix(finding, ctx),
        "UPD002" => lifecycle::fix(finding, ctx),
        "VER006" => immutable::fix(finding, ctx),
        "VER001" => module_ref::fix(finding, ctx),
        "UPD005" | "SSH003" => removal::fix(finding, ctx),
        _ => None,
    }
}

/// Whether a rule has a fix and how safe it is, for `driftless explain`
/// and `driftless rules`.
pub fn availability(rule_id: &str) -> Option<Applicability> {
    match rule_id {
        "TAG001" | "TAG002" | "TAG003" => Some(image::APPLICABILITY),
        "UPD002" => Some(lifecycle::APPLICABILITY),
        "VER006" => Some(immutable::APPLICABILITY),
        "VER001" => Some(module_ref::APPLICABILITY),
        "UPD005" | "SSH003" => Some(removal::APPLICABILITY),
        _ => None,
    }
}
