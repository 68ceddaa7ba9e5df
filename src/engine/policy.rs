//! Rego policy files: the embedded built-ins and users' `--policy` folders,
//! classified (library, rule, test) and checked one by one before any engine
//! sees them, so one broken file is reported by name and the rest still load.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::document::Kind;

include!(concat!(env!("OUT_DIR"), "/policies.rs"));

/// One `.rego` file and what it is.
#[derive(Clone, Debug)]
pub struct PolicyFile {
    /// Path shown in diagnostics (`policies/kubernetes/latest_tag.rego`).
    pub path: String,
    pub text: String,
    /// The package path without `data.` (`driftless.kubernetes.latest_tag`).
    pub package: String,
    pub role: Role,
    /// Whether it came from the binary rather than a user folder.
    pub builtin: bool,
}

/// What a policy file is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Shared helpers, loaded into every engine.
    Library,
    /// A rule package for one document kind (it defines `deny`).
    Rule(Kind),
    /// A `_test.rego` file: loaded only by `driftless test`.
    Test,
}

/// A policy that cannot be used, located in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl PolicyError {
    /// Attributes an error found while loading `file` to it: errors without
    /// a location are placed in the file, errors located elsewhere (a
    /// library the file uses) say which file was being loaded.
    pub fn or_in(mut self, file: &str) -> PolicyError {
        if self.line == 0 {
            self.path = file.to_string();
            self.line = 1;
            self.column = 1;
        } else if self.path != file {
            self.message = format!("{} (while loading {file})", self.message);
        }
        self
    }

    /// Turns regorus's formatted error text (`--> file:line:col` header,
    /// `error: message` last line) into a located diagnostic.
    pub fn from_regorus(default_path: &str, err: &anyhow::Error) -> PolicyError {
        let text = err.to_string();
        let mut location = None;
        for line in text.lines() {
            if let Some(rest) = line.trim().strip_prefix("--> ") {
                let mut parts = rest.rsplitn(3, ':');
                if let (Some(c), Some(l), Some(p)) = (parts.next(), parts.next(), parts.next())
                    && let (Ok(c), Ok(l)) = (c.trim().parse(), l.trim().parse())
                {
                    location = Some((p.to_string(), l, c));
                    break;
                }
            }
        }
        let message = text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or(text.trim())
            .to_string();
        let (path, line, column) = location.unwrap_or((default_path.to_string(), 0, 0));
        PolicyError {
            path,
            line,
            column,
            message,
        }
    }
}

/// Reads the package declaration of a Rego file.
pub fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("package")?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let name = rest.split('#').next()?.trim();
        (!name.is_empty()).then(|| name.to_string())
    })
}

/// Decides a file's role from its name and package: `_test.rego` files are
/// tests; a package with a kind segment (`*.kubernetes.*`) that defines
/// `deny` is a rule for that kind; everything else is a library.
pub fn classify(path: &str, text: &str, package: &str) -> Role {
    if path.ends_with("_test.rego") {
        return Role::Test;
    }
    let defines_deny = text.lines().any(|l| {
        l.starts_with("deny ") || l.starts_with("deny[") || l.starts_with("deny contains")
    });
    let kind = package.split('.').find_map(Kind::from_name);
    match kind {
        Some(kind) if defines_deny && !package.contains(".lib.") => Role::Rule(kind),
        _ => Role::Library,
    }
}

/// Builds a [`PolicyFile`] or the error that says why it is not one.
pub fn policy_file(path: String, text: String, builtin: bool) -> Result<PolicyFile, PolicyError> {
    let Some(package) = package_of(&text) else {
        return Err(PolicyError {
            path,
            line: 1,
            column: 1,
            message: "no `package` declaration".into(),
        });
    };
    let role = classify(&path, &text, &package);
    Ok(PolicyFile {
        path,
        text,
        package,
        role,
        builtin,
    })
}

/// The policies compiled into the binary.
pub fn builtin() -> Vec<PolicyFile> {
    EMBEDDED_POLICIES
        .iter()
        .filter_map(|(path, text)| policy_file(path.to_string(), text.to_string(), true).ok())
        .collect()
}

/// Reads every `.rego` file under `dir` (sorted, so load order and
/// diagnostics are stable).
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>, PolicyError> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .follow_links(false)
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| PolicyError {
            path: dir.display().to_string(),
            line: 0,
            column: 0,
            message: e.to_string(),
        })?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "rego") {
            let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
                path: path.display().to_string(),
                line: 0,
                column: 0,
                message: e.to_string(),
            })?;
            files.push((path.to_path_buf(), text));
        }
    }
    if files.is_empty() && !dir.exists() {
        return Err(PolicyError {
            path: dir.display().to_string(),
            line: 0,
            column: 0,
            message: "policy directory does not exist".into(),
        });
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_rules_libraries_and_tests() {
        let rule = "package driftless.kubernetes.latest_tag\n\ndeny contains f if { true }\n";
        assert_eq!(
            classify("a.rego", rule, "driftless.kubernetes.latest_tag"),
            Role::Rule(Kind::Kubernetes)
        );
        let lib = "package driftless.lib.image\n\nparse(x) := x\n";
        assert_eq!(
            classify("image.rego", lib, "driftless.lib.image"),
            Role::Library
        );
        assert_eq!(classify("a_test.rego", rule, "x"), Role::Test);
    }

    #[test]
    fn reads_package_names() {
        assert_eq!(
            package_of("# c\npackage  a.b.c # x\n").as_deref(),
            Some("a.b.c")
        );
        assert_eq!(package_of("packages x"), None);
    }

    #[test]
    fn parses_regorus_error_locations() {
        let err = anyhow::Error::msg(
            "\n--> policies/bad.rego:5:1\n  |\n5 | }\n  | ^\nerror: expecting expression",
        );
        let e = PolicyError::from_regorus("x", &err);
        assert_eq!(
            (e.path.as_str(), e.line, e.column),
            ("policies/bad.rego", 5, 1)
        );
        assert_eq!(e.message, "expecting expression");
    }

    #[test]
    fn every_builtin_policy_has_a_package() {
        assert_eq!(builtin().len(), EMBEDDED_POLICIES.len());
    }
}
