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
    let cwd = normalized_current_dir().map(Path::to_path_buf);
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
    if cfg!(unix) && already_normal(abs.as_os_str().as_encoded_bytes()) {
        return abs;
    }
    resolve_segments(&abs)
}

/// `abs` with `.` segments dropped and `..` segments applied by name.
fn resolve_segments(abs: &Path) -> PathBuf {
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

/// Whether an absolute Unix path is already what [`normalize`] makes of
/// it: no `.` or `..` segment, no doubled or trailing `/`. Most paths a
/// scan reports are, and rebuilding each segment by segment cost a report
/// of the real corpus 45 M instructions on the main thread (BENCHMARKS.md,
/// "Stop 31").
fn already_normal(bytes: &[u8]) -> bool {
    match bytes {
        [b'/'] => true,
        [b'/', rest @ ..] => rest
            .split(|&b| b == b'/')
            .all(|segment| !matches!(segment, b"" | b"." | b"..")),
        _ => false,
    }
}

/// The current directory, normalised once.
fn normalized_current_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| current_dir().map(normalize)).as_deref()
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

/// Sorts `items` stably by the path `key` gives, in `Path`'s order
/// (component by component), then by the rest of the key. Each path is
/// split into components once: `Path`'s comparison splits both paths at
/// every comparison, which made sorting a repository's files a measurable
/// part of a scan's serial time (BENCHMARKS.md, "Stop 31").
pub fn sort_by_path<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> (&Path, K)) {
    let keys: Vec<(Vec<Component>, K)> = items
        .iter()
        .map(|item| {
            let (path, rest) = key(item);
            (path.components().collect(), rest)
        })
        .collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    drop(keys);
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path taken as it is by [`normalize`] is the one resolving its
    /// segments would give, byte for byte.
    #[test]
    fn paths_taken_as_they_are_are_normal() {
        let segments = ["a", "b.c", "", ".", "..", "é", "...", ".x"];
        let mut checked = 0;
        for n in 1..=4u32 {
            for code in 0..segments.len().pow(n) {
                let mut parts = Vec::new();
                let mut c = code;
                for _ in 0..n {
                    parts.push(segments[c % segments.len()]);
                    c /= segments.len();
                }
                for text in [format!("/{}", parts.join("/")), parts.join("/")] {
                    if already_normal(text.as_bytes()) {
                        let resolved = resolve_segments(Path::new(&text));
                        assert_eq!(resolved.as_os_str(), text.as_str(), "{text}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(already_normal(b"/"));
        assert!(!already_normal(b"/a/"));
        assert!(!already_normal(b"//a"));
        assert!(!already_normal(b"a/b"));
        assert!(checked > 100, "{checked}");
    }

    /// The same order as sorting by `Path` itself, ties in their order.
    #[test]
    fn sorts_as_paths_compare() {
        let paths = [
            "a-b", "a/b", "a/b/c", "a//b", "./a", "a", "/a", "a.b/c", "a/b", "b", "a/./b", "",
            "a/b/", "é/x", "a0",
        ];
        let items: Vec<(PathBuf, usize)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (PathBuf::from(p), i))
            .collect();
        let mut ours = items.clone();
        sort_by_path(&mut ours, |(p, _)| (p.as_path(), ()));
        let mut theirs = items.clone();
        theirs.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(ours, theirs);
        let mut by_rest = items.clone();
        sort_by_path(&mut by_rest, |(p, i)| (p.as_path(), std::cmp::Reverse(*i)));
        let mut expected = items;
        expected.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        assert_eq!(by_rest, expected);
    }

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
