//! Helm charts, natively (no `helm` binary): a chart's `Chart.yaml` and its
//! values files become `helm` documents; templates stay skipped (Go
//! templates are not YAML; their rendered output is checked through
//! standard input: `helm template . | driftless scan -`).
//!
//! Both shapes are one kind, told apart by `source`:
//!
//! - `Chart.yaml` (a mapping with a string `name` and `version`):
//!   `{"source": "chart", "chart": <the file as written>}`;
//! - `values.yaml`, `values.yml` and `values-*.yaml`/`values.*.yaml` beside
//!   such a `Chart.yaml`: `{"source": "values", "values": <the file as
//!   written>, "app_version": <the chart's appVersion as a string, or
//!   null>}` — `app_version` is what an empty `tag` means in most charts.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::document::{Document, Kind, Parsed, SourceFile, SourceMap, Span};
use crate::parse::yaml;

/// Whether a file name is a chart's metadata file.
fn is_chart_name(name: &str) -> bool {
    name == "Chart.yaml" || name == "Chart.yml"
}

/// Whether a file name is a values file's (`values.yaml`,
/// `values-prod.yaml`, `values.prod.yml`).
fn is_values_name(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "values" || stem.starts_with("values-") || stem.starts_with("values.")
}

/// The chart metadata beside a file, if there is a chart.
fn chart_beside(path: &Path) -> Option<Value> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::discover::read_chart(&dir.join("Chart.yaml"))
        .or_else(|| crate::discover::read_chart(&dir.join("Chart.yml")))
}

/// Reads `file` as a chart's `Chart.yaml` or a values file beside one,
/// emitting its document (or `PARSE001`); returns `false`, having emitted
/// nothing, for any other file.
pub fn for_each_yaml(file: &Arc<SourceFile>, emit: &mut impl FnMut(Parsed)) -> bool {
    let Some(name) = file.path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let source = if is_chart_name(name) {
        "chart"
    } else if is_values_name(name) {
        match chart_beside(&file.path) {
            Some(_) => "values",
            None => return false,
        }
    } else {
        return false;
    };
    let (value, map) = match yaml::load_one(file) {
        Ok(loaded) => loaded,
        // Helm refuses a chart whose Chart.yaml or values do not parse
        Err(err) => {
            emit(Parsed::error(err));
            return true;
        }
    };
    if source == "chart" && !is_chart(&value) {
        return false;
    }
    let document = match source {
        "chart" => chart_document(file, value, map),
        _ => values_document(file, value, map),
    };
    emit(Parsed {
        documents: vec![document],
        errors: Vec::new(),
    });
    true
}

/// A mapping with a non-empty string `name` and `version`.
fn is_chart(value: &Value) -> bool {
    let field = |key: &str| value.get(key).and_then(Value::as_str);
    field("name").is_some_and(|n| !n.is_empty()) && field("version").is_some_and(|v| !v.is_empty())
}

fn chart_document(file: &Arc<SourceFile>, chart: Value, map: SourceMap) -> Document {
    let input = json!({"source": "chart", "chart": chart});
    Document::new(Kind::Helm, file.clone(), input, wrapped(map, "chart"))
}

fn values_document(file: &Arc<SourceFile>, values: Value, map: SourceMap) -> Document {
    let app_version = chart_beside(&file.path).and_then(|chart| match chart.get("appVersion") {
        Some(Value::String(s)) => Some(Value::String(s.clone())),
        // `appVersion: 1.2` is a number to YAML, a string to Helm
        Some(Value::Number(n)) => Some(Value::String(n.to_string())),
        _ => None,
    });
    let input = json!({"source": "values", "values": values, "app_version": app_version});
    Document::new(Kind::Helm, file.clone(), input, wrapped(map, "values"))
}

/// The source map of `{key: <the file>}`: the file's own spans under `key`.
fn wrapped(map: SourceMap, key: &str) -> SourceMap {
    let span: Span = map.span;
    SourceMap::object(span, [(key.to_owned(), map)].into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_file_names() {
        for name in [
            "values.yaml",
            "values.yml",
            "values-prod.yaml",
            "values.dev.yml",
        ] {
            assert!(is_values_name(name), "{name}");
        }
        for name in ["myvalues.yaml", "values.json", "Chart.yaml"] {
            assert!(!is_values_name(name), "{name}");
        }
    }

    #[test]
    fn values_only_beside_a_chart() {
        let dir = tempfile::tempdir().unwrap();
        let values = dir.path().join("values.yaml");
        let file = Arc::new(SourceFile::new(&values, "image:\n  tag: latest\n"));
        let mut docs = Vec::new();
        assert!(!for_each_yaml(&file, &mut |p: Parsed| docs.extend(p.documents)));
        std::fs::write(
            dir.path().join("Chart.yaml"),
            "name: web\nversion: 1.0.0\nappVersion: 2.1\n",
        )
        .unwrap();
        assert!(for_each_yaml(&file, &mut |p: Parsed| docs.extend(p.documents)));
        assert_eq!(docs[0].kind, Kind::Helm);
        assert_eq!(docs[0].input["app_version"], "2.1");
        assert_eq!(docs[0].input["values"]["image"]["tag"], "latest");
    }
}
