//! The `driftless/explain` request: a rule's explanation (what `driftless
//! explain ID` prints) as Markdown, so an editor can show it beside the
//! diagnostic that carries the rule's ID as its code ("Explain rule under
//! cursor" in the VS Code extension).
//!
//! It answers from the server's catalogue — built-in rules, the workspace's
//! custom rules and the configuration's severity overrides — so the editor
//! explains the rules it actually runs.

use serde::{Deserialize, Serialize};

use crate::report::sarif::help_markdown;
use crate::rules::Catalogue;

/// The request's method name (a server extension, like rust-analyzer's
/// `rust-analyzer/...` requests).
pub const METHOD: &str = "driftless/explain";

/// `{"id": "TAG001"}`: the rule to explain (case-insensitive).
#[derive(Debug, Deserialize)]
pub struct ExplainParams {
    pub id: String,
}

/// The explanation: the rule's ID, title and severity, the Markdown body
/// (why, how to fix, bad and good examples) and the documentation link.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub strict: bool,
    pub markdown: String,
    pub href: String,
}

/// The explanation of a rule, or `None` for an ID the catalogue does not
/// know (the server answers with an error naming it).
pub fn explain(catalogue: &Catalogue, id: &str) -> Option<Explanation> {
    let rule = catalogue
        .get(id.trim())
        .or_else(|| catalogue.get(&id.trim().to_ascii_uppercase()))?;
    let mut markdown = format!("# {}\n\n{}", rule.id, help_markdown(rule));
    if rule.strict {
        markdown.push_str("\nStrict rule: enable it with `driftless.strict` or `strict: true`.\n");
    }
    markdown.push_str(&format!("\nMore: <{}>\n", rule.help_uri()));
    Some(Explanation {
        id: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity.to_string(),
        strict: rule.strict,
        markdown,
        href: rule.help_uri(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_rules_are_explained_case_insensitively() {
        let catalogue = Catalogue::builtin();
        let e = explain(&catalogue, "tag003").expect("TAG003 is built in");
        assert_eq!(e.id, "TAG003");
        assert!(e.strict);
        assert!(e.markdown.starts_with("# TAG003\n"), "{}", e.markdown);
        assert!(e.markdown.contains("**How to fix:**"), "{}", e.markdown);
        assert!(e.href.ends_with("#tag003"));
        assert!(explain(&catalogue, "NOPE001").is_none());
    }
}
