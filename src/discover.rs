//! Finding the files to scan: walk the given paths in parallel (respecting
//! `.gitignore` and the config's `exclude`), classify each file by name, and
//! group Terraform files into modules (one document per directory).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a file is, judged by its name. YAML and JSON are decided by content
/// later (only Kubernetes objects and Terraform plans are ours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    Dockerfile,
    /// `.tf`, `.tf.json` or `terragrunt.hcl`: part of its directory's module.
    Terraform,
    /// `terraform.tfvars`, `*.auto.tfvars(.json)`: variable values of a module.
    TerraformVars,
    Yaml,
    Json,
}

/// Directories never worth entering: VCS metadata and tool caches.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
];

/// Classifies a file name, or `None` for files driftless does not read.
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    // Terragrunt's `terragrunt.hcl` is read with its directory's module:
    // its `terraform { source = ... }` is the module it deploys.
    if lower.ends_with(".tf") || lower.ends_with(".tf.json") || lower == "terragrunt.hcl" {
        return Some(FileKind::Terraform);
    }
    if lower == "terraform.tfvars"
        || lower == "terraform.tfvars.json"
        || lower.ends_with(".auto.tfvars")
        || lower.ends_with(".auto.tfvars.json")
    {
        return Some(FileKind::TerraformVars);
    }
    if is_dockerfile_name(&lower) {
        return Some(FileKind::Dockerfile);
    }
    // `Kustomization`, without extension, is one of the names `kustomize
    // build` reads.
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || name == "Kustomization" {
        return Some(FileKind::Yaml);
    }
    if lower.ends_with(".json") {
        return Some(FileKind::Json);
    }
    None
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `api.dockerfile`.
fn is_dockerfile_name(lower: &str) -> bool {
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower
                .strip_prefix(base)
                .is_some_and(|rest| rest.starts_with('.'))
            || lower
                .strip_suffix(base)
                .is_some_and(|rest| rest.ends_with('.'))
    }) && !lower.ends_with(".dockerignore")
        && !lower.ends_with(".md")
}

/// A Terraform module: its files and, when the user named single files
/// (pre-commit), which of them to report on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Module {
    pub files: BTreeSet<PathBuf>,
    /// `None`: report findings in every file; `Some`: only in these.
    pub requested: Option<BTreeSet<PathBuf>>,
}

/// Everything a scan will read.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Files that are documents on their own, sorted.
    pub files: Vec<(PathBuf, FileKind)>,
    /// Terraform modules by directory.
    pub modules: BTreeMap<PathBuf, Module>,
    /// Paths that could not be read (permission denied, missing).
    pub errors: Vec<(PathBuf, String)>,
    /// Given paths that exist but yielded no file to scan (a directory
    /// without infrastructure files, a file whose name driftless does not
    /// read): nothing was checked there, which must not look like a pass.
    pub empty: Vec<PathBuf>,
}

/// What to leave out.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The config's `exclude` (relative to the config file's directory).
    pub exclude: Option<crate::config::Excludes>,
    /// Also apply `exclude` to files named explicitly (pre-commit passes
    /// every staged file).
    pub force_exclude: bool,
}

/// Walks `paths` and classifies what it finds.
pub fn discover(paths: &[PathBuf], options: &Options) -> Discovered {
    let found = Mutex::new(Discovered::default());
    for root in paths {
        let root = clean(root);
        match std::fs::metadata(&root) {
            Err(e) => found
                .lock()
                .expect("no panics while held")
                .errors
                .push((root.clone(), e.to_string())),
            Ok(meta) => {
                let yielded = if meta.is_file() {
                    add_explicit_file(&root, options, &found)
                } else {
                    walk(&root, options, &found) + add_tracked(&root, options, &found) > 0
                };
                if !yielded {
                    found.lock().expect("no panics while held").empty.push(root);
                }
            }
        }
    }
    let mut found = found.into_inner().expect("no panics while held");
    crate::repo::sort_by_path(&mut found.files, |(path, kind)| (path.as_path(), *kind));
    found.files.dedup();
    found.errors.sort();
    found.empty.sort();
    found
}

/// Removes a leading `./` so displayed paths look like `infra/main.tf`.
fn clean(path: &Path) -> PathBuf {
    let stripped: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if stripped.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        stripped
    }
}

/// Whether the config's `exclude` leaves `path` out (the globs are
/// relative to the config file's directory, see [`crate::config::Excludes`]).
fn excluded(path: &Path, options: &Options) -> bool {
    options.exclude.as_ref().is_some_and(|e| e.matches(path))
}

/// Adds a file named on the command line. Returns whether it was taken
/// care of: added, or left out on purpose (`--force-exclude`, a Helm
/// template); `false` for a name driftless does not read.
fn add_explicit_file(path: &Path, options: &Options, found: &Mutex<Discovered>) -> bool {
    if options.force_exclude && excluded(path, options) {
        return true;
    }
    let Some(kind) = classify(path) else {
        return false;
    };
    let mut found = found.lock().expect("no panics while held");
    match kind {
        FileKind::Terraform | FileKind::TerraformVars => {
            let dir = parent_dir(path);
            let siblings = terraform_siblings(&dir);
            let module = found.modules.entry(dir).or_default();
            let already_whole = module.requested.is_none() && !module.files.is_empty();
            module.files.extend(siblings);
            module.files.insert(path.to_path_buf());
            // a named tfvars file is requested too: the findings whose
            // value it sets are shown (see `scan::named_or_sourced`)
            if !already_whole {
                module
                    .requested
                    .get_or_insert_with(BTreeSet::new)
                    .insert(path.to_path_buf());
            }
        }
        // Named explicitly: scanned (or reported), Helm template or not.
        _ => found.files.push((path.to_path_buf(), kind)),
    }
    true
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The other Terraform files of a module, read as context for a single file.
fn terraform_siblings(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        // like the walk: symlinks are not followed
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                classify(p),
                Some(FileKind::Terraform | FileKind::TerraformVars)
            )
        })
        .map(|p| clean(&p))
        .collect()
}

/// Helm chart templates (`templates/` beside a `Chart.yaml`) are Go
/// templates, not YAML: they are skipped rather than reported as broken.
/// Only beside a `Chart.yaml` that is a chart (a mapping with a string
/// `name` and `version`, which Helm requires): an empty or unrelated
/// `Chart.yaml` must not hide a directory of manifests.
fn is_helm_template(path: &Path) -> bool {
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir.parent().is_some_and(|chart| {
                is_chart(&chart.join("Chart.yaml")) || is_chart(&chart.join("Chart.yml"))
            })
    })
}

/// Whether a file is a Helm chart's metadata (read only if it is a small
/// regular file: a chart's `Chart.yaml` is a few hundred bytes).
fn is_chart(path: &Path) -> bool {
    read_chart(path).is_some()
}

/// A Helm chart's metadata (`Chart.yaml`: a mapping with a non-empty string
/// `name` and `version`, which Helm requires), read only if it is a small
/// regular file; `None` for anything else. Helm values are read with the
/// `appVersion` of the chart beside them.
pub fn read_chart(path: &Path) -> Option<serde_json::Value> {
    const MAX_CHART_FILE: u64 = 1 << 20;
    let small_file =
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_CHART_FILE);
    let text = small_file
        .then(|| std::fs::read_to_string(path).ok())
        .flatten()?;
    let chart = crate::parse::yaml::load_value(&text).ok()?;
    let field = |key: &str| chart.get(key).and_then(serde_json::Value::as_str);
    let is_chart = field("name").is_some_and(|n| !n.is_empty())
        && field("version").is_some_and(|v| !v.is_empty());
    is_chart.then_some(chart)
}

/// Walks a directory; returns how many files it added.
fn walk(root: &Path, options: &Options, found: &Mutex<Discovered>) -> usize {
    let added = std::sync::atomic::AtomicUsize::new(0);
    let root_buf = root.to_path_buf();
    let filter_options = options.clone();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir
                && entry.depth() > 0
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n))
            {
                return false;
            }
            !excluded(entry.path(), &filter_options)
        })
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            match entry {
                Err(err) => {
                    let path = error_path(&err).unwrap_or_else(|| root_buf.clone());
                    found
                        .lock()
                        .expect("no panics while held")
                        .errors
                        .push((clean(&path), io_message(&err)));
                }
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && add_walked_file(&clean(entry.path()), found)
                    {
                        added.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    added.into_inner()
}

/// Adds the files git tracks under `root` that the walk left out because
/// a `.gitignore`/`.ignore` lists them: ignore files exist to skip build
/// output, not to hide reviewed code (only the config's `exclude`, which
/// reviewers see, leaves tracked files out). One `git ls-files` per walked
/// directory, and only inside a repository. Returns how many it added.
fn add_tracked(root: &Path, options: &Options, found: &Mutex<Discovered>) -> usize {
    let Some(repo) = repository_root(root) else {
        return 0;
    };
    let tracked = match tracked_files(root) {
        Ok(tracked) => tracked,
        Err(message) => {
            let message = format!(
                "cannot list the files git tracks in {} ({message}): files a .gitignore lists would go unchecked",
                repo.display()
            );
            let mut found = found.lock().expect("no panics while held");
            found.errors.push((clean(root), message));
            return 0;
        }
    };
    let known = found_paths(&found.lock().expect("no panics while held"));
    let mut added = 0;
    for rel in tracked {
        let path = clean(&root.join(&rel));
        if known.contains(&path) || !walk_would_take(root, &rel, options) {
            continue;
        }
        // like the walk: regular files only, symlinks are not followed
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
            && add_walked_file(&path, found)
        {
            added += 1;
        }
    }
    added
}

/// The repository at or above `dir`: a `.git` directory with a `HEAD`
/// (what git itself looks for), or a `.git` file (worktrees, submodules).
fn repository_root(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|a| {
            let git = a.join(".git");
            git.is_file() || git.join("HEAD").is_file()
        })
        .map(Path::to_path_buf)
}

/// Paths git tracks under `dir`, relative to it (`git ls-files -z`). The
/// repository's fsmonitor hook is switched off: listing files must not run
/// a program a checked-out repository names.
fn tracked_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let out = std::process::Command::new("git")
        .args(["-c", "core.fsmonitor=false", "ls-files", "-z", "--cached"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("git: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(stderr.lines().next().unwrap_or("git failed").to_string());
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(path_from_bytes)
        .collect())
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Every file discovery has taken so far.
fn found_paths(found: &Discovered) -> std::collections::HashSet<PathBuf> {
    found
        .files
        .iter()
        .map(|(p, _)| p.clone())
        .chain(found.modules.values().flat_map(|m| m.files.iter().cloned()))
        .collect()
}

/// Whether the walk's own rules (not the ignore files) take `rel` under
/// `root`: no skipped directory on the way, nothing the config excludes.
fn walk_would_take(root: &Path, rel: &Path, options: &Options) -> bool {
    let mut prefix = root.to_path_buf();
    for component in rel.components() {
        prefix.push(component);
        let name = component.as_os_str().to_str().unwrap_or("");
        if SKIPPED_DIRS.contains(&name) || excluded(&prefix, options) {
            return false;
        }
    }
    true
}

/// Adds a file met in a walk; returns whether it is one to scan.
fn add_walked_file(path: &Path, found: &Mutex<Discovered>) -> bool {
    let Some(kind) = classify(path) else {
        return false;
    };
    if matches!(kind, FileKind::Yaml | FileKind::Json) && is_helm_template(path) {
        return false;
    }
    let mut found = found.lock().expect("no panics while held");
    match kind {
        FileKind::Terraform | FileKind::TerraformVars => {
            let module = found.modules.entry(parent_dir(path)).or_default();
            module.files.insert(path.to_path_buf());
            module.requested = None;
        }
        _ => found.files.push((path.to_path_buf(), kind)),
    }
    true
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn io_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name() {
        let cases = [
            ("Dockerfile", Some(FileKind::Dockerfile)),
            ("Containerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.prod", Some(FileKind::Dockerfile)),
            ("api.dockerfile", Some(FileKind::Dockerfile)),
            ("Dockerfile.dockerignore", None),
            ("web.Containerfile", Some(FileKind::Dockerfile)),
            ("Dockerfiles", None),
            ("mydockerfile", None),
            ("Dockerfile.md", None),
            ("main.tf", Some(FileKind::Terraform)),
            ("main.tf.json", Some(FileKind::Terraform)),
            ("terragrunt.hcl", Some(FileKind::Terraform)),
            ("root.hcl", None),
            ("prod.auto.tfvars", Some(FileKind::TerraformVars)),
            ("terraform.tfvars", Some(FileKind::TerraformVars)),
            ("deploy.yaml", Some(FileKind::Yaml)),
            ("deploy.yml", Some(FileKind::Yaml)),
            ("Kustomization", Some(FileKind::Yaml)),
            ("kustomization", None),
            ("plan.json", Some(FileKind::Json)),
            ("README.md", None),
            ("other.tfvars", None),
        ];
        for (name, want) in cases {
            assert_eq!(classify(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn walks_groups_modules_and_skips_helm_templates() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("infra")).unwrap();
        std::fs::create_dir_all(root.join("chart/templates")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(root.join("infra/main.tf"), "").unwrap();
        std::fs::write(root.join("infra/vars.tf"), "").unwrap();
        std::fs::write(root.join("Dockerfile"), "FROM x").unwrap();
        std::fs::write(root.join("chart/Chart.yaml"), "name: x\nversion: 1.0.0\n").unwrap();
        std::fs::write(root.join("chart/templates/dep.yaml"), "{{ x }}").unwrap();
        std::fs::write(root.join(".git/config.yaml"), "").unwrap();
        std::fs::write(root.join(".gitignore"), "ignored.yaml\n").unwrap();
        std::fs::write(root.join("ignored.yaml"), "").unwrap();
        let found = discover(&[root.to_path_buf()], &Options::default());
        let names: Vec<_> = found
            .files
            .iter()
            .map(|(p, _)| p.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            names,
            vec![
                PathBuf::from("Dockerfile"),
                PathBuf::from("chart/Chart.yaml")
            ]
        );
        let module = &found.modules[&root.join("infra")];
        assert_eq!(module.files.len(), 2);
        assert_eq!(module.requested, None);
    }

    #[test]
    fn a_single_terraform_file_brings_its_siblings_as_context() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("main.tf"), "").unwrap();
        std::fs::write(root.join("vars.tf"), "").unwrap();
        let file = root.join("main.tf");
        let found = discover(std::slice::from_ref(&file), &Options::default());
        let module = &found.modules[root];
        assert_eq!(module.files.len(), 2);
        assert_eq!(module.requested, Some(BTreeSet::from([file])));
    }

    #[test]
    fn a_repository_git_cannot_list_is_an_error_not_a_silent_walk() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "garbage").unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM x").unwrap();
        let found = discover(&[dir.path().to_path_buf()], &Options::default());
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        assert!(
            found.errors[0]
                .1
                .starts_with("cannot list the files git tracks"),
            "{:?}",
            found.errors
        );
    }

    #[test]
    #[cfg(unix)]
    fn survives_symlink_loops() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        std::fs::write(dir.path().join("Dockerfile"), "FROM x").unwrap();
        let found = discover(&[dir.path().to_path_buf()], &Options::default());
        assert_eq!(found.files.len(), 1);
    }
}
