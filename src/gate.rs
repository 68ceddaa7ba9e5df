//! The filter stage (DESIGN.md §2) between evaluation and reports:
//! severity overrides from the config, inline suppressions, the baseline
//! (compare and/or write). It decides which findings count; reports only
//! show the outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::baseline::{self, Baseline};
use crate::finding::Severity;
use crate::rules::Catalogue;
use crate::scan::ScanResult;
use crate::suppress::{self, Date};
use crate::warning::Warning;

/// How to filter a scan's findings.
pub struct Options<'a> {
    pub catalogue: &'a Catalogue,
    /// The rules that ran.
    pub enabled: &'a BTreeSet<String>,
    /// Per-rule severity overrides (config `severity:`).
    pub severity: &'a BTreeMap<String, Severity>,
    /// `false` with `--no-inline-ignores`: comments and annotations are not
    /// honoured (and not checked).
    pub inline_ignores: bool,
    /// `--baseline`: findings it holds are accepted.
    pub baseline: Option<&'a Baseline>,
    /// `--write-baseline`: where to record the current findings.
    pub write_baseline: Option<&'a Path>,
    /// Paths in the baseline are relative to this.
    pub repo_root: Option<&'a Path>,
    /// Suppressions with an earlier `until=` have expired.
    pub today: Date,
}

/// What filtering decided, beyond the marks on the findings.
#[derive(Debug, Default)]
pub struct Filtered {
    pub warnings: Vec<Warning>,
    pub baseline: baseline::Summary,
    /// Findings suppressed inline or by the baseline.
    pub suppressed: usize,
}

/// Applies overrides, suppressions and the baseline to `result.findings`.
/// Fails only when a baseline cannot be written.
pub fn filter(result: &mut ScanResult, options: &Options) -> Result<Filtered, String> {
    let mut out = Filtered::default();
    for f in &mut result.findings {
        if let Some(s) = options.severity.get(&f.rule_id) {
            f.severity = *s;
        }
    }
    if options.inline_ignores {
        let suppress_options = suppress::Options {
            catalogue: options.catalogue,
            enabled: Some(options.enabled),
            today: options.today,
        };
        out.warnings = suppress::apply(
            &mut result.findings,
            &result.sources,
            &result.annotations,
            &suppress_options,
        );
    }
    if let Some(b) = options.baseline {
        let scanned: BTreeSet<String> = result
            .sources
            .iter()
            .map(|s| crate::repo::repo_relative(&s.path, options.repo_root))
            .collect();
        let scope = baseline::Scope {
            root: options.repo_root,
            scanned: &scanned,
            enabled: Some(options.enabled),
        };
        out.baseline.compared = Some(baseline::apply(b, &mut result.findings, &scope));
    }
    if let Some(path) = options.write_baseline {
        let (text, entries) = baseline::render(&result.findings, options.repo_root);
        crate::report::write::write_atomically(path, text.as_bytes())
            .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))?;
        let file = path.display().to_string();
        baseline::accept_all(&mut result.findings, &file);
        out.baseline.written = Some(baseline::Written { file, entries });
    }
    out.suppressed = result
        .findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .count();
    Ok(out)
}
