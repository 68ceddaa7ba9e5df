//! The command line: argument parsing and the glue between the stages.
//! Each subcommand is a short function over the library's modules.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::baseline;
use crate::config::Config;
use crate::engine::{self, EngineOptions, Engines, PolicyError, PolicySet};
use crate::finding::{Finding, Severity};
use crate::gate;
use crate::report::write::{print_stdout, render, write_atomically, write_stdout};
use crate::report::{self, Format, Report, Stats};
use crate::rules::fails_closed;
use crate::scan::{self, ScanOptions};

/// Exit code: no finding at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the threshold (including PARSE001).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage, config or policy error — the result is not trustworthy.
pub const EXIT_ERROR: u8 = 2;

/// driftless: keep infrastructure immutable. Lints Terraform, Kubernetes
/// manifests and Dockerfiles with Rego rules against mutable image tags,
/// in-place updates, SSH access and unversioned dependencies.
#[derive(Parser, Debug)]
#[command(name = "driftless", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files and directories (default: the current directory).
    Scan(Box<ScanArgs>),
    /// List the rule catalogue.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: ListFormat,
    },
    /// Explain a rule: why it matters, how to fix it, examples.
    Explain {
        /// Rule ID, e.g. TAG001.
        id: String,
    },
    /// Print the input document(s) rules see for a file, as JSON.
    Inspect {
        /// A Dockerfile, Kubernetes manifest, Terraform file (its whole
        /// module is shown) or Terraform plan.
        file: PathBuf,
    },
    /// Write a commented starter `.driftless.yaml` (never overwrites one).
    Init {
        /// Where to write it.
        #[arg(default_value = ".driftless.yaml")]
        path: PathBuf,
    },
    /// Run the `test_*` rules of Rego policies (like `opa test`).
    Test {
        /// Directories (or files) with .rego policies and their tests.
        #[arg(default_value = "policies")]
        dirs: Vec<PathBuf>,
        /// Print regorus's coverage report.
        #[arg(long)]
        coverage: bool,
    },
    /// Run the language server on stdin/stdout (editor diagnostics and
    /// quick fixes; see docs/editors.md).
    Lsp,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Files or directories to scan [default: .].
    paths: Vec<PathBuf>,
    /// Report format [default: text; github when GITHUB_ACTIONS=true].
    #[arg(long, short = 'f', value_enum)]
    format: Option<Format>,
    /// Write the report to FILE (the console keeps the text report, or
    /// GitHub annotations inside GitHub Actions).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Config file [default: .driftless.yaml found upward from the first path].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Extra directory of Rego rules (repeatable).
    #[arg(long, value_name = "DIR")]
    policy: Vec<PathBuf>,
    /// Only run these rule IDs (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    select: Vec<String>,
    /// Do not run these rule IDs (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    ignore: Vec<String>,
    /// Enable strict rules (digest pinning, commit-SHA module refs, …).
    #[arg(long)]
    strict: bool,
    /// Lowest severity that makes the exit code 1 [default: low].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    exit_zero: bool,
    /// Apply the config's `exclude` to files named on the command line too
    /// (pre-commit names every staged file).
    #[arg(long)]
    force_exclude: bool,
    /// Accept the findings recorded in this baseline file; only new ones fail.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file (and accept them).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Do not honour `driftless:ignore` comments and annotations (governance).
    #[arg(long)]
    no_inline_ignores: bool,
    /// Also list suppressed findings (JSON and SARIF mark them as suppressed).
    #[arg(long)]
    show_suppressed: bool,
    /// Terraform variable file applied to every module (repeatable).
    #[arg(long, value_name = "FILE")]
    var_file: Vec<PathBuf>,
    /// Print the time spent in each stage to stderr.
    #[arg(long)]
    timings: bool,
    /// Read and parse everything but evaluate no rule: the parse-only floor
    /// the benchmark (BENCHMARKS.md) compares full scans against.
    #[arg(long, hide = true)]
    parse_only: bool,
    /// Evaluate the built-in rules with the regorus interpreter instead of
    /// its compiled VM (slower; the reference the VM is tested against).
    #[arg(long, hide = true)]
    interpreter: bool,
    /// Largest file read, e.g. `10MB` or a number of bytes (default 64MB,
    /// or `max_file_size` in the config); larger files are a PARSE001
    /// without being read.
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    max_file_size: Option<u64>,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => run_scan(*args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { id } => explain(&id),
        Command::Inspect { file } => inspect(&file),
        Command::Test { dirs, coverage } => run_tests(&dirs, coverage),
        Command::Init { path } => init(&path),
        Command::Lsp => crate::lsp::run(),
    };
    ExitCode::from(code)
}

fn run_scan(mut args: ScanArgs) -> u8 {
    let explicit_paths = !args.paths.is_empty();
    if !explicit_paths {
        args.paths.push(PathBuf::from("."));
    }
    let config = match load_config(&args) {
        Ok(c) => c,
        Err(errors) => return config_errors(&errors),
    };
    let policy_dirs: Vec<PathBuf> = config
        .policies
        .iter()
        .chain(&args.policy)
        .cloned()
        .collect();
    let (set, policy_errors) = match load_policies(&policy_dirs) {
        Ok(loaded) => loaded,
        Err(e) => return usage_error(&e),
    };
    for id in args.select.iter().chain(&args.ignore) {
        if !set.catalogue.contains(id) {
            return usage_error(&format!("unknown rule ID `{id}` (see `driftless rules`)"));
        }
    }
    let errors = config.check_rules(&set.catalogue);
    if !errors.is_empty() {
        return config_errors(&errors);
    }
    let settings = Settings::merge(&args, &config);
    // Writing a baseline creates the one the config names: nothing to
    // compare with yet.
    let compare = settings
        .baseline
        .as_deref()
        .filter(|b| args.write_baseline.is_none() || b.exists());
    let baseline = match compare.map(baseline::load).transpose() {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    let enabled = if args.parse_only {
        BTreeSet::new()
    } else {
        enabled_rules(&set, &settings)
    };
    let options = EngineOptions {
        config_data: serde_json::json!({
            "strict": settings.strict,
            "options": config.options,
        }),
        enabled: Some(enabled.clone()),
        interpreter_only: args.interpreter,
        ..EngineOptions::default()
    };
    let catalogue = with_severities(&set.catalogue, &config.severity);
    let set = Arc::new(set);
    let engines = Engines::new(set.clone(), options);
    let scan_options = ScanOptions {
        paths: args.paths.clone(),
        discover: crate::discover::Options {
            exclude: config.exclude_set.clone(),
            force_exclude: args.force_exclude,
        },
        terraform: crate::parse::terraform::Options {
            var_files: args.var_file.clone(),
        },
        // the flag wins over the config file
        max_file_size: args
            .max_file_size
            .or(config.max_file_size)
            .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
        progress: std::io::stderr().is_terminal(),
    };
    let mut result = scan::scan(&scan_options, &engines);
    if let Some(message) = scan::nothing_to_scan(&result.empty_paths) {
        if explicit_paths {
            return usage_error(&message);
        }
        eprintln!("warning: {message}");
    }
    result.policy_errors.extend(policy_errors);
    let repo_root = report::find_repo_root(Path::new("."));
    let gate_options = gate::Options {
        catalogue: &catalogue,
        enabled: &enabled,
        severity: &config.severity,
        inline_ignores: settings.inline_ignores,
        baseline: baseline.as_ref(),
        write_baseline: args.write_baseline.as_deref(),
        repo_root: repo_root.as_deref(),
        today: crate::suppress::Date::today(),
    };
    let filter_started = std::time::Instant::now();
    let filtered = match gate::filter(&mut result, &gate_options) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let filter_time = filter_started.elapsed();
    if !args.show_suppressed {
        result.findings.retain(|f| f.suppression.is_none());
    }
    let report = Report {
        findings: &result.findings,
        catalogue: &catalogue,
        rule_errors: &result.rule_errors,
        policy_errors: &result.policy_errors,
        stats: Stats {
            files: result.files,
            documents: result.documents,
            suppressed: filtered.suppressed,
        },
        repo_root,
        warnings: &filtered.warnings,
        baseline: filtered.baseline,
    };
    let format = args.format.unwrap_or_else(default_format);
    let report_started = std::time::Instant::now();
    if let Err(e) = emit(&report, format, args.output.as_deref()) {
        return usage_error(&e);
    }
    if args.timings {
        print_timings(&result.timings, filter_time, report_started.elapsed());
        print_evaluators(&result.timings, &engines);
    }
    exit_code(&report, settings.fail_on, args.exit_zero)
}

/// The settings of a scan: flags over the config file over defaults.
struct Settings {
    select: Vec<String>,
    ignore: Vec<String>,
    strict: bool,
    fail_on: Severity,
    baseline: Option<PathBuf>,
    inline_ignores: bool,
}

impl Settings {
    /// A flag given on the command line wins over the file; lists given on
    /// the command line replace the file's; policy directories add up.
    fn merge(args: &ScanArgs, config: &Config) -> Settings {
        let list = |flag: &Vec<String>, file: &Option<Vec<String>>| {
            if flag.is_empty() {
                file.clone().unwrap_or_default()
            } else {
                flag.clone()
            }
        };
        Settings {
            select: list(&args.select, &config.select),
            ignore: list(&args.ignore, &config.ignore),
            strict: args.strict || config.strict.unwrap_or(false),
            fail_on: args.fail_on.or(config.fail_on).unwrap_or(Severity::Low),
            baseline: args.baseline.clone().or_else(|| config.baseline.clone()),
            inline_ignores: !args.no_inline_ignores && config.inline_ignores.unwrap_or(true),
        }
    }
}

/// `--config FILE`, or the `.driftless.yaml` found upward from the scan
/// root up to the repository root, or no config.
fn load_config(args: &ScanArgs) -> Result<Config, Vec<crate::config::ConfigError>> {
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => crate::config::find_for_paths(&args.paths).map(|p| relative_to_cwd(&p)),
    };
    match path {
        Some(path) => Config::load(&path),
        None => Ok(Config::default()),
    }
}

/// A path under the current directory shown relative to it (messages and
/// resolved config paths read `policies/x`, not `/home/…/policies/x`).
fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

fn config_errors(errors: &[crate::config::ConfigError]) -> u8 {
    for e in errors {
        eprintln!("error: {e}");
    }
    EXIT_ERROR
}

/// The catalogue with the config's severity overrides applied, so every
/// format (SARIF rule levels and `security-severity` included) shows the
/// severity the gate uses.
fn with_severities(
    catalogue: &crate::rules::Catalogue,
    overrides: &std::collections::BTreeMap<String, Severity>,
) -> crate::rules::Catalogue {
    let mut out = catalogue.clone();
    for (id, severity) in overrides {
        if let Some(rule) = catalogue.get(id) {
            out.insert(crate::rules::RuleInfo {
                severity: *severity,
                ..rule.clone()
            });
        }
    }
    out
}

/// `driftless init`: writes the starter config, refusing to overwrite.
fn init(path: &Path) -> u8 {
    if path.exists() {
        return usage_error(&format!(
            "{} already exists; not overwriting it",
            path.display()
        ));
    }
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(crate::config::STARTER.as_bytes()));
    match written {
        Ok(()) => {
            print_stdout(&format!(
                "Wrote {}. Edit it, then run `driftless scan`.\n",
                path.display()
            ));
            EXIT_CLEAN
        }
        Err(e) => usage_error(&format!("cannot write {}: {e}", path.display())),
    }
}

/// `github` inside GitHub Actions (annotations on the PR), else `text`.
fn default_format() -> Format {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        Format::Github
    } else {
        Format::Text
    }
}

/// The rules to evaluate: all non-strict rules (strict ones too with
/// `--strict`), narrowed by `--select` and `--ignore`. Selecting a strict
/// rule by ID enables it.
fn enabled_rules(set: &PolicySet, args: &Settings) -> BTreeSet<String> {
    set.catalogue
        .iter()
        .filter(|r| {
            let chosen = if args.select.is_empty() {
                args.strict || !r.strict
            } else {
                args.select.contains(&r.id)
            };
            chosen && !args.ignore.contains(&r.id)
        })
        .map(|r| r.id.clone())
        .collect()
}

/// Loads built-in and user policies. Broken user policy files are returned
/// as errors (exit 2 after the scan) while the rest still run.
pub(crate) fn load_policies(dirs: &[PathBuf]) -> Result<(PolicySet, Vec<PolicyError>), String> {
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

/// Writes the report: to `--output` in the chosen format (atomically) with
/// the text report on the console, or to stdout in the chosen format.
/// Warnings also go to stderr when stdout carries a machine format, and the
/// GitHub format appends its Markdown summary to `$GITHUB_STEP_SUMMARY`.
fn emit(report: &Report, format: Format, output: Option<&Path>) -> Result<(), String> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = render(report, format, colour && output.is_none());
    let console = match output {
        Some(path) => {
            write_atomically(path, rendered.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            // The console keeps a view for people: text, or annotations
            // inside GitHub Actions, so one scan both annotates the pull
            // request and writes the SARIF file for code scanning.
            let console = default_format();
            write_stdout(&render(report, console, colour))?;
            console
        }
        None => {
            write_stdout(&rendered)?;
            if format.is_machine_readable() {
                for w in report.warnings {
                    eprintln!("{}", w.to_line());
                }
            }
            format
        }
    };
    if console == Format::Github || format == Format::Github {
        append_step_summary(report);
    }
    Ok(())
}

/// Appends the Markdown summary to the file GitHub names in
/// `$GITHUB_STEP_SUMMARY`; a failure there is reported, not fatal.
fn append_step_summary(report: &Report) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(report::github::step_summary(report).as_bytes()));
    if let Err(e) = appended {
        eprintln!(
            "warning: cannot append to $GITHUB_STEP_SUMMARY ({}): {e}",
            Path::new(&path).display()
        );
    }
}

/// 2 when rules or policies failed (no trustworthy result), else 1 when an
/// active finding reaches `--fail-on` (PARSE001 and EVAL001 always do), else 0.
fn exit_code(report: &Report, fail_on: Severity, exit_zero: bool) -> u8 {
    if !report.policy_errors.is_empty() || !report.rule_errors.is_empty() {
        return EXIT_ERROR;
    }
    let failing = report
        .active()
        .any(|f: &Finding| f.severity >= fail_on || fails_closed(&f.rule_id));
    if failing && !exit_zero {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}

/// The `--timings` breakdown: wall time per stage, and where the workers'
/// time went per format (read+parse) and per document kind (evaluate).
fn print_timings(t: &scan::Timings, filter: std::time::Duration, report: std::time::Duration) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let split = |m: &std::collections::BTreeMap<&str, std::time::Duration>| {
        m.iter()
            .map(|(k, v)| format!("{k} {:.1}", ms(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "timings (wall): discover {:.1} ms, read+parse+evaluate {:.1} ms ({} threads), filter {:.1} ms, report {:.1} ms",
        ms(t.discover),
        ms(t.analyse),
        rayon::current_num_threads(),
        ms(filter),
        ms(report)
    );
    eprintln!(
        "timings (summed over threads): read+parse {:.1} ms ({}), evaluate {:.1} ms ({})",
        ms(t.parse_total()),
        split(&t.parse),
        ms(t.evaluate_total()),
        split(&t.evaluate)
    );
}

/// Which evaluator ran each kind's rules (`--timings`): the compiled VM for
/// built-in rules, the interpreter where custom rules are loaded.
fn print_evaluators(t: &scan::Timings, engines: &Engines) {
    let kinds: Vec<String> = t
        .evaluate
        .keys()
        .filter_map(|name| crate::document::Kind::from_name(name))
        .map(|kind| match engines.runs_on_vm(kind) {
            true => format!("{kind} vm"),
            false => format!("{kind} interpreter"),
        })
        .collect();
    if !kinds.is_empty() {
        eprintln!("evaluators: {}", kinds.join(", "));
    }
}

fn list_rules(format: ListFormat) -> u8 {
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

fn explain(id: &str) -> u8 {
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

fn inspect(path: &Path) -> u8 {
    let Some(kind) = crate::discover::classify(path) else {
        return usage_error(&format!(
            "{} is not a file driftless reads (Dockerfile, .tf, .tf.json, .yaml, .yml, .json)",
            path.display()
        ));
    };
    let parsed = match kind {
        crate::discover::FileKind::Terraform | crate::discover::FileKind::TerraformVars => {
            let found = crate::discover::discover(&[path.to_path_buf()], &Default::default());
            let mut parsed = crate::document::Parsed::default();
            for (dir, module) in &found.modules {
                let files: Vec<_> = module
                    .files
                    .iter()
                    .filter_map(|p| {
                        scan::read_source(
                            p,
                            crate::discover::FileKind::Terraform,
                            scan::DEFAULT_MAX_FILE_SIZE,
                        )
                        .ok()
                        .flatten()
                    })
                    .collect();
                let mut p = crate::parse::terraform_module(dir, &files, &Default::default());
                parsed.documents.append(&mut p.documents);
                parsed.errors.append(&mut p.errors);
            }
            parsed
        }
        other => scan::parse_file(path, other, scan::DEFAULT_MAX_FILE_SIZE),
    };
    let docs: Vec<serde_json::Value> = parsed
        .documents
        .iter()
        .map(|d| {
            serde_json::json!({
                "kind": d.kind.as_str(),
                "document": d.label,
                "input": d.input,
            })
        })
        .collect();
    print_stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(&docs).unwrap_or_default()
    ));
    for err in &parsed.errors {
        let pos = err.file.position(err.start);
        eprintln!(
            "{}:{}:{}: PARSE001 {}",
            err.file.path.display(),
            pos.line,
            pos.column,
            err.message
        );
    }
    if parsed.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn run_tests(dirs: &[PathBuf], coverage: bool) -> u8 {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let read = if dir.is_file() {
            std::fs::read_to_string(dir)
                .map(|t| vec![(dir.clone(), t)])
                .map_err(|e| e.to_string())
        } else {
            engine::policy::read_dir(dir).map_err(|e| e.to_string())
        };
        match read {
            Ok(read) => {
                for (path, text) in read {
                    match engine::policy::policy_file(path.display().to_string(), text, false) {
                        Ok(f) => files.push(f),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => return usage_error(&e),
        }
    }
    // Users' tests can use the built-in helper libraries unless they ship
    // their own copy of the same package.
    let packages: BTreeSet<String> = files.iter().map(|f| f.package.clone()).collect();
    files.extend(
        engine::policy::builtin()
            .into_iter()
            .filter(|f| f.role == engine::Role::Library && !packages.contains(&f.package)),
    );
    let mut report = engine::test_runner::run(&files, coverage);
    report.errors.splice(0..0, errors);
    print_stdout(&render_test_report(&report));
    if report.success() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

/// `driftless test` output: one line per test (PASS/FAIL/ERROR), the files
/// that could not be loaded, a summary, and coverage when asked for.
fn render_test_report(report: &engine::test_runner::TestReport) -> String {
    use engine::test_runner::Outcome;
    let mut out = String::new();
    for r in &report.results {
        out.push_str(&format!("{r}\n"));
    }
    for e in &report.errors {
        out.push_str(&format!("ERROR {e}\n"));
    }
    let pass = report.count(|o| *o == Outcome::Pass);
    let fail = report.count(|o| *o == Outcome::Fail);
    let error = report.count(|o| matches!(o, Outcome::Error(_)));
    out.push_str(&format!("{}\n", "-".repeat(40)));
    if report.results.is_empty() {
        out.push_str("no test_* rules found\n");
    }
    out.push_str(&format!(
        "{} tests: {pass} passed, {fail} failed, {error} errors",
        report.results.len()
    ));
    if !report.errors.is_empty() {
        out.push_str(&format!(
            "; {} policy files could not be loaded",
            report.errors.len()
        ));
    }
    out.push('\n');
    if let Some(cov) = &report.coverage {
        out.push_str(&engine::test_runner::render_coverage(cov));
    }
    out
}
