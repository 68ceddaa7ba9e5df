//! `driftless rules`: the catalogue as a table or JSON.

use crate::report::write::print_stdout;

use super::EXIT_CLEAN;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(super) enum ListFormat {
    Text,
    Json,
}

/// Prints every built-in rule: ID, severity, strictness, kinds, title.
pub(super) fn run(format: ListFormat) -> u8 {
    let catalogue = crate::rules::Catalogue::builtin();
    match format {
        ListFormat::Json => {
            let rules: Vec<_> = catalogue.iter().collect();
            print_stdout(&format!(
                "{}\n",
                serde_json::to_string_pretty(&rules).unwrap_or_default()
            ));
        }
        ListFormat::Text => {
            let mut out = format!(
                "{:<9} {:<9} {:<7} {:<38} TITLE\n",
                "ID", "SEVERITY", "STRICT", "FORMATS"
            );
            for r in catalogue.iter() {
                let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
                out.push_str(&format!(
                    "{:<9} {:<9} {:<7} {:<38} {}\n",
                    r.id,
                    r.severity,
                    if r.strict { "yes" } else { "no" },
                    kinds.join(","),
                    r.title.replace('`', "")
                ));
            }
            print_stdout(&out);
        }
    }
    EXIT_CLEAN
}
