//! The OCI distribution API over HTTP (ureq, blocking): manifests by tag
//! or digest, the paginated tag list, config blobs, and the `401` dance
//! (a bearer token from the challenge's realm, or basic credentials).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use ureq::Agent;
use ureq::http::Response;

use super::auth::{Challenge, CredentialSource, Credentials, parse_challenge};

/// The manifest kinds asked for, indexes first (a multi-platform image is
/// pinned by its index).
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";
/// The largest manifest, index or config blob read.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// The largest page of the tag list read.
pub const MAX_TAG_PAGE_BYTES: u64 = 4 << 20;
/// The largest error body read (for the registry's error code).
const MAX_ERROR_BYTES: u64 = 64 << 10;
/// The largest token answer read.
const MAX_TOKEN_BYTES: u64 = 1 << 20;

/// A manifest as fetched: its digest and, for `GET`, its body.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub digest: String,
    pub media_type: String,
    pub body: Option<Vec<u8>>,
}

/// One registry's API at a base URL, for one repository.
pub struct Client<'a> {
    pub agent: &'a Agent,
    pub base: String,
    pub repository: String,
    pub registry: String,
    pub credentials: &'a CredentialSource,
    /// `Authorization` values per `base repository`, shared by the run.
    pub tokens: &'a Mutex<HashMap<String, String>>,
    /// How long a credential helper may take to answer.
    pub timeout: Duration,
}

impl Client<'_> {
    /// `GET` (with body) or `HEAD` the manifest `reference` (tag or digest).
    /// The digest is `Docker-Content-Digest`, verified against the body when
    /// both are there, else the body's sha256 (a `HEAD` without the header
    /// falls back to `GET`).
    pub fn manifest(&self, reference: &str, with_body: bool) -> Result<Manifest, String> {
        let path = format!("/v2/{}/manifests/{reference}", self.repository);
        let method = if with_body { "GET" } else { "HEAD" };
        let mut response = self.send(method, &path, MANIFEST_ACCEPT)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_owned())
        };
        let announced = header("Docker-Content-Digest");
        let content_type = header("Content-Type").unwrap_or_default();
        if !with_body {
            return match announced {
                Some(digest) if reference.starts_with("sha256:") && digest != reference => {
                    Err(format!("{path}: the registry answered for {digest}"))
                }
                Some(digest) => Ok(Manifest {
                    digest,
                    media_type: media_type(&content_type, b""),
                    body: None,
                }),
                None => self.manifest(reference, true),
            };
        }
        let body = read_limited(&mut response, MAX_MANIFEST_BYTES, &path)?;
        let computed = sha256_digest(&body);
        if let Some(announced) = announced.filter(|d| d.starts_with("sha256:"))
            && announced != computed
        {
            return Err(format!(
                "{path}: Docker-Content-Digest {announced} does not match the body ({computed})"
            ));
        }
        if reference.starts_with("sha256:") && reference != computed {
            return Err(format!("{path}: the body's digest is {computed}"));
        }
        let media_type = media_type(&content_type, &body);
        Ok(Manifest {
            digest: computed,
            media_type,
            body: Some(body),
        })
    }

    /// A blob (an image config), verified against its digest.
    pub fn blob(&self, digest: &str) -> Result<Vec<u8>, String> {
        let path = format!("/v2/{}/blobs/{digest}", self.repository);
        let mut response = self.send("GET", &path, "*/*")?;
        let body = read_limited(&mut response, MAX_MANIFEST_BYTES, &path)?;
        if sha256_digest(&body) != digest {
            return Err(format!("{path}: the blob does not match its digest"));
        }
        Ok(body)
    }

    /// The repository's tags, following `Link: <…>; rel="next"` pages of
    /// `page_size` (server default when `None`), stopping after
    /// `max_tags`. The bool says whether the list was cut there.
    pub fn tags(
        &self,
        page_size: Option<usize>,
        max_tags: usize,
    ) -> Result<(Vec<String>, bool), String> {
        let mut next = Some(match page_size {
            Some(n) => format!("/v2/{}/tags/list?n={n}", self.repository),
            None => format!("/v2/{}/tags/list", self.repository),
        });
        let mut tags = Vec::new();
        while let Some(path) = next.take() {
            let mut response = self.send("GET", &path, "application/json")?;
            next = next_link(&response);
            let body = read_limited(&mut response, MAX_TAG_PAGE_BYTES, &path)?;
            let page: Value = serde_json::from_slice(&body)
                .map_err(|e| format!("{path}: the tag list is not JSON: {e}"))?;
            let page_tags = page.get("tags").and_then(Value::as_array);
            if next.is_some() && page_tags.is_none_or(|t| t.is_empty()) {
                // Every page must move on, or a registry could link forever.
                return Err(format!(
                    "{path}: an empty page of the tag list links to another"
                ));
            }
            tags.extend(
                page_tags
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned),
            );
            if tags.len() >= max_tags {
                let cut = tags.len() > max_tags || next.is_some();
                tags.truncate(max_tags);
                return Ok((tags, cut));
            }
        }
        Ok((tags, false))
    }

    /// Sends a request, answering one `401` challenge (token or basic) and
    /// retrying; any other status than 2xx is an error naming it.
    fn send(&self, method: &str, path: &str, accept: &str) -> Result<Response<ureq::Body>, String> {
        let url = format!("{}{path}", self.base);
        let key = format!("{} {}", self.base, self.repository);
        let cached = self
            .tokens
            .lock()
            .map(|t| t.get(&key).cloned())
            .unwrap_or(None);
        let response = self.call(method, &url, accept, cached.as_deref())?;
        if response.status() != 401 {
            return check_status(response, method, path);
        }
        let challenge = response
            .headers()
            .get("WWW-Authenticate")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_challenge)
            .ok_or_else(|| {
                format!("{method} {path}: 401 Unauthorized without a supported challenge")
            })?;
        let authorization = self.authorize(&challenge)?;
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(key, authorization.clone());
        }
        let retried = self.call(method, &url, accept, Some(&authorization))?;
        check_status(retried, method, path)
    }

    /// One HTTP exchange; transport failures (refused, timeout, TLS) are
    /// errors, every status is an answer.
    fn call(
        &self,
        method: &str,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<Response<ureq::Body>, String> {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("Accept", accept);
        let request = match authorization {
            Some(value) => request.header("Authorization", value),
            None => request,
        };
        let request = request
            .body(())
            .map_err(|e| format!("{method} {url}: invalid request: {e}"))?;
        self.agent
            .run(request)
            .map_err(|e| format!("{method} {url}: {e}"))
    }

    /// The `Authorization` value a challenge asks for.
    fn authorize(&self, challenge: &Challenge) -> Result<String, String> {
        let credentials = self.credentials.lookup(&self.registry, self.timeout)?;
        match challenge {
            Challenge::Basic => credentials.map(|c| c.basic_header()).ok_or_else(|| {
                "the registry asks for credentials and none are configured".to_owned()
            }),
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => {
                let scope = scope
                    .clone()
                    .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                self.token(realm, service.as_deref(), &scope, credentials.as_ref())
            }
        }
    }

    /// Gets a bearer token from `realm` (anonymously, or with basic
    /// credentials when configured).
    fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        credentials: Option<&Credentials>,
    ) -> Result<String, String> {
        let separator = if realm.contains('?') { '&' } else { '?' };
        let mut url = format!("{realm}{separator}scope={}", query_escape(scope));
        if let Some(service) = service {
            url.push_str(&format!("&service={}", query_escape(service)));
        }
        let response = self.call(
            "GET",
            &url,
            "application/json",
            credentials.map(|c| c.basic_header()).as_deref(),
        )?;
        let mut response =
            check_status(response, "GET", realm).map_err(|e| format!("token service: {e}"))?;
        let body = read_limited(&mut response, MAX_TOKEN_BYTES, realm)?;
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("token service {realm}: not JSON: {e}"))?;
        answer
            .get("token")
            .or_else(|| answer.get("access_token"))
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(|token| format!("Bearer {token}"))
            .ok_or_else(|| format!("token service {realm} gave no token"))
    }
}

/// The response if its status is 2xx, else an error naming the status and
/// the registry's own error code (`404 Not Found (MANIFEST_UNKNOWN:
/// manifest unknown)`).
fn check_status(
    mut response: Response<ureq::Body>,
    method: &str,
    path: &str,
) -> Result<Response<ureq::Body>, String> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let reason = status.canonical_reason().unwrap_or("");
    let mut message = format!("{method} {path}: {} {reason}", status.as_u16())
        .trim_end()
        .to_owned();
    if let Some(detail) = registry_error(&mut response) {
        message.push_str(&format!(" ({detail})"));
    }
    Err(message)
}

/// `CODE: message` of the first entry of an error body
/// (`{"errors": [{"code", "message"}]}`), if the body is one.
fn registry_error(response: &mut Response<ureq::Body>) -> Option<String> {
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_ERROR_BYTES)
        .read_to_vec()
        .ok()?;
    let answer: Value = serde_json::from_slice(&body).ok()?;
    let first = answer.get("errors")?.get(0)?;
    let code = first.get("code")?.as_str()?;
    let text = first.get("message").and_then(Value::as_str).unwrap_or("");
    let detail = format!("{code}: {text}");
    Some(
        detail
            .trim_end_matches([':', ' '])
            .chars()
            .take(200)
            .collect(),
    )
}

/// Reads a body, refusing more than `limit` bytes.
fn read_limited(
    response: &mut Response<ureq::Body>,
    limit: u64,
    path: &str,
) -> Result<Vec<u8>, String> {
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| format!("{path}: cannot read the answer (limit {limit} bytes): {e}"))
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The manifest's media type: the `Content-Type` (parameters dropped),
/// else the body's `mediaType`.
fn media_type(content_type: &str, body: &[u8]) -> String {
    let declared = content_type.split(';').next().unwrap_or("").trim();
    if !declared.is_empty() && declared != "application/json" {
        return declared.to_owned();
    }
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("mediaType")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The path of `Link: </v2/…?n=2&last=b>; rel="next"`, if any (absolute
/// URLs keep only their path: the next page is on the same registry).
fn next_link(response: &Response<ureq::Body>) -> Option<String> {
    let link = response.headers().get("Link")?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then_some(())?;
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let path = match target.find("://") {
            Some(scheme_end) => {
                let after = &target[scheme_end + 3..];
                &after[after.find('/')?..]
            }
            None => target,
        };
        path.starts_with("/v2/").then(|| path.to_owned())
    })
}

/// Percent-encodes a query value.
fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The agent of a run: `timeout` per request, statuses as answers, the
/// proxy from the environment, redirects followed (blob storage).
pub fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .user_agent(concat!("driftless/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_prefers_the_header_then_the_body() {
        let body = br#"{"mediaType":"application/vnd.oci.image.index.v1+json"}"#;
        assert_eq!(
            media_type("", body),
            "application/vnd.oci.image.index.v1+json"
        );
        assert_eq!(
            media_type(
                "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8",
                b"{}"
            ),
            "application/vnd.docker.distribution.manifest.v2+json"
        );
        assert_eq!(
            query_escape("repository:a/b:pull"),
            "repository%3Aa%2Fb%3Apull"
        );
    }
}
