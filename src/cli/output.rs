//! How a scan's report reaches the user: the format and file asked for,
//! the console view (`--color`, `--quiet`, `--statistics`), stderr notices
//! and GitHub's job summary.

use std::io::Write;
use std::path::Path;

use crate::report::write::{render, write_atomically, write_stdout};
use crate::report::{self, Format, Report};

/// `--color`: whether the text report is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless the environment says otherwise.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour: `always`/`never` as said; `auto` forced on by
    /// `FORCE_COLOR` or `CLICOLOR_FORCE` (set, not empty, not `0`), else off
    /// with `NO_COLOR` (set, not empty) or `CLICOLOR=0`, else on a terminal.
    pub(super) fn enabled(self, terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        let forced = |name: &str| env(name).is_some_and(|v| !v.is_empty() && v != "0");
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") => true,
            ColorChoice::Auto if set("NO_COLOR") || env("CLICOLOR").as_deref() == Some("0") => {
                false
            }
            ColorChoice::Auto => terminal,
        }
    }
}

/// How the console report looks: `--color`, `--quiet`, `--statistics`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Console {
    pub colour: bool,
    pub quiet: bool,
    pub statistics: bool,
}

/// `github` inside GitHub Actions (annotations on the PR), else `text`.
pub(super) fn default_format() -> Format {
    if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
        Format::Github
    } else {
        Format::Text
    }
}

/// Writes the report: to `--output` in the chosen format (atomically) with
/// the text report on the console, or to stdout in the chosen format.
/// Warnings also go to stderr when stdout carries a machine format, and the
/// GitHub format appends its Markdown summary to `$GITHUB_STEP_SUMMARY`.
pub(super) fn emit(
    report: &Report,
    format: Format,
    output: Option<&Path>,
    console: Console,
) -> Result<(), String> {
    // With `--output` the file's format and the console's view are two
    // renderings of one report, made side by side.
    let ((rendered, notice), console_view) = rayon::join(
        || render_requested(report, format, output.is_some()),
        || output.map(|_| render_console(report, default_format(), console)),
    );
    let shown = match output.zip(console_view) {
        Some((path, view)) => {
            write_atomically(path, rendered.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            // The console keeps a view for people: text, or annotations
            // inside GitHub Actions, so one scan both annotates the pull
            // request and writes the SARIF file for code scanning.
            write_stdout(&view)?;
            default_format()
        }
        None if format != Format::Text => {
            write_stdout(&rendered)?;
            if format.is_machine_readable() {
                for w in report.warnings {
                    eprintln!("{}", w.to_line());
                }
                if console.statistics {
                    eprint!("{}", report::text::statistics(report));
                }
            }
            format
        }
        None => {
            write_stdout(&render_console(report, format, console))?;
            format
        }
    };
    if shown == Format::Github || format == Format::Github {
        append_step_summary(report);
    }
    if let Some(notice) = notice {
        eprintln!("warning: {notice}");
    }
    Ok(())
}

/// The report in the format asked for, and what SARIF had to leave out.
/// Text without `--output` is left to [`render_console`], which applies the
/// console's options.
fn render_requested(report: &Report, format: Format, to_file: bool) -> (String, Option<String>) {
    match format {
        // SARIF is rendered once: the log and what it had to leave out
        Format::Sarif => {
            let (text, omitted) =
                report::sarif::render_within(report, &report::sarif::GITHUB_LIMITS);
            (text, omitted.notice())
        }
        Format::Text if !to_file => (String::new(), None),
        other => (render(report, other, false), None),
    }
}

/// The report as the console shows it: the text report follows `--color`,
/// `--quiet` and `--statistics`; other formats are rendered as they are.
fn render_console(report: &Report, format: Format, console: Console) -> String {
    if format != Format::Text {
        return render(report, format, false);
    }
    let options = report::text::Options {
        colour: console.colour,
        summary: !console.quiet,
        findings: !console.statistics,
    };
    let mut out = report::text::render_with(report, options);
    if console.statistics {
        out.insert_str(0, &report::text::statistics(report));
    }
    out
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
