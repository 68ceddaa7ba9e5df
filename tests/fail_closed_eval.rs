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

/// A `locals` block Terraform evaluates in seconds: a `for` over a
/// 1,000-element list nested in another (a million elements).
fn heavy_locals() -> String {
    let numbers: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    format!(
        "locals {{\n  numbers = [{}]\n  pairs   = flatten([for a in local.numbers : [for b in local.numbers : \"${{a}}-${{b}}\"]])\n}}\n",
        numbers.join(", ")
    )
}

const OPEN_SSH: &str = r#"resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;

#[test]
fn a_heavy_local_does_not_hide_later_literals_in_either_file_order() {
    for (heavy, sg) in [
        ("a_locals.tf", "z_network.tf"),
        ("z_locals.tf", "a_network.tf"),
    ] {
        let dir = temp_tree(&[(heavy, &heavy_locals()), (sg, OPEN_SSH)]);
        let (code, hits, report) = scan_dir(&dir);
        assert_eq!(code, 1);
        assert_eq!(
            relative(&dir, &hits),
            [hit("EVAL001", heavy, 3, 13), hit("SSH001", sg, 6, 20)],
            "{heavy} then {sg}"
        );
        assert!(message(&report, "EVAL001").contains("local `pairs`"));
    }
}

#[test]
fn a_module_of_120000_resources_is_evaluated_to_its_last_file() {
    let mut files: Vec<(String, String)> = (0..120)
        .map(|f| {
            let text: String = (0..1000)
                .map(|r| {
                    format!(
                        "resource \"aws_instance\" \"r{f}_{r}\" {{\n  ami           = \"ami-0abc\"\n  instance_type = \"t3.micro\"\n  monitoring    = true\n  tags          = {{ Name = \"r{f}_{r}\" }}\n}}\n"
                    )
                })
                .collect();
            (format!("m{f:03}.tf"), text)
        })
        .collect();
    files.push(("z_network.tf".to_string(), OPEN_SSH.to_string()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = temp_tree(&refs);
    let (code, hits, _) = scan_dir(&dir);
    assert_eq!(code, 1);
    assert_eq!(
        relative(&dir, &hits),
        [hit("SSH001", "z_network.tf", 6, 20)]
    );
}
