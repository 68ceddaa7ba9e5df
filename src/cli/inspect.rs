//! `driftless inspect FILE`: the input documents rules see, as JSON.

use std::path::Path;

use crate::discover::FileKind;
use crate::document::Parsed;
use crate::report::write::print_stdout;
use crate::scan;

use super::{EXIT_CLEAN, EXIT_FINDINGS, usage_error};

/// Parses a file (a Terraform file as its whole module), or every file
/// `driftless scan` reads in a directory, and prints the documents;
/// diagnostics go to stderr with exit code 1.
pub(super) fn run(path: &Path) -> u8 {
    let parsed = if path.is_dir() {
        parse_found(&crate::discover::discover(
            &[path.to_path_buf()],
            &Default::default(),
        ))
    } else {
        let Some(kind) = crate::discover::classify(path) else {
            return usage_error(&format!(
                "{} is not a file driftless reads (Dockerfile, .tf, .tf.json, .yaml, .yml, .json) or a directory",
                path.display()
            ));
        };
        match kind {
            FileKind::Terraform | FileKind::TerraformVars => parse_found(
                &crate::discover::discover(&[path.to_path_buf()], &Default::default()),
            ),
            other => scan::parse_file(path, other, scan::DEFAULT_MAX_FILE_SIZE),
        }
    };
    let docs: Vec<serde_json::Value> = parsed
        .documents
        .iter()
        .map(|d| {
            serde_json::json!({
                "path": d.files.first().map(|f| crate::repo::repo_relative(&f.path, None)),
                "kind": d.kind.as_str(),
                "document": d.label,
                "input": d.input,
            })
        })
        .collect();
    print_stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(&docs).unwrap_or_default()
    ));
    for err in &parsed.errors {
        let pos = err.file.position(err.start);
        eprintln!(
            "{}:{}:{}: PARSE001 {}",
            err.file.path.display(),
            pos.line,
            pos.column,
            err.message
        );
    }
    if parsed.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// Parses what discovery found: each file on its own, each Terraform
/// module as a whole.
fn parse_found(found: &crate::discover::Discovered) -> Parsed {
    let mut parsed = Parsed::default();
    for (path, kind) in &found.files {
        let mut p = scan::parse_file(path, *kind, scan::DEFAULT_MAX_FILE_SIZE);
        parsed.documents.append(&mut p.documents);
        parsed.errors.append(&mut p.errors);
    }
    for (dir, module) in &found.modules {
        let files: Vec<_> = module
            .files
            .iter()
            .filter_map(|p| {
                scan::read_source(p, FileKind::Terraform, scan::DEFAULT_MAX_FILE_SIZE)
                    .ok()
                    .flatten()
            })
            .collect();
        let mut p = crate::parse::terraform_module(dir, &files, &Default::default());
        parsed.documents.append(&mut p.documents);
        parsed.errors.append(&mut p.errors);
    }
    parsed
}
