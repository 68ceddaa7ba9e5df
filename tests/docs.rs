//! Documentation stays true: docs/rules.md is generated from the catalogue
//! (regenerate with `DRIFTLESS_BLESS=1 cargo test --test docs`), and the
//! README lists every rule with its default severity.

use driftless::rules::{Catalogue, markdown};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rules_page_is_generated_from_the_catalogue() {
    let want = markdown(&Catalogue::builtin());
    let path = root().join("docs/rules.md");
    if std::env::var_os("DRIFTLESS_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `DRIFTLESS_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn readme_lists_every_rule_with_its_severity() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for rule in Catalogue::builtin().iter() {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", rule.id)))
            .unwrap_or_else(|| panic!("README has no catalogue row for {}", rule.id));
        assert!(
            row.trim_end().ends_with(&format!("| {} |", rule.severity)),
            "README row for {} does not end with its severity {}: {row}",
            rule.id,
            rule.severity
        );
    }
}

#[test]
fn readme_custom_rule_example_passes_its_tests() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    for block in readme.split("```rego\n").skip(1) {
        let body = block.split("```").next().unwrap();
        if let Some(name) = body
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# my-policies/"))
        {
            std::fs::write(dir.path().join(name.trim()), body).unwrap();
            written += 1;
        }
    }
    assert_eq!(
        written, 2,
        "the README example should have a rule and its test"
    );
    let out = assert_cmd::Command::cargo_bin("driftless")
        .unwrap()
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("2 passed, 0 failed"), "{text}");
}
