//! The editor's settings (`driftless.config`, `driftless.strict`,
//! `driftless.select`, `driftless.ignore`): sent by the client as
//! initialization options and again in `workspace/didChangeConfiguration`,
//! so a user changes what the server checks without a config file or a
//! restart. They map onto the CLI's flags ([`Flags`]) and win over the
//! configuration file exactly like `driftless scan --strict --select …`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::workspace::Flags;

/// The section name the settings live under in the client's configuration
/// (`{"driftless": {...}}`); a bare object with the same keys is accepted
/// too, for clients that send their own section only.
pub const SECTION: &str = "driftless";

/// What the editor asked for. Keys the server does not use (`path`,
/// `trace`) are the client's business and are ignored here.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default, rename_all = "camelCase")]
pub struct EditorSettings {
    /// A configuration file to use instead of the `.driftless.yaml` found
    /// upward from the workspace folder; relative to the workspace folder.
    pub config: Option<String>,
    /// Enable strict rules (`--strict`).
    pub strict: bool,
    /// Only run these rule IDs (`--select`); empty: the config's choice.
    pub select: Vec<String>,
    /// Do not run these rule IDs (`--ignore`).
    pub ignore: Vec<String>,
}

impl EditorSettings {
    /// Reads settings from initialization options or a configuration
    /// change: `null` (the client sent none) is the defaults; anything
    /// else must have the documented shape, or the error says which field
    /// is wrong so the user sees it instead of silently other rules.
    pub fn from_value(value: &Value) -> Result<EditorSettings, String> {
        let section = match value {
            Value::Null => return Ok(EditorSettings::default()),
            Value::Object(map) => map.get(SECTION).unwrap_or(value),
            _ => value,
        };
        if section.is_null() {
            return Ok(EditorSettings::default());
        }
        let mut settings = EditorSettings::deserialize(section)
            .map_err(|e| format!("invalid `{SECTION}` settings: {e}"))?;
        settings.normalise();
        Ok(settings)
    }

    /// Trims IDs and paths; blank entries (an empty settings field in the
    /// editor's UI) mean "not set".
    fn normalise(&mut self) {
        let clean = |list: &mut Vec<String>| {
            *list = list
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
        };
        clean(&mut self.select);
        clean(&mut self.ignore);
        self.config = self
            .config
            .take()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
    }

    /// The settings as the CLI's flags, so the workspace setup merges them
    /// with the configuration file the way it merges `driftless scan`'s.
    pub fn flags(&self) -> Flags {
        Flags {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            strict: self.strict,
            ..Flags::default()
        }
    }

    /// The configuration file the setting names, resolved against the
    /// workspace folder when it is relative. `None` when not set.
    pub fn config_path(&self, root: Option<&Path>) -> Option<PathBuf> {
        let path = PathBuf::from(self.config.as_ref()?);
        Some(match root {
            Some(root) if path.is_relative() => root.join(path),
            _ => path,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn settings_come_from_the_section_or_a_bare_object() {
        let expected = EditorSettings {
            config: Some("ci/driftless.yaml".into()),
            strict: true,
            select: vec!["TAG001".into()],
            ignore: Vec::new(),
        };
        let bare = json!({"config": " ci/driftless.yaml ", "strict": true, "select": ["TAG001", " "], "path": "/x"});
        assert_eq!(EditorSettings::from_value(&bare), Ok(expected.clone()));
        let nested = json!({"driftless": bare});
        assert_eq!(EditorSettings::from_value(&nested), Ok(expected));
        assert_eq!(
            EditorSettings::from_value(&Value::Null),
            Ok(EditorSettings::default())
        );
    }

    #[test]
    fn wrong_types_are_errors_not_defaults() {
        let err = EditorSettings::from_value(&json!({"driftless": {"strict": "yes"}}));
        assert!(err.unwrap_err().contains("invalid `driftless` settings"));
    }

    #[test]
    fn settings_become_flags_and_a_config_path() {
        let s = EditorSettings {
            config: Some("ci/d.yaml".into()),
            strict: true,
            select: vec!["TAG003".into()],
            ignore: vec!["VER004".into()],
        };
        let flags = s.flags();
        assert!(flags.strict);
        assert_eq!(flags.select, ["TAG003"]);
        assert_eq!(flags.ignore, ["VER004"]);
        assert_eq!(
            s.config_path(Some(Path::new("/w"))),
            Some(PathBuf::from("/w/ci/d.yaml"))
        );
        assert_eq!(EditorSettings::default().config_path(None), None);
    }
}
