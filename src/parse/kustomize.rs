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

use std::path::Path;
use std::sync::Arc;

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
}
