//! Located findings: what every report formats and every filter decides on.

pub mod fingerprint;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::document::{Document, Kind, PathSeg, Position, SourceFile};

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
    /// Other places that belong to the same decision (the other unpinned
    /// packages of one install command): one finding per decision, every
    /// place still shown (SARIF `relatedLocations`, LSP
    /// `relatedInformation`, the text and JSON reports).
    pub related: Vec<Related>,
    /// What identifies the decision when its line may grow (`apt-get apt`
    /// for an install command): the rule's `fingerprint` field. When set,
    /// stable fingerprints hash it instead of the line and value text, so a
    /// baseline survives adding one more package to the command.
    pub identity: Option<String>,
    /// Where the offending value is written when the finding is located
    /// where it is used (an `ARG` default behind `FROM $BASE`, a variable
    /// default behind a module argument): the chain from the finding's
    /// location to the literal, nearest first, the literal last. Fixes edit
    /// the last one; pre-commit shows a finding whose chain names a staged
    /// file. Empty when the value is written at the finding's location
    /// (steps whose place covers the finding's span are left out).
    ///
    /// Each span covers the value exactly as written there:
    /// - HCL and `.tfvars`: the whole expression, an HCL string with its
    ///   quotes (`"latest"`, `"api:${var.tag}"`); for a part of a larger
    ///   value (a map entry of a default read through `var.x["k"]` or
    ///   `each.value`), that part only;
    /// - JSON (`.tf.json`, `.tfvars.json`): the JSON value, a string with
    ///   its quotes;
    /// - Dockerfile `ARG`/`ENV`: the value word after `=` (or after the
    ///   name in `ENV name value`), as written, quotes included when quoted.
    ///
    /// A value built from several (a template with two variables, `FROM
    /// ${REGISTRY}/app:${TAG}`) has the steps of each operand in the order
    /// they are written, so the last source is the rightmost operand's
    /// literal, not necessarily the part a rule is about (`FROM
    /// ${REGISTRY}/app` without a tag names the registry's default): a fix
    /// checks that the text it edits holds the part it changes. A value read from a
    /// child module's output names the output's expression in the child,
    /// then the child's chain.
    pub sources: Vec<Related>,
}

/// A secondary location of a finding, with why it is listed.
#[derive(Clone, Debug)]
pub struct Related {
    pub message: String,
    pub file: Arc<SourceFile>,
    /// Byte range in `file`.
    pub start: usize,
    pub end: usize,
}

impl Related {
    /// 1-based start position.
    pub fn start_pos(&self) -> Position {
        self.file.position(self.start)
    }

    /// 1-based end position (exclusive column).
    pub fn end_pos(&self) -> Position {
        self.file.position(self.end)
    }
}

/// The optional fields of a rule's finding object that are about its
/// places rather than its message: `related` (a list of `{"path", "msg"}`,
/// located like the finding's own `path`) and `fingerprint` (a string).
/// Kept here so the engine only hands over the object.
pub fn related_and_identity(
    finding: &serde_json::Map<String, serde_json::Value>,
    doc: &Document,
) -> (Vec<Related>, Option<String>) {
    let related = finding
        .get("related")
        .and_then(|r| r.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|i| locate_related(i, doc))
                .collect()
        })
        .unwrap_or_default();
    let identity = finding
        .get("fingerprint")
        .and_then(|k| k.as_str())
        .map(str::to_owned);
    (related, identity)
}

/// One `{"path": [...], "msg": "..."}` entry at its span (the nearest
/// existing parent when the path does not exist, as for findings).
fn locate_related(item: &serde_json::Value, doc: &Document) -> Option<Related> {
    let path: Vec<PathSeg> = item
        .get("path")?
        .as_array()?
        .iter()
        .filter_map(PathSeg::from_json)
        .collect();
    let (node, _) = doc.source_map.locate(&path);
    let file = doc
        .files
        .get(node.span.file as usize)
        .or(doc.files.first())?;
    Some(Related {
        message: item
            .get("msg")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_owned(),
        file: file.clone(),
        start: node.span.start as usize,
        end: node.span.end as usize,
    })
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
