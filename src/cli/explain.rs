//! `driftless explain ID`: why a rule matters, how to fix it, examples.

use crate::report::write::print_stdout;

use super::{EXIT_CLEAN, usage_error};

/// Prints one rule's explanation from the catalogue.
pub(super) fn run(id: &str) -> u8 {
    let catalogue = crate::rules::Catalogue::builtin();
    let Some(rule) = catalogue
        .get(&id.to_ascii_uppercase())
        .or_else(|| catalogue.get(&padded(id)))
    else {
        return usage_error(&unknown_rule(&catalogue, id));
    };
    let kinds: Vec<&str> = rule.kinds.iter().map(|k| k.as_str()).collect();
    let mut out = format!(
        "{} — {}\nseverity: {}{}   applies to: {}\n\nWhy it matters\n  {}\n\nHow to fix\n  {}\n\n{}\n",
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
        rule.fix,
        fix_section(&rule.id)
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

/// Whether `driftless scan` can fix the rule's findings itself, with which
/// flag, and what the fix does: users decide from it whether `--fix` is
/// enough or the fix changes behaviour (`--unsafe-fixes`).
fn fix_section(id: &str) -> String {
    let label = crate::rules::fixes::label(id);
    match crate::rules::fixes::description(id) {
        Some(what) => format!("Fix: {label}\n  {what}"),
        None => format!("Fix: {label}"),
    }
}

/// The error for an unknown rule ID, with the closest known ID when there
/// is one (`TAG01` → `TAG001`).
fn unknown_rule(catalogue: &crate::rules::Catalogue, id: &str) -> String {
    let ids = catalogue.iter().map(|r| r.id.as_str());
    match crate::suggest::did_you_mean(id, ids) {
        Some(known) => format!("unknown rule ID `{id}` (did you mean `{known}`?)"),
        None => format!("unknown rule ID `{id}` (see `driftless rules`)"),
    }
}

/// `ssh3` as the catalogue writes it, `SSH003`: letters upper-cased, the
/// number padded to three digits.
fn padded(id: &str) -> String {
    let digits = id.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let letters = &id[..id.len() - digits.len()];
    match digits.parse::<u32>() {
        Ok(n) => format!("{}{n:03}", letters.to_ascii_uppercase()),
        Err(_) => id.to_ascii_uppercase(),
    }
}
