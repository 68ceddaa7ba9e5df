//! A real OCI registry on loopback for tests: Debian's `docker-registry`
//! (the CNCF distribution server) started in a temp dir on a free port,
//! optionally behind htpasswd or token auth, and images pushed to it
//! through the registry API as `docker push` would.
//!
//! Use it from a test file with
//! `#[path = "common/registry.rs"] mod registry;`, then
//! `let Some(reg) = registry::start_or_skip("my_test", registry::Auth::None) else { return };`,
//! `reg.push_image("app", &["latest", "1.2.3"], "seed")` and
//! `reg.push_index("multi", &["latest"], &[("linux", "amd64")])`; `reg.host`
//! is `127.0.0.1:PORT` to write references with (`127.0.0.1:PORT/app:latest`).
//! The server is killed when the value is dropped. To pin Docker Hub names
//! (`FROM node:latest`) against it, push `library/node` and map the mirror
//! `docker.io` → `reg.url` (`RegistryOptions::mirrors`).
//!
//! Without `/usr/bin/docker-registry` (or `$DRIFTLESS_REGISTRY_BINARY`) the tests print a loud skip and pass,
//! unless `DRIFTLESS_REQUIRE_REGISTRY=1` (set by `.ci/run`) makes them fail.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The distribution server of Debian's `docker-registry` package.
pub const BINARY: &str = "/usr/bin/docker-registry";

/// The registry binary: `$DRIFTLESS_REGISTRY_BINARY` (another install,
/// e.g. the upstream `registry` binary), else [`BINARY`].
pub fn binary() -> PathBuf {
    std::env::var_os("DRIFTLESS_REGISTRY_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(BINARY))
}
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// The `service` and `issuer` of the token-auth variant.
const TOKEN_SERVICE: &str = "driftless-test-registry";
const TOKEN_ISSUER: &str = "driftless-test-issuer";

/// How the registry lets clients in.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Anyone may pull and push.
    None,
    /// `auth: htpasswd` with one bcrypt user.
    Htpasswd { user: String, password: String },
    /// `auth: token`: a bearer-token realm served by the test (a JWT signed
    /// with a key the registry trusts); with `user`, the realm demands
    /// basic credentials before issuing a token.
    Token { user: Option<(String, String)> },
}

/// One image pushed: its manifest digest and bytes.
#[derive(Clone, Debug)]
pub struct Image {
    pub digest: String,
    pub manifest: Vec<u8>,
    pub media_type: String,
}

/// A running registry, killed on drop.
pub struct Registry {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `127.0.0.1:PORT`, the registry part of references.
    pub host: String,
    /// The token realm's requests (`Authorization` header or `""`), in order.
    pub token_requests: Arc<Mutex<Vec<String>>>,
    child: Child,
    dir: tempfile::TempDir,
    auth: Auth,
    agent: ureq::Agent,
}

/// Whether the registry binary is here; when it is not, prints a loud skip
/// for `test` (or panics when `DRIFTLESS_REQUIRE_REGISTRY=1`).
pub fn available(test: &str) -> bool {
    let binary = binary();
    if binary.exists() {
        return true;
    }
    let binary = binary.display();
    if std::env::var("DRIFTLESS_REQUIRE_REGISTRY").as_deref() == Ok("1") {
        panic!(
            "{test}: {binary} is missing and DRIFTLESS_REQUIRE_REGISTRY=1 (apt-get install docker-registry)"
        );
    }
    // Straight to stderr: libtest captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!! SKIPPED {test}: {binary} is missing (apt-get install docker-registry) !!!!\n"
    );
    false
}

/// A registry with `auth`, or `None` (after the skip message) when the
/// binary is missing.
pub fn start_or_skip(test: &str, auth: Auth) -> Option<Registry> {
    available(test).then(|| Registry::start(auth))
}

impl Registry {
    /// Starts the server on a free loopback port (retrying when another
    /// process took the port first) and waits until `/v2/` answers.
    pub fn start(auth: Auth) -> Registry {
        let dir = tempfile::tempdir().expect("temp dir");
        let token_requests = Arc::new(Mutex::new(Vec::new()));
        let auth_config = auth_config(&auth, dir.path(), &token_requests);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        for _attempt in 0..5 {
            let port = free_port();
            let host = format!("127.0.0.1:{port}");
            let config = dir.path().join("config.yml");
            std::fs::write(&config, server_config(dir.path(), &host, &auth_config))
                .expect("config");
            let log = std::fs::File::create(dir.path().join("registry.log")).expect("log");
            let mut child = Command::new(binary())
                .arg("serve")
                .arg(&config)
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .stdin(Stdio::null())
                .spawn()
                .expect("docker-registry starts");
            if wait_ready(&agent, &mut child, &host) {
                return Registry {
                    url: format!("http://{host}"),
                    host,
                    token_requests,
                    child,
                    dir,
                    auth,
                    agent,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(dir.path().join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not start:\n{log}");
    }

    /// The temp dir the registry lives in (tests may put a Docker config
    /// or credential helper beside it).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Pushes a single-platform (linux/amd64) OCI image whose content is
    /// derived from `seed` under each of `tags`.
    pub fn push_image(&self, repo: &str, tags: &[&str], seed: &str) -> Image {
        self.push_platform_image(repo, tags, seed, ("linux", "amd64"), false)
    }

    /// Pushes an image for `platform` (`(os, arch)`), as an OCI manifest or
    /// (`docker`) a Docker v2 manifest, under each of `tags` (none: only by
    /// digest, as the parts of an index are).
    pub fn push_platform_image(
        &self,
        repo: &str,
        tags: &[&str],
        seed: &str,
        platform: (&str, &str),
        docker: bool,
    ) -> Image {
        let layer = format!("layer of {seed}").into_bytes();
        let layer_digest = self.push_blob(repo, &layer);
        let config = serde_json::to_vec(&json!({
            "architecture": platform.1,
            "os": platform.0,
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "config": {"Labels": {"seed": seed}},
        }))
        .expect("json");
        let config_digest = self.push_blob(repo, &config);
        let (media_type, config_type, layer_type) = if docker {
            (
                DOCKER_MANIFEST,
                "application/vnd.docker.container.image.v1+json",
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
            )
        } else {
            (
                OCI_MANIFEST,
                "application/vnd.oci.image.config.v1+json",
                "application/vnd.oci.image.layer.v1.tar+gzip",
            )
        };
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": config_type, "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer.len()}],
        }))
        .expect("json");
        self.push_manifest(repo, tags, &manifest, media_type)
    }

    /// Pushes one image per platform (by digest), then an index of them
    /// (OCI, or a Docker manifest list with `docker`) under each of `tags`.
    pub fn push_index(
        &self,
        repo: &str,
        tags: &[&str],
        platforms: &[(&str, &str)],
        docker: bool,
    ) -> Image {
        let entries: Vec<Value> = platforms
            .iter()
            .map(|&(os, arch)| {
                let seed = format!("{repo} {os}/{arch} {tags:?}");
                let image = self.push_platform_image(repo, &[], &seed, (os, arch), docker);
                json!({
                    "mediaType": image.media_type,
                    "digest": image.digest,
                    "size": image.manifest.len(),
                    "platform": {"os": os, "architecture": arch},
                })
            })
            .collect();
        let media_type = if docker { DOCKER_LIST } else { OCI_INDEX };
        let index = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": media_type,
            "manifests": entries,
        }))
        .expect("json");
        self.push_manifest(repo, tags, &index, media_type)
    }

    /// Puts a manifest already pushed to `repo` under more tags (its blobs
    /// must be in `repo`: the registry refuses a manifest whose blobs it
    /// does not hold there).
    pub fn tag(&self, repo: &str, tags: &[&str], image: &Image) {
        self.push_manifest(repo, tags, &image.manifest, &image.media_type);
    }

    /// PUTs `manifest` by digest, then under each tag.
    fn push_manifest(&self, repo: &str, tags: &[&str], manifest: &[u8], media_type: &str) -> Image {
        let digest = sha256(manifest);
        for reference in std::iter::once(digest.as_str()).chain(tags.iter().copied()) {
            let url = format!("{}/v2/{repo}/manifests/{reference}", self.url);
            let response = self
                .request("PUT", &url, repo)
                .header("Content-Type", media_type)
                .send(manifest)
                .expect("manifest PUT");
            assert_eq!(response.status(), 201, "PUT {url}: {}", body_text(response));
        }
        Image {
            digest,
            manifest: manifest.to_vec(),
            media_type: media_type.to_owned(),
        }
    }

    /// Uploads a blob monolithically (POST for a session, PUT with the
    /// digest); returns its digest.
    fn push_blob(&self, repo: &str, blob: &[u8]) -> String {
        let digest = sha256(blob);
        let url = format!("{}/v2/{repo}/blobs/uploads/", self.url);
        let response = self
            .request("POST", &url, repo)
            .send_empty()
            .expect("upload POST");
        assert_eq!(response.status(), 202, "POST {url}");
        let location = response
            .headers()
            .get("Location")
            .and_then(|v| v.to_str().ok())
            .expect("Location")
            .to_owned();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.url)
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{separator}digest={digest}");
        let response = self
            .request("PUT", &url, repo)
            .header("Content-Type", "application/octet-stream")
            .send(blob)
            .expect("upload PUT");
        assert_eq!(response.status(), 201, "PUT {url}");
        digest
    }

    /// A request carrying the pusher's credentials.
    fn request(
        &self,
        method: &str,
        url: &str,
        repo: &str,
    ) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let request = match method {
            "PUT" => self.agent.put(url),
            _ => self.agent.post(url),
        };
        match &self.auth {
            Auth::None => request,
            Auth::Htpasswd { user, password } => {
                request.header("Authorization", basic(user, password))
            }
            Auth::Token { .. } => {
                let scope = format!("repository:{repo}:pull,push");
                let token = mint_token(self.dir.path(), &scope);
                request.header("Authorization", format!("Bearer {token}"))
            }
        }
    }
}

impl Registry {
    /// A loopback front for this registry that pages `tags/list` as the
    /// OCI distribution spec says (`n`, `last`, tags in lexical order,
    /// `Link: <…>; rel="next"`) — the distribution server 2.8 ignores `n`
    /// and returns every tag at once — and forwards every other request.
    /// Returns its host (`127.0.0.1:PORT`) and the number of tag pages it
    /// served.
    pub fn paginating_front(&self) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("front port");
        let host = listener.local_addr().expect("addr").to_string();
        let pages = Arc::new(AtomicUsize::new(0));
        let (upstream, agent, served) = (self.url.clone(), self.agent.clone(), pages.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (upstream, agent, served) = (upstream.clone(), agent.clone(), served.clone());
                thread::spawn(move || front_answer(stream, &upstream, &agent, &served));
            }
        });
        (host, pages)
    }
}

/// One request to the paginating front.
fn front_answer(mut stream: TcpStream, upstream: &str, agent: &ureq::Agent, pages: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut forwarded = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && ["accept", "authorization"].contains(&name.to_ascii_lowercase().as_str())
        {
            forwarded.push((name.to_owned(), value.trim().to_owned()));
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("GET"), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or(target);
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{upstream}{path}"));
    let request = forwarded.iter().fold(request, |r, (name, value)| {
        r.header(name.as_str(), value.as_str())
    });
    let Ok(mut response) = agent.run(request.body(()).expect("request")) else {
        return;
    };
    let mut headers = String::new();
    for name in ["Content-Type", "Docker-Content-Digest", "WWW-Authenticate"] {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            headers.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let length = response
        .headers()
        .get("Content-Length")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0")
        .to_owned();
    let status = response.status();
    let mut body = response.body_mut().read_to_vec().unwrap_or_default();
    if path.ends_with("/tags/list") && status == 200 {
        pages.fetch_add(1, Ordering::SeqCst);
        let (page, next) = tag_page(&body, path, &request_line);
        body = page;
        if let Some(next) = next {
            headers.push_str(&format!("Link: <{next}>; rel=\"next\"\r\n"));
        }
    }
    let length = if method == "HEAD" {
        length
    } else {
        body.len().to_string()
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {} {}\r\n{headers}Content-Length: {length}\r\nConnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    if method != "HEAD" {
        let _ = stream.write_all(&body);
    }
}

/// One page of a full tag list: the tags after `last`, at most `n`, and
/// the next page's path when more remain.
fn tag_page(full: &[u8], path: &str, request_line: &str) -> (Vec<u8>, Option<String>) {
    let list: Value = serde_json::from_slice(full).unwrap_or_default();
    let mut tags: Vec<String> = list["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    tags.sort();
    let last = query_param(request_line, "last");
    let n = query_param(request_line, "n").and_then(|n| n.parse().ok());
    let rest: Vec<String> = tags
        .into_iter()
        .filter(|t| last.as_ref().is_none_or(|last| t > last))
        .collect();
    let n = n.unwrap_or(rest.len());
    let page = &rest[..n.min(rest.len())];
    let next = (rest.len() > page.len())
        .then(|| format!("{path}?n={n}&last={}", page.last().expect("a page")));
    let body = json!({"name": list["name"], "tags": page})
        .to_string()
        .into_bytes();
    (body, next)
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free a moment ago (the registry cannot bind port 0 and report
/// it; a race with another process is retried by [`Registry::start`]).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits up to 10 s for `/v2/` to answer (200, or 401 behind auth).
fn wait_ready(agent: &ureq::Agent, child: &mut Child, host: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(response) = agent.get(&format!("http://{host}/v2/")).call()
            && matches!(response.status().as_u16(), 200 | 401)
        {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The registry's `config.yml`.
fn server_config(dir: &Path, host: &str, auth: &str) -> String {
    format!(
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
http:\n  addr: {host}\n{auth}",
        dir.join("data").display()
    )
}

/// The `auth:` section for `auth`, writing what it needs into `dir`.
fn auth_config(auth: &Auth, dir: &Path, token_requests: &Arc<Mutex<Vec<String>>>) -> String {
    match auth {
        Auth::None => String::new(),
        Auth::Htpasswd { user, password } => {
            let path = dir.join("htpasswd");
            let output = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()
                .expect("htpasswd (apache2-utils) runs");
            assert!(output.status.success(), "htpasswd failed");
            std::fs::write(&path, &output.stdout).expect("htpasswd file");
            format!(
                "auth:\n  htpasswd:\n    realm: driftless-test\n    path: {}\n",
                path.display()
            )
        }
        Auth::Token { user } => {
            let cert = make_signing_key(dir);
            let realm = serve_tokens(dir.to_owned(), user.clone(), token_requests.clone());
            format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                cert.display()
            )
        }
    }
}

/// An RSA key and its self-signed certificate (the registry's trusted
/// root) in `dir`, made with the `openssl` command.
fn make_signing_key(dir: &Path) -> PathBuf {
    let cert = dir.join("token.crt");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=driftless-test-token",
        ])
        .arg("-keyout")
        .arg(dir.join("token.key"))
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl req failed");
    cert
}

/// A JWT granting `scope` (`repository:app:pull,push`, several separated
/// by spaces), RS256-signed by `openssl` with the key in `dir`, the
/// certificate in its `x5c` header.
pub fn mint_token(dir: &Path, scope: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let cert_pem = std::fs::read_to_string(dir.join("token.crt")).expect("cert");
    let cert_der: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let header = json!({"typ": "JWT", "alg": "RS256", "x5c": [cert_der]});
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let access: Vec<Value> = scope
        .split_whitespace()
        .filter_map(|s| {
            let mut parts = s.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
        })
        .collect();
    let claims = json!({
        "iss": TOKEN_ISSUER, "sub": "test", "aud": TOKEN_SERVICE,
        "exp": now + 600, "nbf": now - 60, "iat": now - 60, "jti": format!("{now}-{scope}"),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(dir.join("token.key"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl dgst runs");
    openssl
        .stdin
        .take()
        .expect("stdin")
        .write_all(signing_input.as_bytes())
        .expect("write");
    let signature = openssl.wait_with_output().expect("signature").stdout;
    format!("{signing_input}.{}", b64.encode(signature))
}

/// Serves the token realm on a loopback port from a thread: `GET
/// /token?scope=…&service=…` answers `{"token": …}`, after checking basic
/// credentials when `user` is set. Returns the realm URL.
fn serve_tokens(
    dir: PathBuf,
    user: Option<(String, String)>,
    requests: Arc<Mutex<Vec<String>>>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("token port");
    let realm = format!("http://{}/token", listener.local_addr().expect("addr"));
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer_token_request(stream, &dir, user.as_ref(), &requests);
        }
    });
    realm
}

/// Answers one request of the token realm.
fn answer_token_request(
    mut stream: TcpStream,
    dir: &Path,
    user: Option<&(String, String)>,
    requests: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut authorization = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = value.trim().to_owned();
        }
    }
    requests.lock().expect("lock").push(authorization.clone());
    let scope = query_param(&request_line, "scope").unwrap_or_default();
    let allowed = user.is_none_or(|(u, p)| authorization == basic(u, p));
    let (status, body) = if allowed {
        let token = mint_token(dir, &scope);
        (
            "200 OK",
            json!({"token": token, "expires_in": 600}).to_string(),
        )
    } else {
        (
            "401 Unauthorized",
            r#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_owned(),
        )
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A decoded query parameter of `GET /path?a=b HTTP/1.1`.
fn query_param(request_line: &str, name: &str) -> Option<String> {
    let target = request_line.split_whitespace().nth(1)?;
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| percent_decode(value))
    })
}

/// Decodes `%XX` and `+`.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// `sha256:<hex>`.
pub fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// A response body for assertion messages.
fn body_text(mut response: ureq::http::Response<ureq::Body>) -> String {
    response.body_mut().read_to_string().unwrap_or_default()
}
