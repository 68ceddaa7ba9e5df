//! Warnings: problems with the gate's own inputs (suppression comments and
//! annotations) that do not fail the gate but must not go unnoticed — an
//! expired suppression, a typo in a rule ID, a suppression left behind after
//! its finding was fixed. Every report format shows them.

use std::path::PathBuf;

use serde::Serialize;

use crate::document::{Position, SourceFile};

/// What a warning is about; the code is shown in every format so scripts
/// can filter on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A suppression that cannot be honoured: malformed, no reason, unknown
    /// rule ID, or a rule that cannot be suppressed.
    InvalidSuppression,
    /// A suppression past its `until=` date.
    ExpiredSuppression,
    /// A suppression that matched no finding.
    UnusedSuppression,
    /// A custom rule the VM compiler rejects: it runs on the interpreter,
    /// bounded by the clock rather than a budget of work.
    RuleOnInterpreter,
}

impl WarningKind {
    /// The stable code shown in reports (`invalid-suppression`, …).
    pub fn code(self) -> &'static str {
        match self {
            WarningKind::InvalidSuppression => "invalid-suppression",
            WarningKind::ExpiredSuppression => "expired-suppression",
            WarningKind::UnusedSuppression => "unused-suppression",
            WarningKind::RuleOnInterpreter => "rule-on-interpreter",
        }
    }
}

/// One warning, located in a file when it is about a place in one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The file as shown in reports (empty when the warning has no file).
    pub path: PathBuf,
    /// 1-based position in `path`, when known.
    pub position: Option<Position>,
    pub message: String,
}

impl Warning {
    /// A warning at a byte offset of a source file.
    pub fn at(
        kind: WarningKind,
        file: &SourceFile,
        offset: usize,
        message: impl Into<String>,
    ) -> Self {
        Warning {
            kind,
            path: file.path.clone(),
            position: Some(file.position(offset)),
            message: message.into(),
        }
    }

    /// A warning about a whole file (or none, with an empty path).
    pub fn in_file(
        kind: WarningKind,
        path: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Warning {
            kind,
            path: path.into(),
            position: None,
            message: message.into(),
        }
    }

    /// The path with forward slashes, as reports print it.
    pub fn display_path(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// `path:line:col: warning[code]: message` — the one-line form used on
    /// the console.
    pub fn to_line(&self) -> String {
        let place = match (self.path.as_os_str().is_empty(), self.position) {
            (true, _) => String::new(),
            (false, Some(p)) => format!("{}:{}:{}: ", self.display_path(), p.line, p.column),
            (false, None) => format!("{}: ", self.display_path()),
        };
        format!("{place}warning[{}]: {}", self.kind.code(), self.message)
    }

    /// The order reports list warnings in: by file, then position.
    pub fn sort_key(&self) -> (&std::path::Path, Option<Position>, WarningKind) {
        (&self.path, self.position, self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_form_has_place_code_and_message() {
        let file = SourceFile::new("k8s/app.yaml", "a: 1\n# x\n");
        let w = Warning::at(WarningKind::UnusedSuppression, &file, 5, "nothing here");
        assert_eq!(
            w.to_line(),
            "k8s/app.yaml:2:1: warning[unused-suppression]: nothing here"
        );
        let w = Warning::in_file(WarningKind::InvalidSuppression, "", "gone");
        assert_eq!(w.to_line(), "warning[invalid-suppression]: gone");
    }
}
