//! Resolving image references to `version@digest` through the OCI
//! distribution API (issue #18).
//!
//! [`Resolver::pin`] takes a reference as written, asks its registry (or
//! the mirror configured for it) for the manifest's digest and, for a
//! floating tag (`latest`, none, `alpine`), for the most specific version
//! tag that shares that digest. What it returns keeps the user's spelling
//! of registry and repository; only tag and digest change. The rules are in
//! `docs/fix-registries.md`.

mod auth;
mod client;
mod reference;
mod tags;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use ureq::Agent;

pub use auth::CredentialSource;
use client::Client;
use reference::Target;

/// The per-request timeout when none is given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

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

/// How much a resolution may fetch: registries have thousands of tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Tags read from the tag list at most (all pages together).
    pub max_tags: usize,
    /// Candidate version tags whose manifest digest is fetched at most.
    pub max_manifests: usize,
    /// `n=` asked per page of the tag list; `None` is the server's default.
    pub page_size: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_tags: 10_000,
            max_manifests: 50,
            page_size: Some(1_000),
        }
    }
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

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResolveError {}

/// What a registry said about one normalised reference: cached for the
/// run, whatever spelling asks next.
#[derive(Clone, Debug)]
struct Resolution {
    tag: String,
    digest: String,
    note: String,
}

/// A registry client with a per-run cache.
#[derive(Debug, Default)]
pub struct Resolver {
    pub options: RegistryOptions,
    limits: Limits,
    credentials: CredentialSource,
    agent: Mutex<Option<Agent>>,
    cache: Mutex<HashMap<String, Result<Resolution, String>>>,
    tokens: Mutex<HashMap<String, String>>,
}

impl Resolver {
    /// A resolver for one run.
    pub fn new(options: RegistryOptions) -> Self {
        Resolver {
            options,
            ..Resolver::default()
        }
    }

    /// The same resolver with other fetch bounds (tests use small pages).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same resolver reading credentials from `config_dir/config.json`
    /// and finding credential helpers on `helper_path` instead of the
    /// environment's `DOCKER_CONFIG`/`PATH` (tests, which must not change
    /// the process environment).
    pub fn with_credentials(
        mut self,
        config_dir: Option<PathBuf>,
        helper_path: Option<OsString>,
    ) -> Self {
        self.credentials = CredentialSource {
            config_dir,
            helper_path,
        };
        self
    }

    /// Pins `reference` (as written: `node:latest`, `nginx`,
    /// `ghcr.io/o/app:1.2`).
    pub fn pin(&self, reference: &str) -> Result<Pinned, ResolveError> {
        let target = Target::parse(reference)
            .map_err(|why| ResolveError(format!("cannot pin `{reference}`: {why}")))?;
        let key = format!(
            "{} {}",
            target.normalised(),
            self.options.platform.as_deref().unwrap_or("")
        );
        let cached = self.cache.lock().ok().and_then(|c| c.get(&key).cloned());
        let resolution = match cached {
            Some(resolution) => resolution,
            None => {
                let resolution = self.resolve(&target);
                if let Ok(mut cache) = self.cache.lock() {
                    cache.insert(key, resolution.clone());
                }
                resolution
            }
        };
        let base = target.base_url(&self.options.mirrors);
        resolution
            .map(|r| Pinned {
                reference: format!("{}:{}@{}", target.written_name, r.tag, r.digest),
                tag: r.tag,
                digest: r.digest,
                note: r.note,
            })
            .map_err(|why| {
                ResolveError(format!(
                    "cannot pin `{}` from registry {} ({base}): {why}",
                    reference.trim(),
                    target.registry
                ))
            })
    }

    /// Asks the registry: the digest to pin, then the tag to write.
    fn resolve(&self, target: &Target) -> Result<Resolution, String> {
        let agent = self.agent();
        let client = Client {
            agent: &agent,
            base: target.base_url(&self.options.mirrors),
            repository: target.repository.clone(),
            registry: target.registry.clone(),
            credentials: &self.credentials,
            tokens: &self.tokens,
            timeout: self.options.timeout.unwrap_or(DEFAULT_TIMEOUT),
        };
        let tag = target.effective_tag();
        let pinned_by = target.digest.as_deref().unwrap_or(tag);
        // HEAD when the body is not needed: Docker Hub does not count HEAD
        // requests against its pull rate limit.
        let manifest = client.manifest(pinned_by, self.options.platform.is_some())?;
        self.check_platform(&client, &manifest)?;
        let (tag, note) = if tags::is_floating(tag) {
            self.version_sibling(&client, tag, &manifest.digest)?
        } else if target.digest.is_some() {
            (
                tag.to_owned(),
                format!("kept the digest as written ({})", short(&manifest.digest)),
            )
        } else {
            (
                tag.to_owned(),
                format!("`{tag}` is {}", short(&manifest.digest)),
            )
        };
        Ok(Resolution {
            tag,
            digest: manifest.digest,
            note,
        })
    }

    /// The most specific version tag whose manifest has `digest`, or the
    /// floating tag itself when none has (the digest pins it all the same).
    fn version_sibling(
        &self,
        client: &Client,
        floating: &str,
        digest: &str,
    ) -> Result<(String, String), String> {
        let (all_tags, cut) = client.tags(self.limits.page_size, self.limits.max_tags)?;
        let candidates = tags::candidates(floating, &all_tags);
        let mut checked = 0;
        for candidate in candidates.iter().take(self.limits.max_manifests) {
            checked += 1;
            if client.manifest(candidate, false)?.digest == digest {
                return Ok((
                    candidate.to_string(),
                    format!("`{floating}` is {candidate}"),
                ));
            }
        }
        let mut note = format!(
            "no version tag shares `{floating}`'s digest ({checked} of {} candidate tags checked); kept `{floating}`, pinned by digest",
            candidates.len()
        );
        if candidates.len() > checked {
            note.push_str(&format!(
                "; stopped at the cap of {} manifests",
                self.limits.max_manifests
            ));
        }
        if cut {
            note.push_str(&format!(
                "; the tag list was cut at {} tags",
                self.limits.max_tags
            ));
        }
        Ok((floating.to_owned(), note))
    }

    /// With a platform set, the manifest must provide it: an index lists
    /// it, a single manifest's config names it.
    fn check_platform(&self, client: &Client, manifest: &client::Manifest) -> Result<(), String> {
        let Some(wanted) = &self.options.platform else {
            return Ok(());
        };
        let body: Value = manifest
            .body
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .ok_or("the manifest is not JSON")?;
        let is_index = manifest.media_type.ends_with("index.v1+json")
            || manifest.media_type.ends_with("manifest.list.v2+json");
        let entries = body
            .get("manifests")
            .and_then(Value::as_array)
            .filter(|_| is_index);
        let offered: Vec<String> = match entries {
            Some(entries) => entries
                .iter()
                .filter_map(|m| m.get("platform"))
                .map(platform_name)
                .collect(),
            None => {
                let config = body
                    .pointer("/config/digest")
                    .and_then(Value::as_str)
                    .ok_or("the manifest names no config")?;
                let config: Value = serde_json::from_slice(&client.blob(config)?)
                    .map_err(|e| format!("the image config is not JSON: {e}"))?;
                vec![platform_name(&config)]
            }
        };
        if offered.iter().any(|p| platform_matches(wanted, p)) {
            return Ok(());
        }
        Err(format!(
            "{} provides no platform {wanted} (it has: {})",
            short(&manifest.digest),
            if offered.is_empty() {
                "none named".to_owned()
            } else {
                offered.join(", ")
            }
        ))
    }

    /// The HTTP agent, made once per resolver.
    fn agent(&self) -> Agent {
        let timeout = self.options.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let mut slot = self.agent.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| client::agent(timeout)).clone()
    }
}

/// `os/architecture[/variant]` of an index entry's `platform` or a config.
fn platform_name(platform: &Value) -> String {
    let field = |name: &str| platform.get(name).and_then(Value::as_str).unwrap_or("");
    let mut name = format!("{}/{}", field("os"), field("architecture"));
    if !field("variant").is_empty() {
        name.push('/');
        name.push_str(field("variant"));
    }
    name
}

/// Whether `offered` provides `wanted`; a wanted platform without a
/// variant accepts any variant (`linux/arm64` matches `linux/arm64/v8`).
fn platform_matches(wanted: &str, offered: &str) -> bool {
    offered == wanted
        || offered
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('/') && wanted.matches('/').count() == 1)
}

/// `sha256:0123456789ab` for notes and messages.
fn short(digest: &str) -> &str {
    &digest[..digest.len().min(19)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_resolver_serves_every_thread_of_a_run() {
        fn shared<T: Send + Sync>() {}
        shared::<Resolver>();
    }

    #[test]
    fn platforms_match_with_or_without_variant() {
        assert!(platform_matches("linux/amd64", "linux/amd64"));
        assert!(platform_matches("linux/arm64", "linux/arm64/v8"));
        assert!(!platform_matches("linux/arm64/v7", "linux/arm64/v8"));
        assert!(!platform_matches("linux/arm", "linux/arm64"));
        assert!(!platform_matches("linux/amd64", "windows/amd64"));
    }

    #[test]
    fn references_that_cannot_be_asked_about_name_themselves() {
        let resolver = Resolver::new(RegistryOptions::default());
        let error = resolver.pin("${REGISTRY}/app:1").unwrap_err();
        assert!(
            error.0.contains("${REGISTRY}/app:1") && error.0.contains("unresolved variable"),
            "{error}"
        );
    }
}
