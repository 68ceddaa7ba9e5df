//! `driftless explain ID`: why a rule matters, how to fix it, examples.

use crate::report::write::print_stdout;

use super::{EXIT_CLEAN, usage_error};

/// Prints one rule's explanation from the catalogue.
pub(super) fn run(id: &str) -> u8 {
    let catalogue = crate::rules::Catalogue::builtin();
    let Some(rule) = catalogue.get(&id.to_ascii_uppercase()) else {
        return usage_error(&format!("unknown rule ID `{id}` (see `driftless rules`)"));
    };
    let kinds: Vec<&str> = rule.kinds.iter().map(|k| k.as_str()).collect();
    let mut out = format!(
        "{} — {}\nseverity: {}{}   applies to: {}\n\nWhy it matters\n  {}\n\nHow to fix\n  {}\n",
        rule.id,
        rule.title.replace('`', ""),
        rule.severity,
        if rule.strict {
            " (strict: enable with --strict)"
        } else {
            ""
        },
        kinds.join(", "),
        rule.why,
        rule.fix
    );
    for (label, example) in [("Bad", &rule.bad), ("Good", &rule.good)] {
        if !example.is_empty() {
            out.push_str(&format!("\n{label}\n"));
            for line in example.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out.push_str(&format!("\nMore: {}\n", rule.help_uri()));
    print_stdout(&out);
    EXIT_CLEAN
}
