//! Docker Compose files: one `compose` document per file, the file as
//! written (its `services`, `networks`, `volumes`, `x-*` extensions), so
//! rules read `input.services.web.image` and `input.services.web.ports`.
//!
//! A file is a Compose file by its name (`compose.yaml`, `compose.yml`,
//! `docker-compose.yaml`, `docker-compose.yml` and their `.override`/
//! environment variants such as `docker-compose.prod.yml`), or by its
//! content where the name says nothing: a top-level `services` mapping
//! whose entries are mappings, at least one of them with an `image` or a
//! `build` (what `docker compose` needs to run a service). A named Compose
//! file that does not parse is a `PARSE001`; other YAML that merely mentions
//! `services` is left to the other readers.
//!
//! Variables (`${TAG:-1.0}`) are not substituted: an image written with one
//! is not a literal reference (only the strict digest rule reports it).

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::document::{Document, Kind, Parsed, SourceFile};
use crate::parse::{kubernetes, yaml};

/// Whether a file name is one `docker compose` reads by default or one of
/// its conventional variants (`docker-compose.prod.yml`,
/// `compose.override.yaml`).
pub fn is_compose_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "compose"
        || stem.starts_with("compose.")
        || stem == "docker-compose"
        || stem.starts_with("docker-compose.")
        || stem.starts_with("docker-compose-")
}

/// Whether a parsed YAML value has the shape of a Compose file: a
/// `services` mapping of mappings, one of them at least with an `image` or
/// a `build`.
pub fn is_compose(value: &Value) -> bool {
    let Some(services) = value.get("services").and_then(Value::as_object) else {
        return false;
    };
    !services.is_empty()
        && services.values().all(|s| s.is_object() || s.is_null())
        && services
            .values()
            .any(|s| s.get("image").is_some() || s.get("build").is_some())
}

/// Whether the text may hold a top-level `services` key: a line that starts
/// with it (plain or quoted), or a JSON-style text naming it. Keeps the
/// second parse off the many manifests that only mention `services` (RBAC
/// rules' `resources: ["services"]`).
///
/// One pass over the text: each `services` is looked at where it stands.
fn may_have_top_level_services(text: &str) -> bool {
    let bytes = text.as_bytes();
    let json_style = text.trim_start().starts_with('{');
    let line_start = |i: usize| i == 0 || bytes[i - 1] == b'\n';
    memchr::memmem::find_iter(bytes, b"services").any(|i| {
        let after = bytes.get(i + b"services".len()).copied();
        let before = i.checked_sub(1).map(|b| bytes[b]);
        match (before, after) {
            (_, Some(b':')) if line_start(i) => true,
            (Some(q @ (b'"' | b'\'')), Some(a)) if a == q => {
                line_start(i - 1) || (q == b'"' && json_style)
            }
            _ => false,
        }
    })
}

/// Reads `file` as a Compose file when it is one (by name, or by content
/// for a file with a top-level `services` key), emitting its documents and errors;
/// returns `false`, having emitted nothing, when it is not.
pub fn for_each_yaml(file: &Arc<SourceFile>, emit: &mut impl FnMut(Parsed)) -> bool {
    let named = is_compose_name(&file.path);
    if !named && !may_have_top_level_services(&file.text) {
        return false;
    }
    let documents = yaml::load_stream(file);
    let claimed = named
        || documents
            .iter()
            .any(|d| d.result.as_ref().is_ok_and(|(v, _)| is_compose(v)));
    if !claimed {
        return false;
    }
    for doc in documents {
        match doc.result {
            Ok((value, map)) if is_compose(&value) => emit(Parsed {
                documents: vec![Document::new(Kind::Compose, file.clone(), value, map)],
                errors: Vec::new(),
            }),
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

    #[test]
    fn compose_names() {
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "deploy/docker-compose.prod.yaml",
            "compose.override.yml",
            "Docker-Compose.YML",
        ] {
            assert!(is_compose_name(Path::new(name)), "{name}");
        }
        for name in [
            "composer.yaml",
            "values.yaml",
            "compose.json",
            "my-compose.yml",
        ] {
            assert!(!is_compose_name(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn compose_content() {
        let compose =
            serde_json::json!({"services": {"web": {"image": "nginx:1.27"}, "db": {"build": "."}}});
        assert!(is_compose(&compose));
        let ci = serde_json::json!({"jobs": {"test": {"services": {"db": "postgres"}}}});
        assert!(!is_compose(&ci));
        let gitlab = serde_json::json!({"services": ["docker:dind"]});
        assert!(!is_compose(&gitlab));
        let names_only = serde_json::json!({"services": {"web": {"command": "x"}}});
        assert!(!is_compose(&names_only));
    }

    #[test]
    fn a_compose_file_by_content_or_name() {
        let mut docs = Vec::new();
        let file = Arc::new(SourceFile::new(
            "stack.yaml",
            "services:\n  web:\n    image: nginx:latest\n",
        ));
        assert!(for_each_yaml(&file, &mut |p: Parsed| docs.extend(p.documents)));
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].kind, Kind::Compose);
        let workflow = Arc::new(SourceFile::new(
            "ci.yaml",
            "jobs:\n  t:\n    services:\n      db:\n        image: postgres\n",
        ));
        assert!(!for_each_yaml(&workflow, &mut |_: Parsed| panic!(
            "not compose"
        )));
        let rbac = Arc::new(SourceFile::new(
            "role.yaml",
            "rules:\n- resources: [services]\n",
        ));
        assert!(!may_have_top_level_services(&rbac.text));
        let mut errors = Vec::new();
        let broken = Arc::new(SourceFile::new("compose.yaml", "services: [\n"));
        assert!(for_each_yaml(&broken, &mut |p: Parsed| errors.extend(p.errors)));
        assert_eq!(errors.len(), 1);
    }

    /// The one-pass search answers as the plain reading of its rule does:
    /// every text made of these pieces, against a search per form.
    #[test]
    fn the_services_pre_check_matches_its_rule() {
        let rule = |text: &str| {
            let at_line_start =
                |key: &str| text.starts_with(key) || text.contains(&format!("\n{key}"));
            at_line_start("services:")
                || at_line_start("\"services\"")
                || at_line_start("'services'")
                || (text.trim_start().starts_with('{') && text.contains("\"services\""))
        };
        let pieces = [
            "",
            "services",
            "\n",
            " ",
            "{",
            ":",
            "\"",
            "'",
            "x",
            "services:",
            "\"services\"",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let text = format!("{a}{b}{c}{d}");
                        assert_eq!(may_have_top_level_services(&text), rule(&text), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn kubernetes_objects_beside_a_compose_document_are_kept() {
        let file = Arc::new(SourceFile::new(
            "stack.yaml",
            "services:\n  web:\n    image: nginx:1.27\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ));
        let mut kinds = Vec::new();
        assert!(for_each_yaml(&file, &mut |p: Parsed| {
            kinds.extend(p.documents.iter().map(|d| d.kind));
        }));
        assert_eq!(kinds, [Kind::Compose, Kind::Kubernetes]);
    }
}
