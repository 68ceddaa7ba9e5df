//! Where the repository is, and how a file's path is written relative to
//! it: the one spelling of a path that baselines, fingerprints and every
//! report format share, so a baseline written in one place matches a scan
//! run in another.

use std::path::{Component, Path, PathBuf};

/// A path as reports, baselines and fingerprints name it: made absolute,
/// its `.` and `..` segments resolved, then written relative to the
/// repository root when it is inside it (else relative to the current
/// directory when it is inside that, else absolute), with forward slashes.
/// `app/../k8s/pod.yaml` and `/repo/k8s/pod.yaml` are both `k8s/pod.yaml`.
pub fn repo_relative(path: &Path, root: Option<&Path>) -> String {
    let abs = normalize(path);
    let cwd = current_dir().map(normalize);
    let rel = [root.map(normalize), cwd]
        .into_iter()
        .flatten()
        .find_map(|base| abs.strip_prefix(&base).ok().map(Path::to_path_buf))
        .unwrap_or(abs);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".to_string()
    } else {
        text
    }
}

/// `path` made absolute (against the current directory) with `.` and `..`
/// resolved by their names, without following symbolic links: what
/// `app/../k8s` means to a reader, and the same for every way of naming
/// one file, so paths compare and globs match whatever the current
/// directory was.
pub fn normalize(path: &Path) -> PathBuf {
    // `""` (the parent of a bare file name) is the current directory
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    let abs = match current_dir() {
        // Windows's `C:file` and `\file` are left to the standard library
        Some(cwd) if cfg!(unix) && path.is_relative() => cwd.join(path),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    };
    let mut out = PathBuf::new();
    for component in abs.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                // `/..` is `/`: popping the root is a no-op
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The current directory, read once: nothing in driftless changes it, and
/// each path made absolute would otherwise ask the kernel again (16,000
/// times in a scan of the real corpus). `None` when it cannot be read
/// (deleted under the process): paths then stay as they are written.
fn current_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// The repository a scanned path belongs to: the nearest enclosing
/// directory with a `.git`, else `$GITHUB_WORKSPACE` when the path is
/// inside it. Found from the scanned path, not the current directory, so
/// scanning a checkout from outside still gives repository-relative paths.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    let start = normalize(start);
    if let Some(root) = start.ancestors().find(|dir| dir.join(".git").exists()) {
        return Some(root.to_path_buf());
    }
    std::env::var_os("GITHUB_WORKSPACE")
        .filter(|ws| !ws.is_empty())
        .map(|ws| normalize(Path::new(&ws)))
        .filter(|ws| start.starts_with(ws))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_dot_dot_segments_are_resolved() {
        let root = Path::new("/repo");
        for spelling in [
            "/repo/k8s/pod.yaml",
            "/repo/app/../k8s/pod.yaml",
            "/repo/./k8s/./pod.yaml",
            "/repo/app/sub/../../k8s/pod.yaml",
        ] {
            assert_eq!(
                repo_relative(Path::new(spelling), Some(root)),
                "k8s/pod.yaml",
                "{spelling}"
            );
        }
    }

    #[test]
    fn an_empty_path_is_the_current_directory() {
        let cwd = normalize(&std::env::current_dir().unwrap());
        assert_eq!(normalize(Path::new("")), cwd);
        assert_eq!(
            normalize(Path::new(".driftless.yaml").parent().unwrap()),
            cwd
        );
    }

    #[test]
    fn a_root_spelled_with_dot_dot_still_matches() {
        assert_eq!(
            repo_relative(Path::new("/repo/a.tf"), Some(Path::new("/repo/x/.."))),
            "a.tf"
        );
    }

    #[test]
    fn relative_paths_are_resolved_against_the_current_directory() {
        let cwd = std::env::current_dir().unwrap();
        let via_parent = format!("app/../{}", "Dockerfile");
        assert_eq!(
            repo_relative(Path::new(&via_parent), Some(&cwd)),
            "Dockerfile"
        );
        assert_eq!(repo_relative(Path::new("./Dockerfile"), None), "Dockerfile");
    }

    #[test]
    fn a_path_outside_root_and_current_directory_stays_absolute() {
        assert_eq!(
            repo_relative(
                Path::new("/elsewhere/../other/main.tf"),
                Some(Path::new("/repo"))
            ),
            "/other/main.tf"
        );
    }

    #[test]
    fn the_root_is_found_from_the_scanned_path() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("checkout");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("k8s")).unwrap();
        let found = find_repo_root(&repo.join("k8s/../k8s")).unwrap();
        assert_eq!(found, normalize(&repo));
    }
}
