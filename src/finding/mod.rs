//! Located findings: what every report formats and every filter decides on.

pub mod fingerprint;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::document::{Kind, Position, SourceFile};

/// How bad a finding is. Ordered, so `--fail-on high` means "high or worse".
/// `Error` is reserved for findings that make the result untrustworthy
/// (`PARSE001`): it is above every rule severity and always fails the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
    Error,
}

impl Severity {
    /// The lower-case name used in config files, flags and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium or low)"
            )),
        }
    }
}

/// A rule violation at an exact place in a file.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub message: String,
    pub file: Arc<SourceFile>,
    /// Byte range of the offending value in `file`.
    pub start: usize,
    pub end: usize,
    /// The document kind the rule ran on (`None` for file-level problems).
    pub kind: Option<Kind>,
    /// The document inside the file (`Deployment/web`), when a file has several.
    pub document: String,
    /// The JSON path of the offending value in the rule's input.
    pub json_path: String,
    /// Why a suppression does not apply or what suppressed this finding.
    pub suppression: Option<Suppressed>,
}

/// A finding silenced by an inline comment or annotation: kept (for
/// `--show-suppressed` and SARIF `suppressions`) but never counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub justification: String,
    pub kind: SuppressionKind,
}

/// Where a suppression came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A `driftless:ignore[...]` comment or annotation in the file.
    InSource,
    /// An entry of the baseline file.
    Baseline,
}

impl Finding {
    /// 1-based start position.
    pub fn start_pos(&self) -> Position {
        self.file.position(self.start)
    }

    /// 1-based end position (exclusive column, as SARIF wants it).
    pub fn end_pos(&self) -> Position {
        self.file.position(self.end)
    }

    /// The order reports list findings in: by file, then position, then rule.
    pub fn sort_key(&self) -> (&std::path::Path, usize, &str) {
        (&self.file.path, self.start, &self.rule_id)
    }
}
