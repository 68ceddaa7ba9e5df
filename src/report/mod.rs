//! Reports: formatters over the same list of located findings. Each format
//! is one module; none of them looks at parsers or the engine.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;
pub mod write;

use std::path::{Path, PathBuf};

use crate::baseline;
use crate::engine::{PolicyError, RuleError};
use crate::finding::{Finding, Severity};
use crate::rules::Catalogue;
use crate::warning::Warning;

/// The output formats of `driftless scan --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable findings with code frames (default).
    Text,
    /// The documented, stable JSON report.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other viewers.
    Sarif,
    /// JUnit XML (one testsuite per file, one testcase per finding) for
    /// Jenkins, GitLab and other CI test reports.
    Junit,
    /// GitHub Actions workflow commands: annotations on the PR diff, plus a
    /// summary table in `$GITHUB_STEP_SUMMARY`.
    Github,
    /// GitLab Code Quality JSON (merge request widget and diff annotations).
    Gitlab,
}

impl Format {
    /// Whether the format is for machines (JSON, XML, workflow commands)
    /// rather than people: warnings then also go to stderr so they are not
    /// lost in a file nobody reads.
    pub fn is_machine_readable(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Sarif | Format::Junit | Format::Gitlab
        )
    }
}

/// Counts shown in summaries.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub documents: usize,
    /// Findings silenced by inline suppressions or the baseline.
    pub suppressed: usize,
}

/// Everything a formatter needs.
pub struct Report<'a> {
    /// The findings to show, sorted (suppressed ones only when the user
    /// asked to see them).
    pub findings: &'a [Finding],
    pub catalogue: &'a Catalogue,
    pub rule_errors: &'a [RuleError],
    pub policy_errors: &'a [PolicyError],
    pub stats: Stats,
    /// The repository root that SARIF/GitLab paths are made relative to.
    pub repo_root: Option<PathBuf>,
    /// Problems with suppressions and the baseline: shown in every format,
    /// never counted in the exit code.
    pub warnings: &'a [Warning],
    /// What the baseline accepted, fixed or recorded in this run.
    pub baseline: baseline::Summary,
}

impl Report<'_> {
    /// Findings that count (not suppressed).
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppression.is_none())
    }

    /// Number of active findings per severity, most severe first.
    pub fn by_severity(&self) -> Vec<(Severity, usize)> {
        let mut counts: Vec<(Severity, usize)> = [
            Severity::Error,
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
        ]
        .into_iter()
        .map(|s| (s, self.active().filter(|f| f.severity == s).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.0));
        counts
    }

    /// Active findings, most severe first, then in report order (what a
    /// reader with a cap on annotations should see first).
    pub fn most_severe_first(&self) -> Vec<&Finding> {
        let mut list: Vec<&Finding> = self.active().collect();
        list.sort_by_key(|f| std::cmp::Reverse(f.severity));
        list
    }

    /// A path relative to the repository root with forward slashes (what
    /// code-scanning services resolve), falling back to the path as shown.
    pub fn repo_relative(&self, path: &Path) -> String {
        crate::repo::repo_relative(path, self.repo_root.as_deref())
    }
}

#[cfg(test)]
mod tests;
