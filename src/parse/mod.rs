//! Parsers: text in, [`Document`]s with source maps out.
//!
//! Each format lives in its own module; the shared loaders for YAML and JSON
//! (values plus spans) and the image-reference parser are written once here
//! and used by every format that needs them.

use std::path::Path;
use std::sync::Arc;

use crate::document::{Parsed, SourceFile};

pub mod dockerfile;
pub mod image;
pub mod json;
pub mod kubernetes;
pub mod terraform;
pub mod tfplan;
pub mod yaml;

/// Parses a Dockerfile/Containerfile into one document.
pub fn dockerfile(file: &Arc<SourceFile>) -> Parsed {
    dockerfile::parse(file)
}

/// Parses a `.yaml`/`.yml` file: every YAML document that is a Kubernetes
/// object (string `apiVersion` and `kind`) becomes a document; other YAML is
/// left alone without noise.
pub fn yaml(file: &Arc<SourceFile>) -> Parsed {
    kubernetes::parse_yaml(file)
}

/// Parses a `.json` file: a Terraform plan (`terraform show -json`), a
/// Kubernetes object or list, or nothing.
pub fn json(file: &Arc<SourceFile>) -> Parsed {
    match json::load(file) {
        Err(err) => {
            if looks_like_infrastructure_json(&file.text) {
                Parsed::error(err)
            } else {
                Parsed::default()
            }
        }
        Ok((value, map)) => {
            if tfplan::is_plan(&value) {
                tfplan::document(file, value, map)
            } else {
                kubernetes::documents_from_value(file, value, map)
            }
        }
    }
}

/// A JSON file that does not parse is only worth a `PARSE001` when it was
/// meant to be one of ours: otherwise `package.json` typos would fail the gate.
fn looks_like_infrastructure_json(text: &str) -> bool {
    (text.contains("\"apiVersion\"") && text.contains("\"kind\""))
        || (text.contains("\"format_version\"")
            && (text.contains("\"resource_changes\"")
                || text.contains("\"planned_values\"")
                || text.contains("\"resource_drift\"")))
}

/// Parses one Terraform module: all its `.tf` and `.tf.json` files (and
/// variable files), evaluated together into one document.
pub fn terraform_module(
    dir: &Path,
    files: &[Arc<SourceFile>],
    options: &terraform::Options,
) -> Parsed {
    terraform::parse_module(dir, files, options)
}
