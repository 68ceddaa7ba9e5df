//! The config file, `.driftless.yaml`: what a platform team commits once
//! per repository — rule selection, severity overrides, excluded paths,
//! extra policies, the failure threshold, per-rule options, the baseline.
//!
//! Found upward from the scan root (stopping at the repository root), or
//! named with `--config`. Every problem is an error with the file, line and
//! column, and a suggestion for misspelt keys and values: a config key that
//! is silently ignored is a gate that silently does something else.
//! Command-line flags override the file (`docs/ci-gate.md`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::document::{PathSeg, SourceFile, SourceMap};
use crate::finding::Severity;
use crate::rules::{Catalogue, fails_closed};
use crate::suggest::did_you_mean;

/// File names looked for, in order.
pub const FILE_NAMES: [&str; 2] = [".driftless.yaml", ".driftless.yml"];

/// Top-level keys, in documentation order.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "strict",
    "severity",
    "exclude",
    "policies",
    "fail_on",
    "max_file_size",
    "max_memory",
    "options",
    "baseline",
    "inline_ignores",
    "fix",
];

/// Options the built-in rules define (each a list of strings), so a typo in
/// an option name is caught like a typo in a key. Rules from `policies`
/// directories may take any options.
pub const RULE_OPTIONS: &[(&[&str], &str, &str)] = &[
    (
        &["TAG001", "TAG002", "TAG003"],
        "allowed_images",
        "glob patterns of image references the rule accepts, e.g. `*/base:latest`",
    ),
    (
        &["UPD001"],
        "resource_types",
        "the resource types treated as servers (replaces the built-in list)",
    ),
    (
        &["SSH001"],
        "allowed_sources",
        "source ranges the rule accepts (e.g. a VPN range that looks public)",
    ),
];

/// A problem in the config file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// A loaded config. `None` fields were not set (the flag or the default
/// applies); paths are resolved against the config file's directory.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub strict: Option<bool>,
    pub severity: BTreeMap<String, Severity>,
    /// Exclude globs as written.
    pub exclude: Vec<String>,
    /// The compiled `exclude` globs, anchored at the config's directory.
    pub exclude_set: Option<Excludes>,
    pub policies: Vec<PathBuf>,
    pub fail_on: Option<Severity>,
    pub max_file_size: Option<u64>,
    /// `max_memory`: where the scan stops with exit code 2 (`crate::memory`).
    pub max_memory: Option<u64>,
    /// Per-rule options, passed to rules as `data.driftless.config.options`.
    pub options: serde_json::Map<String, Value>,
    pub baseline: Option<PathBuf>,
    pub inline_ignores: Option<bool>,
    /// `fix:`, the defaults of `driftless scan --fix` (flags win).
    pub fix: FixSettings,
    locator: Option<Arc<Locator>>,
}

/// The config's `fix:` mapping: how `--fix` reaches registries, so a team
/// writes its mirror once instead of in every CI job.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSettings {
    /// `false`: only fixes that need no network (`--no-network`).
    pub network: Option<bool>,
    /// Seconds a registry request may take (`--registry-timeout`).
    #[serde(default, deserialize_with = "seconds")]
    pub registry_timeout: Option<std::time::Duration>,
    /// `os/arch[/variant]` (`--platform`).
    #[serde(default, deserialize_with = "platform")]
    pub platform: Option<String>,
    /// Registry host → mirror URL (`--registry-mirror HOST=URL`).
    #[serde(default)]
    pub registry_mirrors: BTreeMap<String, String>,
}

fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<std::time::Duration>, D::Error> {
    let text = match Value::deserialize(d)? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s,
        other => format!("{other}"),
    };
    crate::fix::parse_seconds(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn platform<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    crate::fix::parse_platform(&String::deserialize(d)?)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// Turns a path into the config's value back into a line and column.
#[derive(Debug)]
struct Locator {
    file: Arc<SourceFile>,
    map: SourceMap,
}

impl Locator {
    fn error(&self, path: &[PathSeg], message: impl Into<String>) -> ConfigError {
        let (node, _) = self.map.locate(path);
        let pos = self.file.position(node.span.start as usize);
        ConfigError {
            file: self.file.path.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// The config file that applies to a scan of `start`: the first of
/// [`FILE_NAMES`] in `start` (or its directory) and its parents, up to and
/// including the repository root (the directory holding `.git`). Outside a
/// repository only `start` itself is looked in: a config file that happens
/// to sit in `/tmp` or a home directory must not decide what is scanned.
pub fn find(start: &Path) -> Option<PathBuf> {
    let dir = start_dir(start)?;
    let top = repository_root(&dir).unwrap_or_else(|| dir.clone());
    find_between(&dir, &top)
}

/// The config file for a scan of `paths`, the same whatever their order:
/// looked for from the deepest directory holding them all up to the
/// repository root; outside a repository, up to the current directory when
/// the paths are under it (`driftless scan infra/` in a project), else in
/// that directory only.
pub fn find_for_paths(paths: &[PathBuf]) -> Option<PathBuf> {
    let dir = start_dir(&scan_root(paths))?;
    let top = repository_root(&dir).unwrap_or_else(|| {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| std::fs::canonicalize(cwd).ok())
            .filter(|cwd| dir.starts_with(cwd))
            .unwrap_or_else(|| dir.clone())
    });
    find_between(&dir, &top)
}

/// `start` as an absolute directory (a file's parent).
fn start_dir(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    if start.is_file() {
        start.parent().map(Path::to_path_buf)
    } else {
        Some(start)
    }
}

/// The first config file in `dir` and its parents, not above `top`.
fn find_between(dir: &Path, top: &Path) -> Option<PathBuf> {
    for ancestor in dir.ancestors() {
        for name in FILE_NAMES {
            let candidate = ancestor.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if ancestor == top {
            break;
        }
    }
    None
}

/// The deepest directory holding every path that exists (symlinks and `..`
/// resolved), or the current directory when none does (`-` for stdin).
pub fn scan_root(paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .map(|p| {
            if p.is_file() {
                p.parent().map_or(p.clone(), Path::to_path_buf)
            } else {
                p
            }
        })
        .collect();
    let Some((first, rest)) = dirs.split_first() else {
        return PathBuf::from(".");
    };
    let mut root = first.clone();
    for dir in rest {
        while !dir.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    root
}

/// The nearest directory at or above `dir` that holds `.git`.
fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The raw shape, checked by serde (types) after the keys were checked by
/// hand (for suggestions).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    strict: Option<bool>,
    severity: Option<BTreeMap<String, Level>>,
    exclude: Option<Vec<String>>,
    policies: Option<Vec<String>>,
    fail_on: Option<Level>,
    max_file_size: Option<Size>,
    max_memory: Option<Size>,
    options: Option<BTreeMap<String, Option<serde_json::Map<String, Value>>>>,
    baseline: Option<String>,
    inline_ignores: Option<bool>,
    fix: Option<FixSettings>,
}

/// A rule severity written in the config (`critical|high|medium|low`).
struct Level(Severity);

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_level(&text)
            .map(Level)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a severity a user may set: `error` is reserved for PARSE001.
pub fn parse_level(text: &str) -> Result<Severity, String> {
    const NAMES: [&str; 4] = ["critical", "high", "medium", "low"];
    match text.parse::<Severity>() {
        Ok(Severity::Error) | Err(_) => {
            let hint = did_you_mean(text, NAMES)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Err(format!(
                "`{text}` is not a severity (expected critical, high, medium or low{hint})"
            ))
        }
        Ok(s) => Ok(s),
    }
}

/// A size in bytes: a number, or a string with a unit (`512KB`, `10MB`,
/// `1GB`; units are binary, 1 KB = 1024 bytes).
struct Size(u64);

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_u64()
                .map(Size)
                .ok_or_else(|| serde::de::Error::custom("a size must be a whole number of bytes")),
            Value::String(s) => parse_size(&s).map(Size).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "expected a size such as `10MB` or a number of bytes, found {other}"
            ))),
        }
    }
}

/// Parses `512KB`, `10MB`, `1GB` or a number of bytes (1 KB = 1024 bytes);
/// shared by the config key and the `--max-file-size` flag.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size (use e.g. `512KB`, `10MB`, `1GB`)"
            ));
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (use e.g. `512KB`, `10MB`, `1GB`)"))?;
    n.checked_mul(factor)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is out of range"))
}

impl Config {
    /// Reads and checks a config file. All problems found are returned.
    pub fn load(path: &Path) -> Result<Config, Vec<ConfigError>> {
        let whole = |message: String| {
            vec![ConfigError {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
                message,
            }]
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| whole(format!("cannot read config file: {e}")))?;
        Config::parse(path, text)
    }

    /// Checks config text (`path` is where it came from, for messages and
    /// for resolving relative paths).
    pub fn parse(path: &Path, text: String) -> Result<Config, Vec<ConfigError>> {
        let file = Arc::new(SourceFile::new(path, text));
        let (value, map) = crate::parse::yaml::load_one(&file).map_err(|e| {
            let pos = file.position(e.start);
            vec![ConfigError {
                file: path.to_path_buf(),
                line: pos.line,
                column: pos.column,
                message: format!("not valid YAML: {}", e.message),
            }]
        })?;
        let locator = Arc::new(Locator { file, map });
        let value = match value {
            Value::Null => Value::Object(Default::default()),
            v => v,
        };
        if !value.is_object() {
            return Err(vec![locator.error(
                &[],
                "the config must be a mapping of settings (see `driftless init`)",
            )]);
        }
        let mut value = value;
        let mut errors = unknown_keys(&value, &locator);
        if let Some(map) = value.as_object_mut() {
            map.retain(|k, _| KEYS.contains(&k.as_str()));
        }
        let raw: Raw = match serde_path_to_error::deserialize(value) {
            Ok(raw) => raw,
            Err(e) => {
                let path = error_path(e.path());
                let name = e.path().to_string();
                errors.push(locator.error(&path, format!("`{name}`: {}", e.inner())));
                errors.sort_by_key(|e| (e.line, e.column));
                return Err(errors);
            }
        };
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut config = Config {
            path: Some(path.to_path_buf()),
            select: raw.select,
            ignore: raw.ignore,
            strict: raw.strict,
            severity: raw
                .severity
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect(),
            exclude: raw.exclude.unwrap_or_default(),
            exclude_set: None,
            policies: raw
                .policies
                .unwrap_or_default()
                .iter()
                .map(|p| base.join(p))
                .collect(),
            fail_on: raw.fail_on.map(|l| l.0),
            max_file_size: raw.max_file_size.map(|s| s.0),
            max_memory: raw.max_memory.map(|s| s.0),
            options: raw
                .options
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, Value::Object(v.unwrap_or_default())))
                .collect(),
            baseline: raw.baseline.map(|b| base.join(b)),
            inline_ignores: raw.inline_ignores,
            fix: raw.fix.unwrap_or_default(),
            locator: Some(locator.clone()),
        };
        match compile_excludes(&config.exclude, &locator) {
            Ok(set) => {
                config.exclude_set = set.map(|globs| Excludes {
                    globs,
                    base: crate::repo::normalize(&base),
                })
            }
            Err(mut e) => errors.append(&mut e),
        }
        errors.sort_by_key(|e| (e.line, e.column));
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Checks every rule ID the config names against the catalogue (known
    /// once the config's `policies` are loaded).
    pub fn check_rules(&self, catalogue: &Catalogue) -> Vec<ConfigError> {
        let Some(locator) = &self.locator else {
            return Vec::new();
        };
        let ids = || catalogue.iter().map(|r| r.id.as_str());
        let unknown = |id: &str| {
            let hint = did_you_mean(id, ids())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            format!("unknown rule ID `{id}` (see `driftless rules`){hint}")
        };
        let mut errors = Vec::new();
        for key in ["select", "ignore"] {
            let list = if key == "select" {
                &self.select
            } else {
                &self.ignore
            };
            for (i, id) in list.iter().flatten().enumerate() {
                if !catalogue.contains(id) {
                    let path = [PathSeg::Key(key.into()), PathSeg::Index(i)];
                    errors.push(locator.error(&path, unknown(id)));
                }
            }
        }
        for id in self.severity.keys() {
            let path = [PathSeg::Key("severity".into()), PathSeg::Key(id.clone())];
            if fails_closed(id) {
                errors.push(locator.error(&path, format!("the severity of {id} cannot be changed: what driftless could not read or evaluate always fails the gate")));
            } else if !catalogue.contains(id) {
                errors.push(locator.error(&path, unknown(id)));
            }
        }
        for id in self.options.keys() {
            if !catalogue.contains(id) {
                let path = [PathSeg::Key("options".into()), PathSeg::Key(id.clone())];
                errors.push(locator.error(&path, unknown(id)));
            }
        }
        errors.extend(option_errors(&self.options, catalogue, locator));
        errors.sort_by_key(|e| (e.line, e.column));
        errors
    }
}

/// Unknown top-level keys, each with a suggestion.
fn unknown_keys(value: &Value, locator: &Locator) -> Vec<ConfigError> {
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    map.keys()
        .filter(|k| !KEYS.contains(&k.as_str()))
        .map(|k| {
            let hint = match did_you_mean(k, KEYS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known keys: {}", KEYS.join(", ")),
            };
            locator.error(
                &[PathSeg::Key(k.clone())],
                format!("unknown key `{k}` ({hint})"),
            )
        })
        .collect()
}

/// Options of built-in rules must be ones they define, each a list of strings.
fn option_errors(
    options: &serde_json::Map<String, Value>,
    catalogue: &Catalogue,
    locator: &Locator,
) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (rule, opts) in options {
        if catalogue.get(rule).is_none_or(|r| r.custom) {
            continue; // unknown (reported above) or a custom rule: any options
        }
        let known: Vec<&str> = RULE_OPTIONS
            .iter()
            .filter(|(rules, _, _)| rules.contains(&rule.as_str()))
            .map(|(_, name, _)| *name)
            .collect();
        for (name, value) in opts.as_object().into_iter().flatten() {
            let path = [
                PathSeg::Key("options".into()),
                PathSeg::Key(rule.clone()),
                PathSeg::Key(name.clone()),
            ];
            if !known.contains(&name.as_str()) {
                let hint = match did_you_mean(name, known.iter().copied()) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None if known.is_empty() => format!("; {rule} has no options"),
                    None => format!("; {rule} knows {}", known.join(", ")),
                };
                errors.push(
                    locator.error(&path, format!("unknown option `{name}` for {rule}{hint}")),
                );
                continue;
            }
            let strings = value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string));
            if !strings {
                errors.push(locator.error(
                    &path,
                    format!("`options.{rule}.{name}` must be a list of strings"),
                ));
            }
        }
    }
    errors
}

/// The config's `exclude` globs with the directory they are relative to:
/// the directory of the config file that declares them, whatever the
/// current directory or the scanned path, so `exclude: [vendor/]` means the
/// same thing in `driftless scan`, `driftless scan sub/`, pre-commit and
/// the editor.
#[derive(Clone, Debug)]
pub struct Excludes {
    globs: GlobSet,
    base: PathBuf,
}

impl Excludes {
    /// Whether `path` (relative to the current directory, or absolute) is
    /// excluded. Paths outside the config's directory never are.
    pub fn matches(&self, path: &Path) -> bool {
        crate::repo::normalize(path)
            .strip_prefix(&self.base)
            .is_ok_and(|rel| self.globs.is_match(rel))
    }
}

/// Compiles `exclude` globs. `dir/` means everything under `dir`; a
/// pattern ending in `/**` also matches the directory itself, so the walk
/// never enters it.
fn compile_excludes(
    patterns: &[String],
    locator: &Locator,
) -> Result<Option<GlobSet>, Vec<ConfigError>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    let mut errors = Vec::new();
    for (i, pattern) in patterns.iter().enumerate() {
        let mut p = pattern.trim_start_matches("./").to_string();
        if p.ends_with('/') {
            p.push_str("**");
        }
        let mut variants = vec![p.clone()];
        if let Some(dir) = p.strip_suffix("/**")
            && !dir.is_empty()
        {
            variants.push(dir.to_string());
        }
        for v in variants {
            match Glob::new(&v) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(e) => {
                    let path = [PathSeg::Key("exclude".into()), PathSeg::Index(i)];
                    errors
                        .push(locator.error(&path, format!("bad glob `{pattern}`: {}", e.kind())));
                    break;
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    builder.build().map(Some).map_err(|e| {
        vec![locator.error(&[PathSeg::Key("exclude".into())], format!("bad glob: {e}"))]
    })
}

/// A serde_path_to_error path as JSON path steps into the config value.
fn error_path(path: &serde_path_to_error::Path) -> Vec<PathSeg> {
    path.iter()
        .filter_map(|seg| match seg {
            serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.clone())),
            _ => None,
        })
        .collect()
}

/// The commented starter config `driftless init` writes: every key, with
/// its default or an example, so the file documents itself.
pub const STARTER: &str = r#"# driftless configuration — https://github.com/driftless-dev/driftless/blob/main/docs/ci-gate.md
# Command-line flags override these settings.

# Rules to run (default: every rule that is not strict). `driftless rules` lists them.
# select: [TAG001, TAG002, SSH001]

# Rules never to run.
ignore: []

# Enable strict rules too (digest pinning, commit-SHA module refs, ...).
strict: false

# Change a rule's severity: critical, high, medium or low.
severity: {}
#   VER006: medium

# Paths not to scan (globs, relative to the scanned directory; `dir/` = everything under it).
exclude: []
#   - "vendor/"
#   - "**/testdata/**"

# Extra directories of Rego rules (relative to this file).
policies: []

# Lowest severity that fails the gate (exit code 1).
fail_on: low

# Files larger than this are reported (PARSE001) instead of parsed.
max_file_size: 64MB

# Past this much memory the scan stops with exit code 2 and names the file it
# was on (default 4GB, or 80% of the machine's memory when that is less).
# max_memory: 4GB

# Per-rule options, read by the rules as data.driftless.config.options.
options: {}
#   TAG001:
#     allowed_images: ["registry.example.com/base/*:latest"]
#   SSH001:
#     allowed_sources: ["203.0.113.0/24"]
#   UPD001:
#     resource_types: [aws_instance, aws_launch_template]

# Accept the findings recorded in this baseline (written with --write-baseline).
# baseline: .driftless-baseline.json

# Honour `# driftless:ignore[...]` comments and `driftless.io/ignore` annotations.
inline_ignores: true

# How `driftless scan --fix` reaches registries (flags win; docs/fix.md).
fix: {}
#   network: true
#   registry_timeout: 10
#   platform: linux/amd64
#   registry_mirrors:
#     docker.io: https://mirror.example.com
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<String>> {
        Config::parse(Path::new("cfg/.driftless.yaml"), text.to_string())
            .map_err(|errs| errs.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "select: [TAG001]\nignore: [TAG003]\nstrict: true\nseverity:\n  VER006: medium\nexclude: [\"vendor/\"]\npolicies: [rules]\nfail_on: high\nmax_file_size: 10MB\nmax_memory: 2GB\noptions:\n  TAG001:\n    allowed_images: [\"*/base:latest\"]\nbaseline: b.json\ninline_ignores: false\n",
        )
        .unwrap();
        assert_eq!(c.select, Some(vec!["TAG001".to_string()]));
        assert_eq!(c.ignore, Some(vec!["TAG003".to_string()]));
        assert_eq!(c.strict, Some(true));
        assert_eq!(c.severity["VER006"], Severity::Medium);
        assert_eq!(c.policies, vec![PathBuf::from("cfg/rules")]);
        assert_eq!(c.fail_on, Some(Severity::High));
        assert_eq!(c.max_file_size, Some(10 << 20));
        assert_eq!(c.max_memory, Some(2 << 30));
        assert_eq!(c.options["TAG001"]["allowed_images"][0], "*/base:latest");
        assert_eq!(c.baseline, Some(PathBuf::from("cfg/b.json")));
        assert_eq!(c.inline_ignores, Some(false));
        let set = c.exclude_set.unwrap();
        assert!(set.matches(Path::new("cfg/vendor/x/main.tf")));
        assert!(set.matches(Path::new("cfg/vendor")));
        assert!(!set.matches(Path::new("cfg/src/main.tf")));
    }

    #[test]
    fn excludes_are_relative_to_the_config_files_directory() {
        let c = parse("exclude: [\"vendor/\", \"**/gen.tf\"]\n").unwrap();
        let set = c.exclude_set.unwrap();
        let cwd = std::env::current_dir().unwrap();
        // however the path is spelled, relative to the config's directory
        assert!(set.matches(&cwd.join("cfg/vendor/Dockerfile")));
        assert!(set.matches(Path::new("cfg/app/../vendor/Dockerfile")));
        assert!(set.matches(Path::new("cfg/app/gen.tf")));
        // `vendor/` next to the current directory is not the config's
        assert!(!set.matches(Path::new("vendor/Dockerfile")));
        assert!(!set.matches(Path::new("other/cfg/vendor/Dockerfile")));
    }

    #[test]
    fn empty_file_and_starter_are_valid() {
        let c = parse("").unwrap();
        assert!(c.select.is_none() && c.exclude_set.is_none());
        let c = parse(STARTER).unwrap();
        assert_eq!(c.fail_on, Some(Severity::Low));
        assert_eq!(c.max_file_size, Some(64 << 20));
        assert_eq!(c.inline_ignores, Some(true));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_located_with_suggestions() {
        assert_eq!(
            parse("strict: true\nexlude: [a]\n").unwrap_err(),
            ["cfg/.driftless.yaml:2:1: unknown key `exlude` (did you mean `exclude`?)"]
        );
        assert_eq!(
            parse("fail_on: hihg\n").unwrap_err(),
            [
                "cfg/.driftless.yaml:1:10: `fail_on`: `hihg` is not a severity (expected critical, high, medium or low; did you mean `high`?)"
            ]
        );
        let errs = parse("severity:\n  TAG001: urgent\n").unwrap_err();
        assert!(
            errs[0].starts_with(
                "cfg/.driftless.yaml:2:11: `severity.TAG001`: `urgent` is not a severity"
            ),
            "{errs:?}"
        );
        let errs = parse("strict: yes please\n").unwrap_err();
        assert!(
            errs[0].starts_with("cfg/.driftless.yaml:1:9: `strict`: invalid type"),
            "{errs:?}"
        );
        let errs = parse("exclude:\n  - ok\n  - \"[broken\"\n").unwrap_err();
        assert!(
            errs[0].starts_with("cfg/.driftless.yaml:3:5: bad glob `[broken`"),
            "{errs:?}"
        );
        let errs = parse("max_file_size: 10 parsecs\n").unwrap_err();
        assert!(errs[0].contains("is not a size"), "{errs:?}");
        assert!(parse("- a\n").unwrap_err()[0].contains("must be a mapping"));
        let both = parse("exlude: [a]\nfail_on: hihg\n").unwrap_err();
        assert_eq!(both.len(), 2, "{both:?}");
        assert!(parse("a: [\n").unwrap_err()[0].contains("not valid YAML"));
    }

    #[test]
    fn rule_ids_are_checked_against_the_catalogue() {
        let c =
            parse("select: [TAG001, TAG01]\nseverity:\n  PARSE001: low\noptions:\n  NOPE99: {}\n")
                .unwrap();
        let errs: Vec<String> = c
            .check_rules(&crate::suppress::tests::catalogue())
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].starts_with("cfg/.driftless.yaml:1:18: unknown rule ID `TAG01`"),
            "{errs:?}"
        );
        assert!(errs[0].ends_with("did you mean `TAG001`?"), "{errs:?}");
        assert!(
            errs[1].contains("3:13: the severity of PARSE001 cannot be changed"),
            "{errs:?}"
        );
        assert!(
            errs[2].contains("5:3: unknown rule ID `NOPE99`"),
            "{errs:?}"
        );
    }

    #[test]
    fn options_of_built_in_rules_are_checked() {
        let c = parse("options:\n  TAG001:\n    allowed_image: [x]\n  SSH001:\n    allowed_sources: 3\n  UPD006:\n    x: 1\n").unwrap();
        let mut cat = crate::suppress::tests::catalogue();
        let errs: Vec<String> = c.check_rules(&cat).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].contains(
                "3:5: unknown option `allowed_image` for TAG001; did you mean `allowed_images`?"
            ),
            "{errs:?}"
        );
        assert!(
            errs[1].contains("5:22: `options.SSH001.allowed_sources` must be a list of strings"),
            "{errs:?}"
        );
        assert!(
            errs[2].contains("7:8: unknown option `x` for UPD006; UPD006 has no options"),
            "{errs:?}"
        );
        let custom = crate::rules::RuleInfo {
            custom: true,
            ..cat.get("UPD006").unwrap().clone()
        };
        cat.insert(custom);
        assert_eq!(
            c.check_rules(&cat).len(),
            2,
            "custom rules take any options"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512KB"), Ok(512 * 1024));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("MB").is_err());
    }

    #[test]
    fn found_upward_up_to_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::create_dir_all(root.join("repo/infra/app")).unwrap();
        std::fs::write(root.join(".driftless.yaml"), "").unwrap();
        assert_eq!(
            find(&root.join("repo/infra/app")),
            None,
            "stops at the repository root"
        );
        std::fs::write(root.join("repo/.driftless.yml"), "").unwrap();
        assert_eq!(
            find(&root.join("repo/infra/app")),
            Some(root.join("repo/.driftless.yml"))
        );
        std::fs::write(root.join("repo/infra/.driftless.yaml"), "").unwrap();
        std::fs::write(root.join("repo/infra/app/main.tf"), "").unwrap();
        assert_eq!(
            find(&root.join("repo/infra/app/main.tf")),
            Some(root.join("repo/infra/.driftless.yaml"))
        );
    }

    #[test]
    fn outside_a_repository_only_the_scan_root_is_looked_in() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("project/app")).unwrap();
        std::fs::write(root.join(".driftless.yaml"), "").unwrap();
        std::fs::write(root.join("project/app/Dockerfile"), "").unwrap();
        assert_eq!(find(&root.join("project/app")), None);
        assert_eq!(find(&root.join("project/app/Dockerfile")), None);
        std::fs::write(root.join("project/app/.driftless.yaml"), "").unwrap();
        assert_eq!(
            find(&root.join("project/app/Dockerfile")),
            Some(root.join("project/app/.driftless.yaml"))
        );
    }

    #[test]
    fn the_scan_root_of_several_paths_does_not_depend_on_their_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("infra/app")).unwrap();
        std::fs::create_dir_all(root.join("docker")).unwrap();
        std::fs::write(root.join("infra/app/main.tf"), "").unwrap();
        std::fs::write(root.join("docker/Dockerfile"), "").unwrap();
        let a = root.join("infra/app/main.tf");
        let b = root.join("docker/Dockerfile");
        assert_eq!(scan_root(&[a.clone(), b.clone()]), root);
        assert_eq!(scan_root(&[b, a.clone()]), root);
        assert_eq!(scan_root(&[a]), root.join("infra/app"));
        assert_eq!(scan_root(&[]), PathBuf::from("."));
    }
}
