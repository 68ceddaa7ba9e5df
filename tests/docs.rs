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
