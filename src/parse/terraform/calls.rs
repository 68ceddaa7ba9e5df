//! Root and child modules. Terraform only reads `required_version`,
//! backends and provider configurations of the root module it runs in; a
//! directory that another module of the scan calls by a local path
//! (`source = "../modules/app"`) is a child, and rules that only make sense
//! for roots (VER002's `required_version`) must not fire on it.

use foldhash::HashSet;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::document::Document;

/// Marks every module document that another module of the same scan calls
/// through a local `source` as a child (`"root": false`). `modules` are the
/// scanned module directories with their documents; a module is a child
/// whatever order the modules come in. Returns the called directories
/// (normalised), for modules whose documents were evaluated and dropped
/// before the roles were known.
pub fn mark_children(modules: &mut [(&Path, &mut Vec<Document>)]) -> HashSet<PathBuf> {
    let called: HashSet<PathBuf> = modules
        .iter()
        .flat_map(|(dir, docs)| {
            // instances of children resolve their sources from the child
            let own = docs.iter().filter(|d| d.input.get("instance").is_none());
            own.flat_map(move |d| local_calls(dir, d))
        })
        .collect();
    for (dir, docs) in modules.iter_mut() {
        if !called.contains(&normalise(dir)) {
            continue;
        }
        for doc in docs
            .iter_mut()
            .filter(|d| d.input.get("instance").is_none())
        {
            if let Some(root) = doc.input.get_mut("root") {
                *root = Value::Bool(false);
            }
        }
    }
    called
}

/// The directories a module calls through local sources (`./x`, `../x`),
/// resolved against its own directory `dir`, without `.` and `..`.
fn local_calls(dir: &Path, doc: &Document) -> Vec<PathBuf> {
    let Some(calls) = doc.input.get("modules").and_then(Value::as_array) else {
        return Vec::new();
    };
    calls
        .iter()
        .filter_map(|m| m.pointer("/config/source").and_then(Value::as_str))
        .filter(|s| is_local_source(s))
        .map(|s| normalise(&dir.join(s)))
        .collect()
}

/// Whether `source` is a local path, as Terraform tells them apart: it
/// starts with `./` or `../` (Windows separators too).
pub(crate) fn is_local_source(source: &str) -> bool {
    ["./", "../", ".\\", "..\\"]
        .iter()
        .any(|p| source.starts_with(p))
}

/// `path` with `.` removed and `..` applied lexically, as Terraform
/// resolves local module paths (no symlinks followed).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_sources_are_the_dot_paths_only() {
        assert!(is_local_source("./modules/app"));
        assert!(is_local_source("../modules/app"));
        assert!(!is_local_source("terraform-aws-modules/vpc/aws"));
        assert!(!is_local_source("git::https://example.com/m.git"));
        assert!(!is_local_source(".modules/app"));
    }

    #[test]
    fn paths_are_resolved_lexically() {
        assert_eq!(
            normalise(Path::new("infra/envs/prod/../../modules/./app")),
            PathBuf::from("infra/modules/app")
        );
        assert_eq!(
            normalise(Path::new("./envs/../modules/app")),
            PathBuf::from("modules/app")
        );
        assert_eq!(normalise(Path::new("../x")), PathBuf::from("../x"));
    }
}
