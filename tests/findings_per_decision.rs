//! One finding per decision (issue #16): an install command with several
//! unpinned packages is one VER004 finding, with the other packages as
//! related locations, and its baseline fingerprint survives one more
//! package on the same line.

mod common;

use common::{driftless, temp_tree};

fn scan(dir: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = driftless()
        .current_dir(dir)
        .args(["scan", "--format", "json", "--select", "VER004"])
        .args(args)
        .arg(".")
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), report)
}

#[test]
fn an_install_command_is_one_finding_with_related_locations() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apt-get install -y gcc make=4.3-4.1 git \\\n    curl\n",
    )]);
    let (code, report) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = &findings[0];
    assert_eq!(f["start"], serde_json::json!({"line": 2, "column": 24}));
    let related: Vec<(u64, u64, &str)> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["column"].as_u64().unwrap(),
                r["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            (2, 41, "`git` is not pinned either"),
            (3, 5, "`curl` is not pinned either")
        ]
    );
}

#[test]
fn baseline_survives_one_more_package_on_the_line() {
    let dir = temp_tree(&[(
        "Dockerfile",
        "FROM debian:12\nRUN apt-get install -y gcc git\n",
    )]);
    let (code, _) = scan(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code, 0);
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN apt-get install -y gcc git curl\n",
    )
    .unwrap();
    let (code, report) = scan(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["baseline"]["compared"]["matched"], 1);
    // A second install command is a new decision: it fails the gate.
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN apt-get install -y gcc git curl\nRUN pip install flask\n",
    )
    .unwrap();
    let (code, report) = scan(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["summary"]["findings"], 1);
}
