//! The rule catalogue (`policies/catalogue.yaml`): each rule ID's title,
//! default severity, explanation and examples, written once and rendered by
//! `driftless rules`, `driftless explain`, SARIF and the README.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::document::{Kind, Problem};
use crate::finding::Severity;

pub mod fixes;

/// Where rule documentation lives online (SARIF `helpUri`, LSP code links).
pub const DOCS_URL: &str = "https://github.com/driftless-dev/driftless/blob/main/docs/rules.md";

/// The ID of the finding produced for files that cannot be parsed.
pub const PARSE_ERROR: &str = Problem::Unparsed.rule_id();

/// The ID of the finding produced for parts of a document that could not be
/// evaluated or bounded (budget exhausted, expansion over its limit).
pub const EVAL_INCOMPLETE: &str = Problem::Incomplete.rule_id();

/// Whether a rule ID is one of the fail-closed diagnostics (`PARSE001`,
/// `EVAL001`): they always fail the gate, cannot be silenced inline or by a
/// baseline, and their severity cannot be changed. Only an explicit
/// `--ignore`/config `ignore` entry (or an `exclude`) turns them off, where a
/// reviewer sees it.
pub fn fails_closed(id: &str) -> bool {
    id == PARSE_ERROR || id == EVAL_INCOMPLETE
}

/// Everything users and reports need to know about one rule ID.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleInfo {
    #[serde(default)]
    pub id: String,
    /// PascalCase name (SARIF `name`).
    pub name: String,
    pub title: String,
    pub severity: Severity,
    /// Strict rules are off unless `--strict` (or config) enables them.
    #[serde(default)]
    pub strict: bool,
    pub kinds: Vec<Kind>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Why it matters for immutable infrastructure.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    #[serde(default)]
    pub bad: String,
    #[serde(default)]
    pub good: String,
    /// Set for rules from `--policy` directories.
    #[serde(default)]
    pub custom: bool,
}

impl RuleInfo {
    /// The documentation anchor for this rule.
    pub fn help_uri(&self) -> String {
        format!("{DOCS_URL}#{}", self.id.to_ascii_lowercase())
    }

    /// The metadata of a user rule that gives only some fields: the rest
    /// gets neutral defaults so every rule renders in every format.
    pub fn custom(id: &str, meta: &serde_json::Value, kind: Kind) -> RuleInfo {
        let text = |k: &str| meta.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let title = text("title").unwrap_or_else(|| id.to_string());
        RuleInfo {
            id: id.to_string(),
            name: text("name").unwrap_or_else(|| id.replace(|c: char| !c.is_alphanumeric(), "")),
            why: text("description")
                .or_else(|| text("why"))
                .unwrap_or_else(|| title.clone()),
            fix: text("remediation")
                .or_else(|| text("fix"))
                .unwrap_or_default(),
            title,
            severity: text("severity")
                .and_then(|s| s.parse().ok())
                .unwrap_or(Severity::Medium),
            strict: meta
                .get("strict")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            kinds: vec![kind],
            tags: meta
                .get("tags")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            bad: text("bad").unwrap_or_default(),
            good: text("good").unwrap_or_default(),
            custom: true,
        }
    }
}

/// All known rules by ID.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    rules: BTreeMap<String, RuleInfo>,
}

/// The embedded catalogue text.
pub const CATALOGUE_YAML: &str = include_str!("../policies/catalogue.yaml");

impl Catalogue {
    /// The built-in catalogue. It is part of the binary, so a failure to load
    /// it is a build defect caught by the test suite.
    pub fn builtin() -> Catalogue {
        Catalogue::from_yaml(CATALOGUE_YAML).expect("embedded catalogue is valid")
    }

    /// Parses catalogue YAML (a map from ID to [`RuleInfo`]).
    pub fn from_yaml(text: &str) -> anyhow::Result<Catalogue> {
        let value = crate::parse::yaml::load_value(text)?;
        let mut rules: BTreeMap<String, RuleInfo> = serde_json::from_value(value)?;
        for (id, rule) in rules.iter_mut() {
            rule.id = id.clone();
        }
        Ok(Catalogue { rules })
    }

    /// The rule with this ID.
    pub fn get(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.get(id)
    }

    /// Adds (or replaces) a rule: used for custom policies.
    pub fn insert(&mut self, rule: RuleInfo) {
        self.rules.insert(rule.id.clone(), rule);
    }

    /// Rules in ID order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.values()
    }

    /// Whether an ID is known (used to reject typos in config and suppressions).
    pub fn contains(&self, id: &str) -> bool {
        self.rules.contains_key(id)
    }
}

/// The rule's `driftless scan --fix` line: whether it has an automatic
/// fix, the flag it needs and what it does.
fn automatic_fix(id: &str) -> String {
    let label = fixes::label(id);
    match fixes::description(id) {
        Some(what) => format!(
            "\n**Automatic fix:** {} — {what}\n",
            label.replace('(', "(`").replace(')', "`)")
        ),
        None => "\n**Automatic fix:** none.\n".into(),
    }
}

/// The catalogue as a Markdown page (docs/rules.md is this text; a test
/// keeps the file in sync).
pub fn markdown(catalogue: &Catalogue) -> String {
    let mut md = String::from(
        "# Rule catalogue\n\n<!-- Generated from policies/catalogue.yaml by `DRIFTLESS_BLESS=1 cargo test --test docs`. Do not edit. -->\n\n| ID | title | formats | severity | strict |\n|---|---|---|---|---|\n",
    );
    for r in catalogue.iter() {
        let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
        md.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            r.id,
            r.id.to_ascii_lowercase(),
            r.title,
            kinds.join(", "),
            r.severity,
            if r.strict { "yes" } else { "" }
        ));
    }
    for r in catalogue.iter() {
        md.push_str(&format!(
            "\n## {}\n\n**{}** — severity `{}`{}\n\n{}\n\n**How to fix:** {}\n",
            r.id,
            r.title,
            r.severity,
            if r.strict {
                ", strict (enable with `--strict`)"
            } else {
                ""
            },
            r.why,
            r.fix
        ));
        md.push_str(&automatic_fix(&r.id));
        if !r.bad.is_empty() {
            md.push_str(&format!("\nBad:\n\n```\n{}```\n", r.bad));
        }
        if !r.good.is_empty() {
            md.push_str(&format!("\nGood:\n\n```\n{}```\n", r.good));
        }
    }
    md
}
