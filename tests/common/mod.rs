//! Helpers shared by the end-to-end tests: run the real binary, read its
//! JSON report.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root (fixtures are addressed from here).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `driftless` running in the repository root.
pub fn driftless() -> Command {
    let mut cmd = Command::cargo_bin("driftless").expect("binary built");
    cmd.current_dir(root());
    cmd.env_remove("GITHUB_ACTIONS");
    cmd.env_remove("GITHUB_WORKSPACE");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// One finding reduced to what tests assert: rule, file, line, column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub rule: String,
    pub path: String,
    pub line: u64,
    pub column: u64,
}

/// Shorthand constructor for expected hits.
pub fn hit(rule: &str, path: &str, line: u64, column: u64) -> Hit {
    Hit {
        rule: rule.into(),
        path: path.into(),
        line,
        column,
    }
}

/// Runs `driftless scan --format json ARGS...` and returns (exit code, hits).
pub fn scan_json(args: &[&str]) -> (i32, Vec<Hit>, serde_json::Value) {
    let out = driftless()
        .arg("scan")
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let mut hits: Vec<Hit> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f.get("suppressed").is_none())
        .map(|f| Hit {
            rule: f["rule_id"].as_str().unwrap().to_string(),
            path: f["path"].as_str().unwrap().to_string(),
            line: f["start"]["line"].as_u64().unwrap(),
            column: f["start"]["column"].as_u64().unwrap(),
        })
        .collect();
    hits.sort();
    (out.status.code().unwrap_or(-1), hits, report)
}

/// Hits for one rule only.
pub fn only(rule: &str, hits: &[Hit]) -> Vec<Hit> {
    hits.iter().filter(|h| h.rule == rule).cloned().collect()
}

/// Writes files into a temporary directory: `[(relative path, content)]`.
pub fn temp_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap_or(Path::new("."))).unwrap();
        std::fs::write(full, content).unwrap();
    }
    dir
}
