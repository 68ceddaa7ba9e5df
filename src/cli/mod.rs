//! The command line: argument parsing and dispatch, nothing else. Each
//! subcommand is a module of its own with one function from its parsed
//! arguments to an exit code; setting up a scan is [`crate::workspace`]'s
//! job, shared with the language server.

mod explain;
mod fix;
mod init;
mod inspect;
mod output;
mod rules;
mod scan;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Exit code: no finding at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at or above the threshold (including PARSE001 and
/// EVAL001).
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
    Scan(Box<scan::ScanArgs>),
    /// List the rule catalogue.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value = "text")]
        format: rules::ListFormat,
    },
    /// Explain a rule: why it matters, how to fix it, examples.
    Explain {
        /// Rule ID, e.g. TAG001.
        id: String,
    },
    /// Print the input document(s) rules see for a file or directory, as JSON.
    Inspect {
        /// A Dockerfile, Kubernetes manifest, Terraform file (its whole
        /// module is shown) or Terraform plan, or a directory (every file
        /// `driftless scan` would read in it).
        #[arg(value_name = "PATH")]
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
    /// Print shell completions (e.g. `driftless completions bash >
    /// /etc/bash_completion.d/driftless`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from the same definitions as
    /// `--help` (e.g. `driftless man > driftless.1`).
    Man,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => scan::run(*args),
        Command::Rules { format } => rules::run(format),
        Command::Explain { id } => explain::run(&id),
        Command::Inspect { file } => inspect::run(&file),
        Command::Test { dirs, coverage } => test::run(&dirs, coverage),
        Command::Init { path } => init::run(&path),
        Command::Lsp => crate::lsp::run(),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    };
    ExitCode::from(code)
}

/// Writes completions for `shell` to stdout, from the clap definition, so
/// they never fall behind the flags.
fn completions(shell: clap_complete::Shell) -> u8 {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "driftless", &mut out);
    crate::report::write::print_stdout(&String::from_utf8_lossy(&out));
    EXIT_CLEAN
}

/// Writes the man page to stdout, from the clap definition.
fn man_page() -> u8 {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => {
            crate::report::write::print_stdout(&String::from_utf8_lossy(&out));
            EXIT_CLEAN
        }
        Err(e) => usage_error(&format!("cannot render the man page: {e}")),
    }
}

/// Reports a usage, config or policy problem on stderr: exit code 2.
fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_ERROR
}
