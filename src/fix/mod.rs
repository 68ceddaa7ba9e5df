//! `driftless scan --fix`: turn findings into pinned, immutable code
//! (issue #18). A fix is a set of byte edits at the place where the value is
//! written (the `ARG` default, the variable default, the `images` entry), not
//! where it is used. Fixes that change what gets deployed beyond pinning it
//! are `Unsafe` and need `--unsafe-fixes`.
//!
//! Data flow: the scan's active findings → [`fix_for`] (one rule module per
//! fix) → edits grouped per file → written, or shown with `--diff`.

pub mod apply;
pub mod diff;
pub mod image;
pub mod immutable;
pub mod lifecycle;
pub mod module_ref;
pub mod registry;
pub mod removal;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// Pins an image reference as written (`node:latest`) to `version@digest`.
/// The registry client is the production implementation; tests and the
/// `--diff` snapshots inject their own, so fixes are tested without a
/// network (the client itself is tested against a loopback registry).
pub trait Pin: Send + Sync {
    /// The pinned reference, or why the registry could not give one.
    fn pin(&self, reference: &str) -> Result<registry::Pinned, registry::ResolveError>;
}

impl Pin for registry::Resolver {
    fn pin(&self, reference: &str) -> Result<registry::Pinned, registry::ResolveError> {
        registry::Resolver::pin(self, reference)
    }
}

/// A resolver that remembers every answer, failures included, for as long
/// as it lives: the language server asks again on every code-action
/// request, and must not wait for a registry twice for one reference.
pub struct Cached {
    inner: Arc<dyn Pin>,
    answers: Mutex<HashMap<String, Result<registry::Pinned, registry::ResolveError>>>,
}

impl Cached {
    /// Caches `inner`'s answers.
    pub fn new(inner: Arc<dyn Pin>) -> Self {
        Cached {
            inner,
            answers: Mutex::new(HashMap::new()),
        }
    }
}

impl Pin for Cached {
    fn pin(&self, reference: &str) -> Result<registry::Pinned, registry::ResolveError> {
        let known = self
            .answers
            .lock()
            .ok()
            .and_then(|a| a.get(reference).cloned());
        if let Some(answer) = known {
            return answer;
        }
        let answer = self.inner.pin(reference);
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(reference.to_owned(), answer.clone());
        }
        answer
    }
}

/// What fixes may use beyond the finding: the registry client and whether
/// the network may be used at all (`--no-network`). Build it with
/// [`FixContext::new`] (one place, so a field added later does not break
/// its users) and inject a resolver with [`FixContext::with_pinner`].
pub struct FixContext {
    pub registry: registry::Resolver,
    pub offline: bool,
    /// Replaces `registry` for image lookups when set (tests, the
    /// language server's cache).
    pub pinner: Option<Arc<dyn Pin>>,
}

impl FixContext {
    /// A context resolving through the registry with `options`, or using
    /// no network at all when `offline`.
    pub fn new(options: registry::RegistryOptions, offline: bool) -> Self {
        FixContext {
            registry: registry::Resolver::new(options),
            offline,
            pinner: None,
        }
    }

    /// The same context resolving images through `pinner` instead of the
    /// registry client.
    pub fn with_pinner(mut self, pinner: Arc<dyn Pin>) -> Self {
        self.pinner = Some(pinner);
        self
    }

    /// Pins `reference` through the injected resolver, else the registry.
    pub fn pin(&self, reference: &str) -> Result<registry::Pinned, registry::ResolveError> {
        match &self.pinner {
            Some(p) => p.pin(reference),
            None => self.registry.pin(reference),
        }
    }
}

/// `HOST=URL` (`--registry-mirror`).
pub fn parse_mirror(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((host, url)) if !host.is_empty() && !url.is_empty() => {
            Ok((host.to_owned(), url.to_owned()))
        }
        _ => Err(format!("expected HOST=URL, got `{s}`")),
    }
}

/// A positive number of seconds (`2`, `0.5`): `--registry-timeout` and the
/// config's `fix.registry_timeout`.
pub fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!("expected a positive number of seconds, got `{s}`")),
    }
}

/// `os/arch` or `os/arch/variant`, each part non-empty: `--platform` and
/// the config's `fix.platform`.
pub fn parse_platform(s: &str) -> Result<String, String> {
    let parts: Vec<&str> = s.split('/').collect();
    if (2..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty()) {
        Ok(s.to_owned())
    } else {
        Err(format!("expected os/arch[/variant], got `{s}`"))
    }
}

/// Why a fix was not made offline (`--no-network`, `fix: {network:
/// false}`): the fixes return it as their error, and [`collect`] counts
/// these instead of reporting them, so the summary can say how many are
/// waiting for the network.
pub const NEEDS_NETWORK: &str =
    "needs the network (--no-network, or `fix: {network: false}` in the configuration)";

/// The fixes computed for a list of findings, and what could not be fixed.
#[derive(Default)]
pub struct Collected {
    /// Fixes that may be applied under the chosen applicability.
    pub fixes: Vec<Fix>,
    /// Findings whose fix failed, with why (reported on stderr).
    pub errors: Vec<(Finding, FixError)>,
    /// Unsafe fixes found but not applied (no `--unsafe-fixes`).
    pub unsafe_skipped: usize,
    /// Fixes not attempted because they need the network (`--no-network`).
    pub need_network: usize,
}

/// Computes the fix of every finding that has one. Unsafe fixes are kept
/// only when `unsafe_fixes`; the others are counted so the summary can say
/// they exist. Offline, fixes that need the network are counted (each fix
/// says so with [`NEEDS_NETWORK`]: a VER001 pin to the version `terraform
/// init` installed needs none and is made).
pub fn collect<'a>(
    findings: impl IntoIterator<Item = &'a Finding>,
    ctx: &FixContext,
    unsafe_fixes: bool,
) -> Collected {
    let mut out = Collected::default();
    for finding in findings {
        if availability(&finding.rule_id).is_none() {
            continue;
        }
        match fix_for(finding, ctx) {
            Some(Err(e)) if ctx.offline && e.message == NEEDS_NETWORK => {
                out.need_network += 1;
            }
            Some(Ok(fix)) if fix.applicability == Applicability::Unsafe && !unsafe_fixes => {
                out.unsafe_skipped += 1;
            }
            Some(Ok(fix)) => out.fixes.push(fix),
            Some(Err(e)) => out.errors.push((finding.clone(), e)),
            None => {}
        }
    }
    out
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
