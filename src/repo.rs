//! Where the repository is, and how a file's path is written relative to
//! it: the one spelling of a path that baselines, fingerprints and every
//! report format share, so a baseline written in one place matches a scan
//! run in another.

use std::path::{Path, PathBuf};

/// A path as reports, baselines and fingerprints name it: relative to the
/// repository root when it is inside it, with forward slashes and no `./`.
pub fn repo_relative(path: &Path, root: Option<&Path>) -> String {
    let rel = root
        .and_then(|root| {
            let abs = std::path::absolute(path).ok()?;
            abs.strip_prefix(root).ok().map(Path::to_path_buf)
        })
        .unwrap_or_else(|| path.to_path_buf());
    let text = rel.to_string_lossy().replace('\\', "/");
    text.trim_start_matches("./").to_string()
}

/// The enclosing git repository of the current directory (or of `start`),
/// so SARIF URIs are repository-relative even when scanning a subfolder.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    if let Ok(ws) = std::env::var("GITHUB_WORKSPACE")
        && !ws.is_empty()
    {
        return std::path::absolute(ws).ok();
    }
    let start = std::path::absolute(start).ok()?;
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}
