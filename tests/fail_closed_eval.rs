//! Fail closed when evaluation hits a bound (issue #13): what the tool could
//! not evaluate or expand is an `EVAL001` at its location, everything else
//! is still evaluated and judged, and the outcome does not depend on the
//! order of files.

mod common;

use common::{Hit, hit, only, scan_json, temp_tree};

fn scan_dir(dir: &tempfile::TempDir) -> (i32, Vec<Hit>, serde_json::Value) {
    scan_json(&[dir.path().to_str().expect("utf-8 temp path")])
}

/// Hits with the temporary directory's prefix removed from their paths.
fn relative(dir: &tempfile::TempDir, hits: &[Hit]) -> Vec<Hit> {
    let prefix = format!("{}/", dir.path().display());
    hits.iter()
        .map(|h| Hit {
            path: h.path.trim_start_matches(&prefix).to_string(),
            ..h.clone()
        })
        .collect()
}

/// The message of the first finding of `rule`.
fn message(report: &serde_json::Value, rule: &str) -> String {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == rule)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// A 615-byte Dockerfile whose `ARG`s double 26 times (4 GB if expanded).
fn doubling_dockerfile() -> String {
    let mut text =
        String::from("ARG A0=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxy\n");
    for i in 1..=26 {
        text.push_str(&format!("ARG A{i}=${{A{p}}}${{A{p}}}\n", p = i - 1));
    }
    text.push_str("FROM alpine:${A26}\nEXPOSE 22\n");
    text
}

#[test]
fn doubling_args_are_reported_where_they_go_over_the_bound_and_the_rest_is_scanned() {
    let text = doubling_dockerfile();
    let dir = temp_tree(&[("Dockerfile", &text)]);
    let (code, hits, report) = scan_dir(&dir);
    let hits = relative(&dir, &hits);
    assert_eq!(code, 1);
    let line_of =
        |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() as u64 + 1;
    // 64 bytes doubled: A10 is 64 KiB, A11 would pass the 64 KiB bound
    let evals = only("EVAL001", &hits);
    assert!(
        evals.contains(&hit("EVAL001", "Dockerfile", line_of("ARG A11="), 9)),
        "{evals:?}"
    );
    assert!(message(&report, "EVAL001").contains("ARG substitution"));
    // the instructions after the ARGs are still judged
    assert_eq!(
        only("SSH003", &hits),
        [hit("SSH003", "Dockerfile", line_of("EXPOSE"), 8)]
    );
}
