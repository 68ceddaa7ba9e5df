//! Credentials the way the Docker CLI finds them, and the registry's
//! `WWW-Authenticate` challenge.
//!
//! Order for a registry host (Docker's): `credHelpers.<host>` in
//! `config.json`, else `credsStore`, else `auths.<host>` (`auth` base64 of
//! `user:password`, or `username`/`password`). No credentials is
//! anonymous access, which public registries grant through a bearer token.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;

use super::reference::{DOCKER_HUB, canonical_registry};

/// The key Docker uses for Docker Hub in `config.json` and helpers.
const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";
/// The largest `config.json` or helper answer read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A user name and a password (or token) for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

impl Credentials {
    /// The `Authorization: Basic …` value.
    pub fn basic_header(&self) -> String {
        let pair = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// Where credentials come from: the Docker config directory and the
/// `PATH` helpers are looked up in (both default to the environment's).
#[derive(Clone, Debug, Default)]
pub struct CredentialSource {
    /// The directory holding `config.json`; default `$DOCKER_CONFIG`, else
    /// `~/.docker`.
    pub config_dir: Option<PathBuf>,
    /// The `PATH` to find `docker-credential-<name>` in; default the
    /// process's own.
    pub helper_path: Option<OsString>,
}

impl CredentialSource {
    /// The credentials for `registry` (as [`super::reference::Target`]
    /// names it), `Ok(None)` for anonymous access, `Err` when the
    /// configuration is unreadable or its helper fails.
    /// A credential helper gets `timeout` to answer.
    pub fn lookup(&self, registry: &str, timeout: Duration) -> Result<Option<Credentials>, String> {
        let Some(config) = self.read_config()? else {
            return Ok(None);
        };
        let server = server_name(registry);
        if let Some(helper) = helper_for(&config, registry) {
            return self.run_helper(&helper, &server, timeout);
        }
        if let Some(store) = config.get("credsStore").and_then(Value::as_str)
            && !store.is_empty()
        {
            return self.run_helper(store, &server, timeout);
        }
        Ok(auths_entry(&config, registry))
    }

    /// `config.json` parsed, `None` when there is none.
    fn read_config(&self) -> Result<Option<Value>, String> {
        let Some(dir) = self.config_dir.clone().or_else(default_config_dir) else {
            return Ok(None);
        };
        let path = dir.join("config.json");
        let text = match read_bounded(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        serde_json::from_slice(&text)
            .map(Some)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))
    }

    /// Runs `docker-credential-<helper> get` with `server` on stdin,
    /// waiting at most `timeout` for its answer.
    fn run_helper(
        &self,
        helper: &str,
        server: &str,
        timeout: Duration,
    ) -> Result<Option<Credentials>, String> {
        let program = format!("docker-credential-{helper}");
        let mut command = Command::new(&program);
        if let Some(path) = &self.helper_path {
            command.env("PATH", path);
        }
        let mut child = command
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run credential helper `{program}`: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A helper that exits without reading gives a broken pipe: its
            // exit status below is what counts. Dropping stdin closes it.
            let _ = stdin.write_all(server.as_bytes());
        }
        let (status, stdout, stderr) = finish_within(child, timeout)
            .map_err(|e| format!("credential helper `{program}` {e}"))?;
        let stdout = String::from_utf8_lossy(&stdout);
        if !status.success() {
            if stdout.contains("credentials not found") {
                return Ok(None);
            }
            let stderr = String::from_utf8_lossy(&stderr);
            let said: String = format!("{stdout} {stderr}")
                .trim()
                .chars()
                .take(200)
                .collect();
            return Err(format!(
                "credential helper `{program}` failed ({status}): {said}"
            ));
        }
        helper_answer(stdout.as_bytes())
            .map(Some)
            .ok_or_else(|| format!("credential helper `{program}` gave no Username/Secret"))
    }
}

/// Waits for `child` at most `timeout` (then kills it), collecting at most
/// [`MAX_CONFIG_BYTES`] of its stdout and stderr: a helper that hangs
/// (waiting for a keychain prompt nobody sees) must not hang the run.
fn finish_within(
    mut child: Child,
    timeout: Duration,
) -> Result<(ExitStatus, Vec<u8>, Vec<u8>), String> {
    let stdout = child.stdout.take().map(read_in_background);
    let stderr = child.stderr.take().map(read_in_background);
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(5)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("did not answer within {} ms", timeout.as_millis()));
            }
            Err(e) => return Err(format!("failed: {e}")),
        }
    };
    // A grandchild may keep a pipe open after the helper exits: wait briefly.
    let collect = |pipe: Option<Receiver<Vec<u8>>>| {
        pipe.and_then(|rx| rx.recv_timeout(Duration::from_secs(1)).ok())
            .unwrap_or_default()
    };
    Ok((status, collect(stdout), collect(stderr)))
}

/// Reads a pipe to its end (bounded) on a thread of its own.
fn read_in_background(pipe: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.take(MAX_CONFIG_BYTES).read_to_end(&mut bytes);
        let _ = sender.send(bytes);
    });
    receiver
}

/// `$DOCKER_CONFIG`, else `$HOME/.docker`.
fn default_config_dir() -> Option<PathBuf> {
    std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".docker")))
}

/// Reads at most [`MAX_CONFIG_BYTES`] of a file.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut text = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CONFIG_BYTES)
        .read_to_end(&mut text)?;
    Ok(text)
}

/// The server name Docker gives helpers: Docker Hub's legacy URL, else the
/// host.
fn server_name(registry: &str) -> String {
    if registry == DOCKER_HUB {
        DOCKER_HUB_SERVER.to_owned()
    } else {
        registry.to_owned()
    }
}

/// The entries of a `config.json` object whose key names `registry` (keys
/// may be hosts or URLs: `https://index.docker.io/v1/`).
fn entries_for<'a>(
    object: Option<&'a Value>,
    registry: &'a str,
) -> impl Iterator<Item = &'a Value> {
    object
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(move |(key, _)| canonical_registry(key) == registry)
        .map(|(_, value)| value)
}

/// `credHelpers.<host>`, if configured.
fn helper_for(config: &Value, registry: &str) -> Option<String> {
    entries_for(config.get("credHelpers"), registry)
        .find_map(Value::as_str)
        .map(str::to_owned)
}

/// `auths.<host>`: `auth` (base64 `user:password`) or `username`/`password`.
fn auths_entry(config: &Value, registry: &str) -> Option<Credentials> {
    entries_for(config.get("auths"), registry).find_map(|entry| {
        if let Some(auth) = entry.get("auth").and_then(Value::as_str)
            && let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(auth.trim())
            && let Some((user, password)) = String::from_utf8_lossy(&decoded).split_once(':')
        {
            return Some(Credentials {
                username: user.to_owned(),
                password: password.to_owned(),
            });
        }
        let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(Credentials {
            username: field("username")?,
            password: field("password")?,
        })
    })
}

/// A helper's JSON answer (`{"ServerURL", "Username", "Secret"}`).
fn helper_answer(stdout: &[u8]) -> Option<Credentials> {
    let answer: Value = serde_json::from_slice(stdout).ok()?;
    Some(Credentials {
        username: answer.get("Username")?.as_str()?.to_owned(),
        password: answer.get("Secret")?.as_str()?.to_owned(),
    })
}

/// What a `401` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm=…`: send the credentials themselves.
    Basic,
    /// `Bearer realm=…,service=…,scope=…`: get a token from `realm`.
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` value; `None` for a scheme not supported.
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let params = challenge_params(params);
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    };
    Some(Challenge::Bearer {
        realm: get("realm")?,
        service: get("service"),
        scope: get("scope"),
    })
}

/// `key="value",key=value` pairs; quoted values may hold commas
/// (`scope="repository:a:pull,push"`).
fn challenge_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_owned();
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            },
            None => after.split_at(after.find(',').unwrap_or(after.len())),
        };
        params.push((key, value.to_owned()));
        rest = after.trim_start().trim_start_matches(',');
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_keep_quoted_commas() {
        let header = r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#;
        assert_eq!(
            parse_challenge(header),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into()),
                scope: Some("repository:library/nginx:pull,push".into()),
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="x""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Negotiate abc"), None);
        assert_eq!(parse_challenge("Bearer service=x"), None);
    }

    #[test]
    fn config_auths_match_any_spelling_of_the_host() {
        let config: Value = serde_json::json!({
            "auths": {
                "https://index.docker.io/v1/": {"auth": "dTpw"},
                "ghcr.io": {"username": "me", "password": "tok"},
            }
        });
        let hub = auths_entry(&config, "docker.io").expect("hub");
        assert_eq!((hub.username.as_str(), hub.password.as_str()), ("u", "p"));
        assert_eq!(auths_entry(&config, "ghcr.io").unwrap().username, "me");
        assert_eq!(auths_entry(&config, "quay.io"), None);
        assert_eq!(hub.basic_header(), "Basic dTpw");
    }
}
