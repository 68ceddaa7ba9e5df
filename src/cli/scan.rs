//! `driftless scan`: set up the workspace, run the pipeline, filter, write
//! the report and decide the exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::engine::Engines;
use crate::finding::{Finding, Severity};
use crate::gate;
use crate::report::{Format, Report, Stats};
use crate::rules::fails_closed;
use crate::scan::{self, ScanOptions};
use crate::workspace::{self, Evaluation, Flags, Workspace};

use super::fix::{FixArgs, Next};
use super::output::{ColorChoice, Console, default_format, emit};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, usage_error};

#[derive(clap::Args, Debug)]
pub(super) struct ScanArgs {
    /// Files or directories to scan [default: .]; `-` reads one stream
    /// from standard input (`helm template . | driftless scan -`).
    paths: Vec<PathBuf>,
    /// Name of the stream read from standard input: decides what it is
    /// (as a file of that name would be) and names it in reports. Without
    /// it, the content decides. Implies `-` when no path is given.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Report format [default: text; github when GITHUB_ACTIONS=true].
    #[arg(
        long = "output-format",
        short = 'f',
        visible_alias = "format",
        value_enum,
        value_name = "FORMAT"
    )]
    format: Option<Format>,
    /// Print the findings and nothing else: no summary, no baseline lines,
    /// no progress.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Print how many findings each rule has instead of each finding (on
    /// stderr when stdout carries a machine format).
    #[arg(long)]
    statistics: bool,
    /// When to colour the text report: `auto` colours a terminal unless
    /// NO_COLOR is set, and always when FORCE_COLOR or CLICOLOR_FORCE is.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorChoice,
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
    /// Memory at which the scan stops with exit code 2, naming the file it
    /// was on, e.g. `2GB` (default 4GB, or 80% of the machine's memory when
    /// less; or `max_memory` in the config). A backstop for what has no
    /// bound of its own, such as a custom rule that builds huge strings.
    #[arg(long, value_name = "SIZE", value_parser = crate::config::parse_size)]
    max_memory: Option<u64>,
    #[command(flatten)]
    fixes: FixArgs,
}

impl ScanArgs {
    /// What the flags add to the configuration file.
    fn flags(&self) -> Flags {
        Flags {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            strict: self.strict,
            fail_on: self.fail_on,
            baseline: self.baseline.clone(),
            no_inline_ignores: self.no_inline_ignores,
            policies: self.policy.clone(),
        }
    }

    /// `--config FILE`, or the `.driftless.yaml` found upward from the scan
    /// root up to the repository root.
    fn config_path(&self) -> Option<PathBuf> {
        match &self.config {
            Some(path) => Some(path.clone()),
            None => workspace::find_config_for_paths(&self.paths),
        }
    }
}

/// Runs a scan and returns its exit code.
pub(super) fn run(mut args: ScanArgs) -> u8 {
    if args.paths.is_empty() && args.stdin_filename.is_some() {
        args.paths.push(PathBuf::from(scan::STDIN_PATH));
    }
    let explicit_paths = !args.paths.is_empty();
    if !explicit_paths {
        args.paths.push(PathBuf::from("."));
    }
    if let Some(missing) = args.paths.iter().find(|p| is_missing(p)) {
        return usage_error(&format!("{}: no such file or directory", missing.display()));
    }
    let config = match workspace::load_config(args.config_path().as_deref()) {
        Ok(c) => c,
        Err(errors) => {
            return setup_errors(&errors.iter().map(|e| e.to_string()).collect::<Vec<_>>());
        }
    };
    let evaluation = Evaluation {
        interpreter_only: args.interpreter,
        parse_only: args.parse_only,
    };
    let (ws, problems) = Workspace::open(config, &args.flags(), evaluation);
    if !problems.is_empty() {
        return setup_errors(&problems.lines());
    }
    // Writing a baseline creates the one the config names: nothing to
    // compare with yet.
    let writing = args.write_baseline.is_some();
    let baseline = match workspace::load_baseline(ws.settings.baseline.as_deref(), writing) {
        Ok(b) => b,
        Err(e) => return usage_error(&e),
    };
    let scan_options = ScanOptions {
        paths: args.paths.clone(),
        discover: crate::discover::Options {
            exclude: ws.config.exclude_set.clone(),
            force_exclude: args.force_exclude,
        },
        terraform: crate::parse::terraform::Options {
            var_files: args.var_file.clone(),
        },
        // the flag wins over the config file
        max_file_size: args
            .max_file_size
            .or(ws.config.max_file_size)
            .unwrap_or(scan::DEFAULT_MAX_FILE_SIZE),
        progress: std::io::stderr().is_terminal() && !args.quiet,
        stdin_filename: args.stdin_filename.clone(),
        exits_after: true,
    };
    let repo_root = workspace::repo_root(scan_root(&args.paths));
    let gate_options = gate::Options {
        catalogue: &ws.catalogue,
        enabled: &ws.enabled,
        severity: &ws.config.severity,
        inline_ignores: ws.settings.inline_ignores,
        baseline: baseline.as_ref(),
        write_baseline: args.write_baseline.as_deref(),
        repo_root: repo_root.as_deref(),
        today: crate::suppress::Date::today(),
    };
    let _watchdog = crate::memory::Watchdog::start(
        args.max_memory
            .or(ws.config.max_memory)
            .unwrap_or_else(crate::memory::default_limit),
    );
    let scan_filtered = || {
        scan_and_filter(
            &scan_options,
            &ws,
            &gate_options,
            (explicit_paths, args.quiet),
        )
    };
    let (mut result, mut filtered, mut filter_time) = match scan_filtered() {
        Ok(scanned) => scanned,
        Err(code) => return code,
    };
    let mut fix_summary = None;
    if args.fixes.requested() && result.policy_errors.is_empty() && result.rule_errors.is_empty() {
        match super::fix::run(
            &args.fixes,
            &ws.config.fix,
            &result.findings,
            repo_root.as_deref(),
        ) {
            Next::Exit(code, summary) => {
                if !args.quiet {
                    eprintln!("{summary}");
                }
                return code;
            }
            Next::Report(summary) => fix_summary = Some(summary),
            Next::Rescan(summary) => {
                (result, filtered, filter_time) = match scan_filtered() {
                    Ok(scanned) => scanned,
                    Err(code) => return code,
                };
                fix_summary = Some(summary);
            }
        }
    }
    if !args.show_suppressed {
        result.findings.retain(|f| f.suppression.is_none());
    }
    let report = Report {
        findings: &result.findings,
        catalogue: &ws.catalogue,
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
    let console = Console {
        colour: args.color.enabled(std::io::stdout().is_terminal(), |name| {
            std::env::var(name).ok()
        }),
        quiet: args.quiet,
        statistics: args.statistics,
    };
    if let Err(e) = emit(&report, format, args.output.as_deref(), console) {
        return usage_error(&e);
    }
    if let Some(summary) = fix_summary.filter(|_| !args.quiet) {
        eprintln!("{summary}");
    }
    if args.timings {
        print_timings(&result.timings, filter_time, report_started.elapsed());
        print_evaluators(&result.timings, &ws.engines);
    }
    exit_code(&report, ws.settings.fail_on, args.exit_zero)
}

/// Scans, then filters (config, inline suppressions, baseline): the part a
/// scan with `--fix` runs again once files are written. A usage error
/// (nothing to scan, a bad baseline) is the exit code to stop with.
fn scan_and_filter(
    options: &ScanOptions,
    ws: &Workspace,
    gate_options: &gate::Options,
    (explicit_paths, quiet): (bool, bool),
) -> Result<(scan::ScanResult, gate::Filtered, std::time::Duration), u8> {
    let mut result = scan::scan(options, &ws.engines);
    if let Some(message) = scan::nothing_to_scan(&result.empty_paths) {
        if explicit_paths {
            return Err(usage_error(&message));
        }
        if !quiet {
            eprintln!("warning: {message}");
        }
    }
    result
        .policy_errors
        .extend(ws.policy_errors.iter().cloned());
    let filter_started = std::time::Instant::now();
    let mut filtered = gate::filter(&mut result, gate_options).map_err(|e| usage_error(&e))?;
    filtered.warnings.extend(ws.engines.interpreter_warnings());
    Ok((result, filtered, filter_started.elapsed()))
}

/// The path whose repository the report's paths are relative to: the
/// first one scanned (the current directory for stdin).
fn scan_root(paths: &[PathBuf]) -> &Path {
    match paths.first() {
        Some(p) if p.as_os_str() != "-" => p,
        _ => Path::new("."),
    }
}

/// Whether a path named on the command line does not exist at all (a usage
/// error); one that exists but cannot be read is a PARSE001 instead.
fn is_missing(path: &Path) -> bool {
    path.as_os_str() != "-"
        && std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Prints each setup problem and returns exit code 2.
fn setup_errors(lines: &[String]) -> u8 {
    for line in lines {
        eprintln!("error: {line}");
    }
    EXIT_ERROR
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
