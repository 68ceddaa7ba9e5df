//! Linting editor buffers with the scan pipeline: the same parsers
//! ([`scan::parse_source`], [`parse::terraform_module`]), the same engines
//! ([`Engines`]) and the same evaluation ([`scan::evaluate`]) as
//! `driftless scan`, so an editor shows exactly the CLI's findings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::{self, FileKind};
use crate::document::{Parsed, SourceFile};
use crate::engine::Engines;
use crate::finding::Finding;
use crate::parse;
use crate::scan::{self, ScanResult};

/// An open buffer as the linter sees it.
#[derive(Clone, Debug)]
pub struct Buffer {
    /// The file's path (from its `file:` URI), or a made-up name for
    /// untitled buffers.
    pub path: PathBuf,
    pub text: String,
    pub kind: FileKind,
}

/// What linting one buffer produced: findings by file path (a Terraform
/// module yields findings for several files) and the rule or policy
/// errors, which are about policies rather than the buffer.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: BTreeMap<PathBuf, Vec<Finding>>,
    pub problems: Vec<String>,
}

/// Decides how to read a buffer: by file name like the CLI, else by the
/// editor's language ID (untitled buffers, unusual names).
pub fn kind_of(path: &Path, language_id: &str) -> Option<FileKind> {
    discover::classify(path).or(match language_id {
        "dockerfile" => Some(FileKind::Dockerfile),
        "terraform" | "hcl" | "tf" => Some(FileKind::Terraform),
        "terraform-vars" => Some(FileKind::TerraformVars),
        "yaml" | "kubernetes" | "helm" => Some(FileKind::Yaml),
        "json" => Some(FileKind::Json),
        _ => None,
    })
}

/// Lints one buffer. Terraform buffers are linted as their whole module:
/// the directory's other `.tf`/`.tf.json`/tfvars files from disk, with any
/// open buffer of the same directory used instead of its file on disk.
pub fn lint(buffer: &Buffer, open: &[Buffer], engines: &Engines, max_size: u64) -> Outcome {
    let parsed = match buffer.kind {
        FileKind::Terraform | FileKind::TerraformVars => module(buffer, open, max_size),
        kind => {
            let file = Arc::new(SourceFile::new(&buffer.path, buffer.text.clone()));
            scan::parse_source(&file, kind)
        }
    };
    let mut worker = engines.worker();
    let mut result = scan::evaluate(parsed, &mut worker);
    apply_filters(&mut result);
    let mut outcome = Outcome::default();
    for f in result.findings {
        outcome
            .findings
            .entry(f.file.path.clone())
            .or_default()
            .push(f);
    }
    for list in outcome.findings.values_mut() {
        list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    outcome.problems.extend(
        result
            .policy_errors
            .iter()
            .map(|e| format!("policy error: {e}")),
    );
    outcome
        .problems
        .extend(result.rule_errors.iter().map(|e| e.to_string()));
    outcome
}

/// The filter stage of the scan (configuration, inline
/// `driftless:ignore` comments, baseline) applied to the findings of a
/// buffer. This is the single place where the language server hooks into
/// it, so the editor and the CLI drop the same findings.
fn apply_filters(result: &mut ScanResult) {
    result.findings.retain(|f| f.suppression.is_none());
}

/// Parses the module a Terraform buffer belongs to.
fn module(buffer: &Buffer, open: &[Buffer], max_size: u64) -> Parsed {
    let dir = match buffer.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut texts: BTreeMap<PathBuf, Arc<SourceFile>> = BTreeMap::new();
    let mut errors = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for path in entries.flatten().map(|e| e.path()) {
            let Some(kind @ (FileKind::Terraform | FileKind::TerraformVars)) =
                discover::classify(&path)
            else {
                continue;
            };
            if !path.is_file() {
                continue;
            }
            match scan::read_source(&path, kind, max_size) {
                Ok(Some(file)) => {
                    texts.insert(path, file);
                }
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
    }
    for b in open.iter().chain([buffer]) {
        let terraform = matches!(b.kind, FileKind::Terraform | FileKind::TerraformVars);
        if terraform && b.path.parent() == Some(dir.as_path()) {
            texts.insert(
                b.path.clone(),
                Arc::new(SourceFile::new(&b.path, b.text.clone())),
            );
        }
    }
    let files: Vec<Arc<SourceFile>> = texts.into_values().collect();
    let mut parsed = parse::terraform_module(&dir, &files, &parse::terraform::Options::default());
    parsed
        .errors
        .retain(|e| e.file.path == buffer.path || open.iter().any(|b| b.path == e.file.path));
    errors.retain(|e| e.file.path == buffer.path);
    parsed.errors.append(&mut errors);
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_names_then_language_ids() {
        assert_eq!(
            kind_of(Path::new("/x/Dockerfile"), "plaintext"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(
            kind_of(Path::new("/x/main.tf"), "plaintext"),
            Some(FileKind::Terraform)
        );
        assert_eq!(
            kind_of(Path::new("Untitled-1"), "dockerfile"),
            Some(FileKind::Dockerfile)
        );
        assert_eq!(kind_of(Path::new("notes.txt"), "plaintext"), None);
    }
}
