//! Linting editor buffers with the scan pipeline: the same parsers
//! ([`scan::parse_source`], [`parse::terraform_module`]), the same engines
//! ([`Engines`]) and the same evaluation ([`scan::evaluate`]) as
//! `driftless scan`, so an editor shows exactly the CLI's findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::{self, FileKind};
use crate::document::{Parsed, SourceFile};
use crate::engine::Engines;
use crate::finding::Finding;
use crate::gate;
use crate::parse;
use crate::scan::{self, ScanResult};
use crate::warning::Warning;

/// An open buffer as the linter sees it.
#[derive(Clone, Debug)]
pub struct Buffer {
    /// The file's path (from its `file:` URI), or a made-up name for
    /// untitled buffers.
    pub path: PathBuf,
    pub text: String,
    pub kind: FileKind,
}

/// What linting one buffer produced: findings and suppression warnings by
/// file path (a Terraform module yields them for several files), and the
/// rule or policy errors, which are about policies rather than the buffer.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: BTreeMap<PathBuf, Vec<Finding>>,
    pub warnings: BTreeMap<PathBuf, Vec<Warning>>,
    pub problems: Vec<String>,
}

/// The filter stage's settings (from the configuration file), applied to
/// every buffer exactly as `driftless scan` applies them.
#[derive(Debug, Default)]
pub struct Filter {
    /// The rules that run.
    pub enabled: BTreeSet<String>,
    /// The config's per-rule severity overrides.
    pub severity: BTreeMap<String, crate::finding::Severity>,
    /// Whether `driftless:ignore` comments and annotations are honoured.
    pub inline_ignores: bool,
    /// The config's baseline: findings it holds are not shown.
    pub baseline: Option<crate::baseline::Baseline>,
    /// Baseline paths are relative to it.
    pub repo_root: Option<PathBuf>,
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
/// open buffer of the same directory used instead of its file on disk, and
/// composed with the local modules it calls, whose open buffers (in
/// `open`, whatever their directory) stand for their files on disk.
pub fn lint(
    buffer: &Buffer,
    open: &[Buffer],
    engines: &Engines,
    filter: &Filter,
    max_size: u64,
) -> Outcome {
    let parsed = match buffer.kind {
        FileKind::Terraform | FileKind::TerraformVars => module(buffer, open, max_size),
        kind => {
            let file = Arc::new(SourceFile::new(&buffer.path, buffer.text.clone()));
            let mut parsed = scan::parse_source(&file, kind);
            mark_kustomize_patch(&mut parsed, &buffer.path, max_size);
            parsed
        }
    };
    let mut worker = engines.worker();
    let mut result = scan::evaluate(parsed, &mut worker);
    let mut outcome = Outcome::default();
    match apply_filters(&mut result, filter, &engines.policies().catalogue) {
        Ok(warnings) => {
            for w in warnings {
                outcome.warnings.entry(w.path.clone()).or_default().push(w);
            }
        }
        Err(e) => outcome.problems.push(e),
    }
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

/// A Kustomize patch open in the editor is linted as `driftless scan` lints
/// it: as a patch, without findings about absent attributes, when a
/// kustomization in its directory or above names it.
fn mark_kustomize_patch(parsed: &mut Parsed, path: &Path, max_size: u64) {
    if parsed.documents.is_empty() {
        return;
    }
    let patches = parse::kustomize::patch_set([path], max_size);
    if patches.contains(&crate::repo::normalize(path)) {
        for doc in &mut parsed.documents {
            doc.role = crate::document::Role::Patch;
        }
    }
}

/// The filter stage of the scan (severity overrides, inline
/// `driftless:ignore` comments and annotations, baseline) applied to a
/// buffer's findings with [`gate::filter`], the CLI's own function, so the
/// editor and the CLI drop the same findings. Suppressed findings are not
/// shown; the warnings about suppressions (no reason, expired, unused) are.
fn apply_filters(
    result: &mut ScanResult,
    filter: &Filter,
    catalogue: &crate::rules::Catalogue,
) -> Result<Vec<Warning>, String> {
    let options = gate::Options {
        catalogue,
        enabled: &filter.enabled,
        severity: &filter.severity,
        inline_ignores: filter.inline_ignores,
        baseline: filter.baseline.as_ref(),
        write_baseline: None,
        repo_root: filter.repo_root.as_deref(),
        today: crate::suppress::Date::today(),
    };
    let filtered = gate::filter(result, &options)?;
    result.findings.retain(|f| f.suppression.is_none());
    Ok(filtered.warnings)
}

/// Parses the module a Terraform buffer belongs to.
fn module(buffer: &Buffer, open: &[Buffer], max_size: u64) -> Parsed {
    let dir = match buffer.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut texts: BTreeMap<PathBuf, Arc<SourceFile>> = BTreeMap::new();
    let mut errors = Vec::new();
    // Untitled buffers have no directory: only open buffers make the module.
    let on_disk = if dir.is_absolute() {
        std::fs::read_dir(&dir).ok()
    } else {
        None
    };
    if let Some(entries) = on_disk {
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
    // Local children the module calls are read from their open buffers too.
    let overlay = open
        .iter()
        .filter(|b| matches!(b.kind, FileKind::Terraform | FileKind::TerraformVars))
        .filter(|b| b.path.is_absolute())
        .map(|b| (b.path.clone(), b.text.clone()))
        .collect();
    let cache = parse::terraform::ModuleCache::with_overlay(overlay);
    let mut parsed = parse::terraform::parse_module_with(
        &dir,
        &files,
        &parse::terraform::Options::default(),
        &cache,
    );
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
