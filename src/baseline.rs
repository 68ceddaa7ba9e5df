//! The baseline: adopt driftless in a legacy repository without fixing
//! everything first. `--write-baseline FILE` records today's findings;
//! `--baseline FILE` accepts those and fails only on new ones, and counts
//! the recorded findings that are gone (fixed).
//!
//! Findings are recorded by a fingerprint that survives line shifts
//! ([`crate::finding::fingerprint::stable`]: rule, repository-relative path,
//! document, the offending line's content — not its number — and an
//! occurrence counter). The line and message are stored only to make the
//! file readable in reviews.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::fingerprint;
use crate::finding::{Finding, Suppressed, SuppressionKind};
use crate::repo::repo_relative;
use crate::rules::fails_closed;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

/// The baseline file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFile {
    pub version: u32,
    #[serde(default)]
    pub tool: String,
    pub entries: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    /// Repository-relative, forward slashes.
    pub path: String,
    pub fingerprint: String,
    /// Informative only (matching ignores it).
    #[serde(default)]
    pub line: u32,
    /// Informative only.
    #[serde(default)]
    pub message: String,
}

/// A loaded baseline and where it came from.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub path: PathBuf,
    pub file: BaselineFile,
}

/// What comparing with a baseline found, for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The baseline file as given.
    pub file: String,
    pub entries: usize,
    /// Findings accepted because the baseline has them.
    pub matched: usize,
    /// Entries whose finding is gone: fixed since the baseline was written.
    pub fixed: usize,
}

/// Baseline activity of a run, for reports.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Option<Comparison>,
    /// The file `--write-baseline` wrote and how many entries it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
}

/// A baseline written by this run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Written {
    pub file: String,
    pub entries: usize,
}

/// Reads a baseline file; a missing, unreadable or malformed file is an
/// error (exit 2): a gate that silently ignores its baseline would fail
/// every legacy finding, or worse, one that reads garbage could pass.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a driftless baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if file.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
            path.display(),
            file.version
        ));
    }
    Ok(Baseline {
        path: path.to_path_buf(),
        file,
    })
}

/// Findings a baseline can hold: not silenced inline and not `PARSE001` or
/// `EVAL001` (what was not checked must not pass; exclude it in the config
/// instead).
fn eligible(f: &Finding) -> bool {
    !fails_closed(&f.rule_id)
        && f.suppression
            .as_ref()
            .is_none_or(|s| s.kind != SuppressionKind::InSource)
}

/// Fingerprints of all findings (the counter runs over every finding that is
/// not a fail-closed diagnostic, in report order, so inline suppressions do not shift it).
fn fingerprints(findings: &[Finding], root: Option<&Path>) -> Vec<Option<String>> {
    let counted: Vec<&Finding> = findings
        .iter()
        .filter(|f| !fails_closed(&f.rule_id))
        .collect();
    let mut prints = fingerprint::stable(&counted, root).into_iter();
    findings
        .iter()
        .map(|f| (!fails_closed(&f.rule_id)).then(|| prints.next().unwrap_or_default()))
        .collect()
}

/// The baseline of the current findings, as the JSON text to write.
pub fn render(findings: &[Finding], root: Option<&Path>) -> (String, usize) {
    let prints = fingerprints(findings, root);
    let mut entries: Vec<Entry> = findings
        .iter()
        .zip(prints)
        .filter(|(f, _)| eligible(f))
        .filter_map(|(f, print)| {
            Some(Entry {
                rule: f.rule_id.clone(),
                path: repo_relative(&f.file.path, root),
                fingerprint: print?,
                line: f.start_pos().line,
                message: f.message.clone(),
            })
        })
        .collect();
    entries.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    let count = entries.len();
    let file = BaselineFile {
        version: VERSION,
        tool: format!("driftless {}", env!("CARGO_PKG_VERSION")),
        entries,
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    (text, count)
}

/// Marks every eligible finding as accepted by the baseline (used right
/// after writing one, so the run that writes it passes).
pub fn accept_all(findings: &mut [Finding], file: &str) {
    for f in findings.iter_mut().filter(|f| eligible(f)) {
        if f.suppression.is_none() {
            f.suppression = Some(Suppressed {
                justification: format!("recorded in baseline {file}"),
                kind: SuppressionKind::Baseline,
            });
        }
    }
}

/// What [`apply`] needs to decide which unmatched entries are fixed.
pub struct Scope<'a> {
    pub root: Option<&'a Path>,
    /// Repository-relative paths of the files this run read.
    pub scanned: &'a BTreeSet<String>,
    /// Rules this run evaluated (`None`: all).
    pub enabled: Option<&'a BTreeSet<String>>,
}

/// Accepts findings the baseline has (as suppressed, kind baseline) and
/// counts entries whose finding is gone. An entry counts as fixed only
/// when this run could have seen it: its file was scanned (or no longer
/// exists) and its rule ran — scanning one folder does not "fix" the rest.
pub fn apply(baseline: &Baseline, findings: &mut [Finding], scope: &Scope) -> Comparison {
    let mut index: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    for (i, e) in baseline.file.entries.iter().enumerate().rev() {
        index
            .entry((e.rule.clone(), e.path.clone(), e.fingerprint.clone()))
            .or_default()
            .push(i);
    }
    let prints = fingerprints(findings, scope.root);
    let mut used = vec![false; baseline.file.entries.len()];
    let label = baseline.path.display().to_string();
    let mut matched = 0;
    for (f, print) in findings.iter_mut().zip(prints) {
        let Some(print) = print else { continue };
        if f.suppression.is_some() {
            continue;
        }
        let path = repo_relative(&f.file.path, scope.root);
        let Some(slots) = index.get_mut(&(f.rule_id.clone(), path, print)) else {
            continue;
        };
        let Some(slot) = slots.pop() else { continue };
        used[slot] = true;
        matched += 1;
        f.suppression = Some(Suppressed {
            justification: format!("accepted in baseline {label}"),
            kind: SuppressionKind::Baseline,
        });
    }
    let fixed = baseline
        .file
        .entries
        .iter()
        .zip(&used)
        .filter(|(e, used)| !**used && could_see(e, scope))
        .count();
    Comparison {
        file: label,
        entries: baseline.file.entries.len(),
        matched,
        fixed,
    }
}

fn could_see(entry: &Entry, scope: &Scope) -> bool {
    let rule_ran = scope.enabled.is_none_or(|e| e.contains(&entry.rule));
    let on_disk = match scope.root {
        Some(root) => root.join(&entry.path),
        None => PathBuf::from(&entry.path),
    };
    rule_ran && (scope.scanned.contains(&entry.path) || !on_disk.exists())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::SourceFile;
    use crate::suppress::tests::finding;
    use std::sync::Arc;

    fn scanned(paths: &[&str]) -> BTreeSet<String> {
        paths.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn round_trip_survives_inserted_lines_and_catches_new_findings() {
        let v1 = Arc::new(SourceFile::new(
            "app/Dockerfile",
            "FROM a:latest\nRUN apk upgrade\n",
        ));
        let findings = vec![
            finding(&v1, "TAG001", "a:latest"),
            finding(&v1, "UPD006", "apk upgrade"),
        ];
        let (text, count) = render(&findings, None);
        assert_eq!(count, 2);
        let file: BaselineFile = serde_json::from_str(&text).unwrap();
        assert_eq!(file.version, VERSION);
        assert_eq!(
            (file.entries[0].rule.as_str(), file.entries[0].line),
            ("TAG001", 1)
        );
        let baseline = Baseline {
            path: "b.json".into(),
            file,
        };

        let v2 = Arc::new(SourceFile::new(
            "app/Dockerfile",
            "# a new comment\nARG X=1\nFROM a:latest\nFROM b:latest\n",
        ));
        let mut findings = vec![
            finding(&v2, "TAG001", "a:latest"),
            finding(&v2, "TAG001", "b:latest"),
        ];
        let scanned = scanned(&["app/Dockerfile"]);
        let scope = Scope {
            root: None,
            scanned: &scanned,
            enabled: None,
        };
        let cmp = apply(&baseline, &mut findings, &scope);
        assert_eq!(
            cmp,
            Comparison {
                file: "b.json".into(),
                entries: 2,
                matched: 1,
                fixed: 1
            }
        );
        assert_eq!(
            findings[0].suppression.as_ref().unwrap().kind,
            SuppressionKind::Baseline
        );
        assert!(findings[1].suppression.is_none());
    }

    #[test]
    fn entries_outside_the_scan_or_for_rules_off_are_not_fixed() {
        let file = BaselineFile {
            version: 1,
            tool: String::new(),
            entries: vec![
                Entry {
                    rule: "TAG001".into(),
                    path: "Cargo.toml".into(),
                    fingerprint: "x:1".into(),
                    line: 1,
                    message: String::new(),
                },
                Entry {
                    rule: "TAG003".into(),
                    path: "a/Dockerfile".into(),
                    fingerprint: "x:1".into(),
                    line: 1,
                    message: String::new(),
                },
                Entry {
                    rule: "TAG001".into(),
                    path: "gone/Dockerfile".into(),
                    fingerprint: "x:1".into(),
                    line: 1,
                    message: String::new(),
                },
            ],
        };
        let baseline = Baseline {
            path: "b.json".into(),
            file,
        };
        let scanned = scanned(&["a/Dockerfile"]);
        let enabled: BTreeSet<String> = ["TAG001".to_string()].into();
        let scope = Scope {
            root: Some(Path::new(env!("CARGO_MANIFEST_DIR"))),
            scanned: &scanned,
            enabled: Some(&enabled),
        };
        let cmp = apply(&baseline, &mut [], &scope);
        assert_eq!((cmp.matched, cmp.fixed), (0, 1));
    }

    #[test]
    fn parse_errors_and_inline_suppressions_are_not_recorded() {
        let f = Arc::new(SourceFile::new("Dockerfile", "FROM a:latest\nRUN x\n"));
        let mut inline = finding(&f, "TAG001", "a:latest");
        inline.suppression = Some(Suppressed {
            justification: "r".into(),
            kind: SuppressionKind::InSource,
        });
        let findings = vec![inline, finding(&f, "PARSE001", "RUN x")];
        assert_eq!(render(&findings, None).1, 0);
    }

    #[test]
    fn bad_files_are_errors_with_a_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, "{\"version\": 1,\n \"entries\": 3}").unwrap();
        assert!(load(&path).unwrap_err().contains(":2:"));
        std::fs::write(&path, "{\"version\": 9, \"entries\": []}").unwrap();
        assert!(load(&path).unwrap_err().contains("version 9"));
        assert!(
            load(&dir.path().join("missing.json"))
                .unwrap_err()
                .contains("cannot read")
        );
    }
}
