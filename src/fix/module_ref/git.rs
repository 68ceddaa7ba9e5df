//! Git sources as Terraform and Kustomize write them, and the commit a ref
//! points at (`git ls-remote`, the git installed on the machine, so its
//! credentials and SSH configuration apply as they do for `terraform init`).

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `git ls-remote` may take before the fix gives up.
const LS_REMOTE_TIMEOUT: Duration = Duration::from_secs(60);

/// A git source split into what is kept and what is rewritten.
pub(super) struct Source {
    /// Everything before `?`, as written (`git::https://…//subdir`).
    base: String,
    /// The query's `key=value` pairs, as written.
    query: Vec<String>,
    /// The URL `git ls-remote` takes.
    pub repository: String,
    /// The query key that holds the ref (`ref`, or Kustomize's `version`).
    ref_key: String,
    current_ref: Option<String>,
}

impl Source {
    /// Reads a Terraform module source (`kustomize` false) or a Kustomize
    /// remote resource. An error for sources that are not git (HTTP
    /// archives, S3, GCS, Mercurial, the registry).
    pub(super) fn parse(source: &str, kustomize: bool) -> Result<Source, String> {
        let (base, query) = source.split_once('?').unwrap_or((source, ""));
        let forced = base.strip_prefix("git::");
        let url = forced.unwrap_or(base);
        let repository = if kustomize {
            kustomize_repository(url)
        } else if forced.is_some() || is_git_shorthand(url) {
            Some(expand_shorthand(split_subdir(url)))
        } else {
            None
        }
        .ok_or_else(|| format!("`{source}` is not a git source: pin it by hand"))?;
        if repository.starts_with('-') || repository.starts_with("ext::") {
            return Err(format!("`{repository}` is not a repository URL"));
        }
        let query: Vec<String> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let keys: &[&str] = if kustomize {
            &["ref", "version"]
        } else {
            &["ref"]
        };
        let found = query.iter().find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            keys.contains(&key)
                .then(|| (key.to_string(), value.to_string()))
        });
        let (ref_key, current_ref) = match found {
            Some((key, value)) if !value.is_empty() => (key, Some(value)),
            _ => ("ref".to_string(), None),
        };
        Ok(Source {
            base: base.to_string(),
            query,
            repository,
            ref_key,
            current_ref,
        })
    }

    /// The ref to resolve: the one written, or `HEAD` (the default branch,
    /// which is what a source without a ref follows).
    pub(super) fn git_ref(&self) -> &str {
        self.current_ref.as_deref().unwrap_or("HEAD")
    }

    /// The source as written with its ref set to `commit`.
    pub(super) fn with_ref(&self, commit: &str) -> String {
        let pinned = format!("{}={commit}", self.ref_key);
        let mut query: Vec<String> = Vec::new();
        let mut replaced = false;
        for pair in &self.query {
            let key = pair.split('=').next().unwrap_or("");
            if key == self.ref_key {
                if !replaced {
                    query.push(pinned.clone());
                }
                replaced = true;
            } else {
                query.push(pair.clone());
            }
        }
        if !replaced {
            query.push(pinned);
        }
        format!("{}?{}", self.base, query.join("&"))
    }
}

/// Terraform's git shorthands (`github.com/o/r`, `git@host:o/r.git`) and
/// URL schemes that are always git.
fn is_git_shorthand(url: &str) -> bool {
    [
        "github.com/",
        "bitbucket.org/",
        "gitlab.com/",
        "git@",
        "ssh://",
        "git://",
    ]
    .iter()
    .any(|p| url.starts_with(p))
}

/// `github.com/o/r` → `https://github.com/o/r`, as Terraform's detectors
/// expand it; other URLs unchanged.
fn expand_shorthand(url: &str) -> String {
    if ["github.com/", "bitbucket.org/", "gitlab.com/"]
        .iter()
        .any(|p| url.starts_with(p))
    {
        format!("https://{url}")
    } else {
        url.to_string()
    }
}

/// The URL before a `//subdir` (the `//` of `scheme://` does not count).
fn split_subdir(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find("//") {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// The repository of a Kustomize remote resource: before `//` when the
/// path is marked that way, else through `.git`, else the host's first two
/// path segments (`github.com/o/r/path` → `https://github.com/o/r`).
fn kustomize_repository(url: &str) -> Option<String> {
    let repo = split_subdir(url);
    if repo.len() < url.len() {
        return Some(expand_shorthand(repo));
    }
    if let Some(i) = url.find(".git/") {
        return Some(expand_shorthand(&url[..i + 4]));
    }
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let segments: Vec<&str> = url[after_scheme..].splitn(4, '/').collect();
    if segments.len() < 3 || url.starts_with("file://") {
        return url.ends_with(".git").then(|| url.to_string());
    }
    let repo_len = after_scheme + segments[..3].join("/").len();
    Some(expand_shorthand(&url[..repo_len]))
}

/// The commit `git_ref` points at in `repository`: a branch, else a tag
/// (the commit of an annotated tag), else `HEAD`.
pub(super) fn resolve(repository: &str, git_ref: &str) -> Result<String, String> {
    let listing = ls_remote(repository, git_ref)?;
    let refs: Vec<(&str, &str)> = listing.lines().filter_map(|l| l.split_once('\t')).collect();
    let wanted = [
        git_ref.to_string(),
        format!("refs/heads/{git_ref}"),
        format!("refs/tags/{git_ref}^{{}}"),
        format!("refs/tags/{git_ref}"),
    ];
    let commit = wanted
        .iter()
        .find_map(|w| refs.iter().find(|(_, name)| name == w).map(|(sha, _)| *sha))
        .ok_or_else(|| format!("`{git_ref}` is not a branch or tag of {repository}"))?;
    if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`git ls-remote` answered `{commit}`, not a commit"));
    }
    Ok(commit.to_string())
}

/// `git ls-remote REPOSITORY REF`, never prompting for credentials and
/// killed after [`LS_REMOTE_TIMEOUT`].
fn ls_remote(repository: &str, git_ref: &str) -> Result<String, String> {
    let mut child = Command::new("git")
        .args(["-c", "protocol.ext.allow=never", "ls-remote", "--"])
        .args([repository, git_ref])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `git ls-remote`: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > LS_REMOTE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`git ls-remote {repository}` timed out"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    if !status.success() {
        return Err(format!(
            "`git ls-remote {repository}` failed: {}",
            err.trim()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_keep_their_subdir_and_query() {
        let s = Source::parse("git::https://h/r.git//mod?depth=1&ref=main", false).unwrap();
        assert_eq!(s.repository, "https://h/r.git");
        assert_eq!(s.git_ref(), "main");
        assert_eq!(
            s.with_ref("abc"),
            "git::https://h/r.git//mod?depth=1&ref=abc"
        );
        let s = Source::parse("github.com/o/r//x", false).unwrap();
        assert_eq!(s.repository, "https://github.com/o/r");
        assert_eq!(s.with_ref("abc"), "github.com/o/r//x?ref=abc");
        let s = Source::parse("git@github.com:o/r.git", false).unwrap();
        assert_eq!(s.repository, "git@github.com:o/r.git");
        assert!(Source::parse("https://h/archive.zip", false).is_err());
        assert!(Source::parse("git::-oProxyCommand=x", false).is_err());
    }

    #[test]
    fn kustomize_sources_name_their_repository() {
        let s = Source::parse("github.com/o/r/deploy/base?version=main", true).unwrap();
        assert_eq!(s.repository, "https://github.com/o/r");
        assert_eq!(s.with_ref("abc"), "github.com/o/r/deploy/base?version=abc");
        let s = Source::parse("https://github.com/o/r//base", true).unwrap();
        assert_eq!(s.repository, "https://github.com/o/r");
        let s = Source::parse("git@github.com:o/r.git/base?ref=dev", true).unwrap();
        assert_eq!(s.repository, "git@github.com:o/r.git");
    }
}
