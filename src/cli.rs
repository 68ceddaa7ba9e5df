//! The command line: argument parsing and the glue between the stages.
//! Each subcommand is a short function over the library's modules.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::engine::{self, EngineOptions, Engines, PolicyError, PolicySet};
use crate::finding::{Finding, Severity};
use crate::report::{self, Format, Report, Stats};
use crate::rules::PARSE_ERROR;
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
    Scan(ScanArgs),
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
    /// Run the `test_*` rules of Rego policies (like `opa test`).
    Test {
        /// Directories (or files) with .rego policies and their tests.
        #[arg(default_value = "policies")]
        dirs: Vec<PathBuf>,
        /// Print regorus's coverage report.
        #[arg(long)]
        coverage: bool,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE (the console keeps the text report).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
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
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", default_value = "low")]
    fail_on: Severity,
    /// Exit 0 even when there are findings (errors still exit 2).
    #[arg(long)]
    exit_zero: bool,
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
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { id } => explain(&id),
        Command::Inspect { file } => inspect(&file),
        Command::Test { dirs, coverage } => run_tests(&dirs, coverage),
    };
    ExitCode::from(code)
}

fn run_scan(args: ScanArgs) -> u8 {
    let (set, policy_errors) = match load_policies(&args.policy) {
        Ok(loaded) => loaded,
        Err(e) => return usage_error(&e),
    };
    for id in args.select.iter().chain(&args.ignore) {
        if !set.catalogue.contains(id) {
            return usage_error(&format!("unknown rule ID `{id}` (see `driftless rules`)"));
        }
    }
    let enabled = enabled_rules(&set, &args);
    let options = EngineOptions {
        config_data: serde_json::json!({ "strict": args.strict }),
        enabled: Some(enabled),
    };
    let set = Arc::new(set);
    let engines = Engines::new(set.clone(), options);
    let scan_options = ScanOptions {
        paths: args.paths.clone(),
        terraform: crate::parse::terraform::Options {
            var_files: args.var_file.clone(),
        },
        ..ScanOptions::default()
    };
    let mut result = scan::scan(&scan_options, &engines);
    result.policy_errors.extend(policy_errors);
    let report = Report {
        findings: &result.findings,
        catalogue: &set.catalogue,
        rule_errors: &result.rule_errors,
        policy_errors: &result.policy_errors,
        stats: Stats {
            files: result.files,
            documents: result.documents,
            suppressed: 0,
        },
        repo_root: report::find_repo_root(Path::new(".")),
    };
    let report_started = std::time::Instant::now();
    if let Err(e) = emit(&report, args.format, args.output.as_deref()) {
        return usage_error(&e);
    }
    if args.timings {
        print_timings(&result.timings, report_started.elapsed());
    }
    exit_code(&report, args.fail_on, args.exit_zero)
}

/// The rules to evaluate: all non-strict rules (strict ones too with
/// `--strict`), narrowed by `--select` and `--ignore`. Selecting a strict
/// rule by ID enables it.
fn enabled_rules(set: &PolicySet, args: &ScanArgs) -> BTreeSet<String> {
    if args.parse_only {
        return BTreeSet::new();
    }
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
fn load_policies(dirs: &[PathBuf]) -> Result<(PolicySet, Vec<PolicyError>), String> {
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
fn emit(report: &Report, format: Format, output: Option<&Path>) -> Result<(), String> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = render(report, format, colour && output.is_none());
    match output {
        Some(path) => {
            write_atomically(path, rendered.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            print_stdout(&report::text::render(report, colour));
        }
        None => print_stdout(&rendered),
    }
    Ok(())
}

fn render(report: &Report, format: Format, colour: bool) -> String {
    match format {
        Format::Text => report::text::render(report, colour),
        Format::Json => report::json::render(report),
        Format::Sarif => report::sarif::render(report),
    }
}

/// Prints to stdout, ignoring a closed pipe (`driftless scan | head`).
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Writes a file whole or not at all: a temporary file in the same
/// directory, then a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// 2 when rules or policies failed (no trustworthy result), else 1 when an
/// active finding reaches `--fail-on` (PARSE001 always does), else 0.
fn exit_code(report: &Report, fail_on: Severity, exit_zero: bool) -> u8 {
    if !report.policy_errors.is_empty() || !report.rule_errors.is_empty() {
        return EXIT_ERROR;
    }
    let failing = report
        .active()
        .any(|f: &Finding| f.severity >= fail_on || f.rule_id == PARSE_ERROR);
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
fn print_timings(t: &scan::Timings, report: std::time::Duration) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let split = |m: &std::collections::BTreeMap<&str, std::time::Duration>| {
        m.iter()
            .map(|(k, v)| format!("{k} {:.1}", ms(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    eprintln!(
        "timings (wall): discover {:.1} ms, read+parse+evaluate {:.1} ms ({} threads), report {:.1} ms",
        ms(t.discover),
        ms(t.analyse),
        rayon::current_num_threads(),
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
    let mut out = String::new();
    for r in &report.results {
        out.push_str(&format!("{r}\n"));
    }
    for e in &report.errors {
        out.push_str(&format!("ERROR {e}\n"));
    }
    let pass = report.count(|o| *o == engine::test_runner::Outcome::Pass);
    let fail = report.count(|o| *o == engine::test_runner::Outcome::Fail);
    let error = report.count(|o| matches!(o, engine::test_runner::Outcome::Error(_)));
    out.push_str(&format!(
        "{}\n{pass} passed, {fail} failed, {error} errors\n",
        "-".repeat(40)
    ));
    if let Some(cov) = &report.coverage {
        out.push_str(cov);
        out.push('\n');
    }
    print_stdout(&out);
    if report.success() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}
