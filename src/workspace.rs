//! Setting up a scan: the one path the CLI and the language server share
//! from "here is a directory" to "here are engines, rules and filters".
//!
//! It finds the configuration file, loads and checks the policies, decides
//! which rules run (flags over the config file over defaults), applies
//! severity overrides to the catalogue and builds the engines. The CLI adds
//! its flags through [`Flags`]; the language server passes none, so an
//! editor shows what `driftless scan` reports without flags.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::baseline::Baseline;
use crate::config::{Config, ConfigError};
use crate::engine::{self, EngineOptions, Engines, PolicyError, PolicySet};
use crate::finding::Severity;
use crate::rules::{Catalogue, RuleInfo};

/// What the command line adds on top of the configuration file. Empty
/// lists and `None` leave the file's setting in force.
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub strict: bool,
    pub fail_on: Option<Severity>,
    pub baseline: Option<PathBuf>,
    pub no_inline_ignores: bool,
    /// Extra policy directories, after the config's.
    pub policies: Vec<PathBuf>,
}

/// The settings of a scan once flags and the config file are merged.
#[derive(Clone, Debug)]
pub struct Settings {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub strict: bool,
    pub fail_on: Severity,
    pub baseline: Option<PathBuf>,
    pub inline_ignores: bool,
}

impl Settings {
    /// A flag given on the command line wins over the file; lists given on
    /// the command line replace the file's.
    pub fn merge(flags: &Flags, config: &Config) -> Settings {
        let list = |flag: &Vec<String>, file: &Option<Vec<String>>| {
            if flag.is_empty() {
                file.clone().unwrap_or_default()
            } else {
                flag.clone()
            }
        };
        Settings {
            select: list(&flags.select, &config.select),
            ignore: list(&flags.ignore, &config.ignore),
            strict: flags.strict || config.strict.unwrap_or(false),
            fail_on: flags.fail_on.or(config.fail_on).unwrap_or(Severity::Low),
            baseline: flags.baseline.clone().or_else(|| config.baseline.clone()),
            inline_ignores: !flags.no_inline_ignores && config.inline_ignores.unwrap_or(true),
        }
    }

    /// The rules to evaluate: all non-strict rules (strict ones too in
    /// strict mode), narrowed by `select` and `ignore`. Selecting a strict
    /// rule by ID enables it.
    pub fn enabled_rules(&self, catalogue: &Catalogue) -> BTreeSet<String> {
        catalogue
            .iter()
            .filter(|r| {
                let chosen = if self.select.is_empty() {
                    self.strict || !r.strict
                } else {
                    self.select.contains(&r.id)
                };
                chosen && !self.ignore.contains(&r.id)
            })
            .map(|r| r.id.clone())
            .collect()
    }
}

/// The configuration file a scan uses: the `.driftless.yaml` found upward
/// from `start`, shown relative to the current directory when it is under
/// it (so resolved paths in messages read `policies/x`).
pub fn find_config(start: &Path) -> Option<PathBuf> {
    crate::config::find(start).map(|p| relative_to_cwd(&p))
}

/// The configuration file for a scan of `paths`: found upward from the
/// directory they all share (whatever their order), up to the repository
/// root; shown relative to the current directory like [`find_config`].
pub fn find_config_for_paths(paths: &[PathBuf]) -> Option<PathBuf> {
    crate::config::find_for_paths(paths).map(|p| relative_to_cwd(&p))
}

/// A path under the current directory shown relative to it.
pub fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Loads built-in and user policies. Broken user policy files are returned
/// as errors (exit 2 after the scan, a message in the editor) while the
/// rest still run; a directory that cannot be read is an error for all.
pub fn load_policies(dirs: &[PathBuf]) -> Result<(PolicySet, Vec<PolicyError>), String> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let read = engine::policy::read_dir(dir).map_err(|e| e.to_string())?;
        for (path, text) in read {
            match engine::policy::policy_file(path.display().to_string(), text, false) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            }
        }
    }
    let (set, mut load_errors) = PolicySet::load(files);
    errors.append(&mut load_errors);
    Ok((set, errors))
}

/// The catalogue with the config's severity overrides applied, so every
/// format (SARIF rule levels and `security-severity` included) and the
/// editor show the severity the gate uses.
pub fn with_severities(catalogue: &Catalogue, overrides: &BTreeMap<String, Severity>) -> Catalogue {
    let mut out = catalogue.clone();
    for (id, severity) in overrides {
        if let Some(rule) = catalogue.get(id) {
            out.insert(RuleInfo {
                severity: *severity,
                ..rule.clone()
            });
        }
    }
    out
}

/// The engines for a policy set: the enabled rules, with strict mode and
/// the config's rule options as `data.driftless.config`.
pub fn engines(
    set: Arc<PolicySet>,
    config: &Config,
    settings: &Settings,
    enabled: BTreeSet<String>,
    interpreter_only: bool,
) -> Engines {
    let options = EngineOptions {
        config_data: serde_json::json!({
            "strict": settings.strict,
            "options": config.options,
        }),
        enabled: Some(enabled),
        interpreter_only,
        ..EngineOptions::default()
    };
    Engines::new(set, options)
}

/// The enclosing repository of `start`, which reports and baselines make
/// paths relative to.
pub fn repo_root(start: &Path) -> Option<PathBuf> {
    crate::repo::find_repo_root(start)
}

/// Everything a scan is set up with, the same for `driftless scan` and the
/// language server.
pub struct Workspace {
    pub config: Config,
    pub settings: Settings,
    /// The catalogue with the config's severity overrides.
    pub catalogue: Catalogue,
    /// The rule IDs that run.
    pub enabled: BTreeSet<String>,
    pub engines: Engines,
    /// Policy files that could not be loaded: the scan still runs the
    /// others, and the result is not trustworthy (exit 2).
    pub policy_errors: Vec<PolicyError>,
}

/// What was wrong with the setup itself. The CLI stops with exit 2 on any
/// of them; the language server shows them and lints with what it has.
#[derive(Debug, Default)]
pub struct Problems {
    pub config: Vec<ConfigError>,
    pub usage: Vec<String>,
}

impl Problems {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.config.is_empty() && self.usage.is_empty()
    }

    /// Every problem as one line of text.
    pub fn lines(&self) -> Vec<String> {
        let config = self.config.iter().map(|e| e.to_string());
        config.chain(self.usage.iter().cloned()).collect()
    }
}

/// Whether built-in rules may run on the compiled VM, and whether any rule
/// runs at all (the benchmark's parse-only floor).
#[derive(Clone, Copy, Debug, Default)]
pub struct Evaluation {
    pub interpreter_only: bool,
    pub parse_only: bool,
}

impl Workspace {
    /// Loads the policies the config and flags name, checks rule IDs and
    /// options against the catalogue, merges the settings and builds the
    /// engines. Problems are returned beside a usable workspace.
    pub fn open(config: Config, flags: &Flags, evaluation: Evaluation) -> (Workspace, Problems) {
        let mut problems = Problems::default();
        let dirs: Vec<PathBuf> = config
            .policies
            .iter()
            .chain(&flags.policies)
            .cloned()
            .collect();
        let (set, policy_errors) = load_policies(&dirs).unwrap_or_else(|e| {
            problems.usage.push(e);
            (PolicySet::load(Vec::new()).0, Vec::new())
        });
        for id in flags.select.iter().chain(&flags.ignore) {
            if !set.catalogue.contains(id) {
                let message = format!("unknown rule ID `{id}` (see `driftless rules`)");
                problems.usage.push(message);
            }
        }
        problems.config = config.check_rules(&set.catalogue);
        let settings = Settings::merge(flags, &config);
        let enabled = match evaluation.parse_only {
            true => BTreeSet::new(),
            false => settings.enabled_rules(&set.catalogue),
        };
        let catalogue = with_severities(&set.catalogue, &config.severity);
        let set = Arc::new(set);
        let engines = engines(
            set,
            &config,
            &settings,
            enabled.clone(),
            evaluation.interpreter_only,
        );
        let workspace = Workspace {
            config,
            settings,
            catalogue,
            enabled,
            engines,
            policy_errors,
        };
        (workspace, problems)
    }
}

/// The configuration at `path`, or the defaults when there is none.
pub fn load_config(path: Option<&Path>) -> Result<Config, Vec<ConfigError>> {
    match path {
        Some(path) => Config::load(path),
        None => Ok(Config::default()),
    }
}

/// The baseline the settings name. A named baseline that does not exist is
/// an error unless `optional` (the editor, or a scan about to write it).
pub fn load_baseline(path: Option<&Path>, optional: bool) -> Result<Option<Baseline>, String> {
    match path {
        Some(p) if optional && !p.exists() => Ok(None),
        Some(p) => crate::baseline::load(p).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::builtin()
    }

    #[test]
    fn flags_win_over_the_config_file_and_lists_replace() {
        let mut config = Config::default();
        config.select = Some(vec!["TAG001".into()]);
        config.ignore = Some(vec!["SSH001".into()]);
        config.fail_on = Some(Severity::High);
        let flags = Flags {
            ignore: vec!["VER004".into()],
            ..Flags::default()
        };
        let s = Settings::merge(&flags, &config);
        assert_eq!(s.select, ["TAG001"]);
        assert_eq!(s.ignore, ["VER004"]);
        assert_eq!(s.fail_on, Severity::High);
        assert!(s.inline_ignores);
    }

    #[test]
    fn strict_rules_run_only_in_strict_mode_or_when_selected() {
        let mut s = Settings::merge(&Flags::default(), &Config::default());
        assert!(!s.enabled_rules(&catalogue()).contains("TAG003"));
        s.strict = true;
        assert!(s.enabled_rules(&catalogue()).contains("TAG003"));
        s.strict = false;
        s.select = vec!["TAG003".into()];
        assert_eq!(
            s.enabled_rules(&catalogue()),
            BTreeSet::from(["TAG003".to_string()])
        );
    }
}
