//! Kustomize overlays: one `kustomization` document per kustomization
//! file, as written (`resources`, `components`, `images`, `patches`,
//! generators), so rules read `input.images[0].newTag`.
//!
//! A file is a kustomization by its name (`kustomization.yaml`,
//! `kustomization.yml`, `Kustomization`, as `kustomize build` looks for
//! them), or by its content where the name says nothing: `kind:
//! Kustomization` or `Component` with an `apiVersion` of
//! `kustomize.config.k8s.io/…`. Such a file is not a Kubernetes object
//! to apply and is not also read as one. A named kustomization that does
//! not parse is a `PARSE001`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::document::{Document, Kind, Parsed, SourceFile};
use crate::parse::{kubernetes, yaml};

/// The names `kustomize build DIR` reads a directory's kustomization from.
pub fn is_kustomization_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(
            n,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
    })
}

/// Whether a parsed value declares itself a kustomization or component.
pub fn is_kustomization(value: &Value) -> bool {
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    field("apiVersion").is_some_and(|v| v.starts_with("kustomize.config.k8s.io/"))
        && matches!(field("kind"), Some("Kustomization" | "Component"))
}

/// Reads `file` as a kustomization when it is one (by name, or by its
/// `apiVersion`/`kind`), emitting its documents and errors; returns
/// `false`, having emitted nothing, when it is not.
pub fn for_each_yaml(file: &Arc<SourceFile>, emit: &mut impl FnMut(Parsed)) -> bool {
    let named = is_kustomization_name(&file.path);
    if !named && !file.text.contains("kustomize.config.k8s.io") {
        return false;
    }
    let documents = yaml::load_stream(file);
    let claimed = named
        || documents
            .iter()
            .any(|d| d.result.as_ref().is_ok_and(|(v, _)| is_kustomization(v)));
    if !claimed {
        return false;
    }
    for doc in documents {
        match doc.result {
            Ok((value, map)) if value.is_object() && (named || is_kustomization(&value)) => {
                emit(Parsed {
                    documents: vec![Document::new(Kind::Kustomization, file.clone(), value, map)],
                    errors: Vec::new(),
                })
            }
            // a Kubernetes object in the same stream is still one
            Ok((value, map)) => emit(kubernetes::documents_from_value(file, value, map)),
            Err(err) => emit(Parsed::error(err)),
        }
    }
    true
}

/// The patch files a kustomization in `dir` names, resolved against `dir`
/// and normalised: `patches[].path`, `patchesJson6902[].path` and the
/// entries of `patchesStrategicMerge` that are paths (an entry holding a
/// newline is an inline patch, as kustomize reads it).
pub fn patch_paths(kustomization: &Value, dir: &Path) -> Vec<PathBuf> {
    let list = |key: &str| {
        kustomization
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    };
    let by_path = list("patches")
        .chain(list("patchesJson6902"))
        .filter_map(|entry| entry.get("path").and_then(Value::as_str));
    let strategic = list("patchesStrategicMerge")
        .filter_map(Value::as_str)
        .filter(|entry| !entry.contains('\n'));
    by_path
        .chain(strategic)
        .map(|relative| crate::parse::terraform::normalise(&dir.join(relative.trim())))
        .collect()
}

/// The patch files named by the kustomizations in the directories of
/// `files` and their parents (kustomize loads patches only from inside a
/// kustomization's root, so a patch's kustomization is always in its
/// directory or above): a full scan and a pre-commit run of one patch file
/// find the same set. Each directory is looked at once, on the worker
/// threads (file-system calls, most of them for names that are not
/// there); a kustomization that cannot be read names no patch (its own
/// scan reports it). Paths are held as [`crate::repo::normalize`] writes
/// them.
pub fn patch_set<'a>(files: impl IntoIterator<Item = &'a Path>, max_size: u64) -> HashSet<PathBuf> {
    let mut dirs = HashSet::new();
    for file in files {
        let absolute = crate::repo::normalize(file);
        let mut dir = absolute.parent();
        while let Some(d) = dir {
            if !dirs.insert(d.to_path_buf()) {
                break;
            }
            dir = d.parent();
        }
    }
    dirs.par_iter()
        .flat_map_iter(|d| patches_named_in(d, max_size))
        .collect()
}

/// The patches the kustomization of directory `dir` names, if it has one.
fn patches_named_in(dir: &Path, max_size: u64) -> Vec<PathBuf> {
    let Some(path) = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
    else {
        return Vec::new();
    };
    let readable = std::fs::metadata(&path).is_ok_and(|m| m.len() <= max_size);
    let Some(text) = readable
        .then(|| std::fs::read_to_string(&path).ok())
        .flatten()
    else {
        return Vec::new();
    };
    let file = Arc::new(SourceFile::new(path, text));
    yaml::load_stream(&file)
        .into_iter()
        .filter_map(|doc| doc.result.ok())
        .flat_map(|(value, _)| patch_paths(&value, dir))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(path: &str, text: &str) -> Option<Vec<Kind>> {
        let file = Arc::new(SourceFile::new(path, text));
        let mut kinds = Vec::new();
        let claimed = for_each_yaml(&file, &mut |p: Parsed| {
            kinds.extend(p.documents.iter().map(|d| d.kind));
        });
        claimed.then_some(kinds)
    }

    #[test]
    fn kustomizations_by_name_and_by_content() {
        let text = "resources:\n  - ../base\nimages:\n  - name: web\n    newTag: latest\n";
        assert_eq!(
            kinds("overlays/prod/kustomization.yaml", text),
            Some(vec![Kind::Kustomization])
        );
        assert_eq!(
            kinds("overlays/prod/Kustomization", text),
            Some(vec![Kind::Kustomization])
        );
        assert_eq!(kinds("overlays/prod/other.yaml", text), None);
        let declared =
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages: []\n";
        assert_eq!(
            kinds("components/x.yaml", declared),
            Some(vec![Kind::Kustomization])
        );
        let manifest = "apiVersion: v1\nkind: ConfigMap\n# kustomize.config.k8s.io is mentioned\n";
        assert_eq!(kinds("cm.yaml", manifest), None);
    }

    #[test]
    fn a_named_kustomization_that_does_not_parse_fails() {
        let file = Arc::new(SourceFile::new("kustomization.yaml", "images: [\n"));
        let mut errors = Vec::new();
        assert!(for_each_yaml(&file, &mut |p: Parsed| errors.extend(p.errors)));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn patch_paths_are_resolved_against_the_kustomization() {
        let kustomization: Value = serde_json::json!({
            "patches": [{"path": "patches/cm.yaml"}, {"patch": "inline", "target": {}}],
            "patchesStrategicMerge": ["./deploy.yaml", "apiVersion: v1\nkind: ConfigMap\n"],
            "patchesJson6902": [{"path": "../shared/ops.yaml", "target": {}}]
        });
        let paths = patch_paths(&kustomization, Path::new("overlays/prod"));
        assert_eq!(
            paths,
            [
                PathBuf::from("overlays/prod/patches/cm.yaml"),
                PathBuf::from("overlays/shared/ops.yaml"),
                PathBuf::from("overlays/prod/deploy.yaml"),
            ]
        );
    }
}
