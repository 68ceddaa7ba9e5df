//! Resolving image references to `version@digest` through the OCI
//! distribution API (issue #18).

use std::time::Duration;

/// How to reach registries: the options of `--fix` for images.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// Per-request timeout.
    pub timeout: Option<Duration>,
    /// `os/arch[/variant]` a multi-platform index must contain.
    pub platform: Option<String>,
    /// Registry host → mirror base URL (`docker.io` → `http://127.0.0.1:5000`).
    pub mirrors: Vec<(String, String)>,
}

/// An image reference pinned: the text to write in place of the reference
/// as it was written (same registry and repository spelling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// The full new reference, `node:22.11.0@sha256:…`.
    pub reference: String,
    /// The tag chosen or kept.
    pub tag: String,
    /// `sha256:…` of the manifest or index.
    pub digest: String,
    /// Why this tag was chosen, for the fix title ("`latest` is 22.11.0").
    pub note: String,
}

/// Why a reference could not be pinned.
#[derive(Clone, Debug)]
pub struct ResolveError(pub String);

/// A registry client with a per-run cache.
#[derive(Debug, Default)]
pub struct Resolver {
    pub options: RegistryOptions,
}

impl Resolver {
    /// A resolver for one run.
    pub fn new(options: RegistryOptions) -> Self {
        Resolver { options }
    }

    /// Pins `reference` (as written: `node:latest`, `nginx`,
    /// `ghcr.io/o/app:1.2`).
    pub fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
        Err(ResolveError(format!(
            "cannot resolve `{reference}`: registry client not built yet"
        )))
    }
}
