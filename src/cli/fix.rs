//! `driftless scan --fix / --unsafe-fixes / --diff`: the scan's active
//! findings (after suppressions and the baseline) turned into edits, then
//! written (and the files scanned again, so the report shows what remains)
//! or printed as a unified patch. Every fix that fails is reported on stderr
//! at its finding's location; the finding stays.

use std::path::Path;
use std::time::Duration;

use crate::config::FixSettings;
use crate::finding::Finding;
use crate::fix::registry::RegistryOptions;
use crate::fix::{self, FixContext, apply, diff};

use super::{EXIT_CLEAN, EXIT_FINDINGS};

/// The fix flags of `driftless scan`.
#[derive(clap::Args, Debug, Default)]
pub(super) struct FixArgs {
    /// Apply the safe fixes (pins that keep what is deployed), then report
    /// what remains.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff, also apply fixes that change behaviour; alone,
    /// say how many findings have a fix.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff on stdout and write nothing; exit 1
    /// when there is something to fix.
    #[arg(long)]
    diff: bool,
    /// Only fixes that need no network (no registry, no `git ls-remote`).
    #[arg(long)]
    no_network: bool,
    /// Reach a registry through a mirror, e.g. `docker.io=http://127.0.0.1:5000`
    /// (repeatable).
    #[arg(long, value_name = "HOST=URL", value_parser = fix::parse_mirror)]
    registry_mirror: Vec<(String, String)>,
    /// Seconds a registry request may take [default: the client's].
    #[arg(long, value_name = "SECS", value_parser = fix::parse_seconds)]
    registry_timeout: Option<Duration>,
    /// Platform a multi-platform image must hold, `os/arch[/variant]`.
    #[arg(long, value_name = "OS/ARCH", value_parser = fix::parse_platform)]
    platform: Option<String>,
}

/// What the scan does after the fix step.
pub(super) enum Next {
    /// Stop with this exit code after printing the summary (`--diff`
    /// printed the patch).
    Exit(u8, String),
    /// Files were written: scan again, report, then print the summary.
    Rescan(String),
    /// Nothing written: report this scan, then print the summary.
    Report(String),
}

impl FixArgs {
    /// Whether any fix flag asks for work.
    pub(super) fn requested(&self) -> bool {
        self.fix || self.diff || self.unsafe_fixes
    }

    /// The flags over the config's `fix:` defaults. Mirrors from flags come
    /// first, so they win where both name a host.
    fn context(&self, config: &FixSettings) -> FixContext {
        let mut mirrors = self.registry_mirror.clone();
        mirrors.extend(config.registry_mirrors.clone());
        let options = RegistryOptions {
            timeout: self.registry_timeout.or(config.registry_timeout),
            platform: self.platform.clone().or(config.platform.clone()),
            mirrors,
        };
        let offline = self.no_network || config.network == Some(false);
        FixContext::new(options, offline)
    }
}

/// Runs the fix step over the active findings of a scan. Failures are
/// printed here (always); the summary line is the caller's to print
/// (`--quiet` leaves it out).
pub(super) fn run(
    args: &FixArgs,
    config: &FixSettings,
    findings: &[Finding],
    repo_root: Option<&Path>,
) -> Next {
    let active = findings.iter().filter(|f| f.suppression.is_none());
    if !args.fix && !args.diff {
        return Next::Report(available(active));
    }
    run_with(args, &args.context(config), active, repo_root)
}

/// [`run`] with the context made from the flags.
fn run_with<'a>(
    args: &FixArgs,
    ctx: &FixContext,
    active: impl IntoIterator<Item = &'a Finding>,
    repo_root: Option<&Path>,
) -> Next {
    let collected = fix::collect(active, ctx, args.unsafe_fixes);
    report_errors(&collected.errors);
    let plan = apply::plan(collected.fixes);
    report_rejected(&plan.rejected);
    let failed = collected.errors.len() + plan.rejected.len();
    if args.diff {
        crate::report::write::print_stdout(&diff::render(&plan.patches, repo_root));
        let fixable = plan.applied.len();
        let summary = summary(
            "Would fix",
            fixable,
            collected.unsafe_skipped,
            collected.need_network,
        );
        let code = if plan.patches.is_empty() && failed == 0 {
            EXIT_CLEAN
        } else {
            EXIT_FINDINGS
        };
        return Next::Exit(code, summary);
    }
    let (fixed, written) = write_patches(&plan);
    let summary = summary(
        "Fixed",
        fixed,
        collected.unsafe_skipped,
        collected.need_network,
    );
    if written {
        Next::Rescan(summary)
    } else {
        Next::Report(summary)
    }
}

/// Writes each patched file; returns how many findings the written files
/// fix and whether any file was written. A file that cannot be written is
/// reported and its fixes are not counted.
fn write_patches(plan: &apply::Plan) -> (usize, bool) {
    let mut failed_files = Vec::new();
    for patch in &plan.patches {
        if let Err(e) = apply::write(patch) {
            eprintln!("error: {e}");
            failed_files.push(patch.file.path.clone());
        }
    }
    let fixed = plan
        .applied
        .iter()
        .filter(|f| !f.edits.iter().any(|e| failed_files.contains(&e.file.path)))
        .count();
    (fixed, plan.patches.len() > failed_files.len())
}

/// "Fixed N findings (M unsafe fixes available with --unsafe-fixes)"
/// (`Would fix` with `--diff`).
fn summary(verb: &str, fixed: usize, unsafe_skipped: usize, need_network: usize) -> String {
    let mut line = format!("{verb} {fixed} {}", findings(fixed));
    if unsafe_skipped > 0 {
        line.push_str(&format!(
            " ({unsafe_skipped} unsafe {} available with --unsafe-fixes)",
            plural(unsafe_skipped, "fix", "fixes")
        ));
    }
    if need_network > 0 {
        line.push_str(&format!(
            " ({need_network} {} the network; run without --no-network)",
            plural(need_network, "fix needs", "fixes need")
        ));
    }
    line
}

/// `--unsafe-fixes` alone: how many active findings have a fix, from the
/// catalogue of fixes (nothing resolved, no network).
fn available<'a>(active: impl IntoIterator<Item = &'a Finding>) -> String {
    let (mut safe, mut unsafe_) = (0, 0);
    for f in active {
        match fix::availability(&f.rule_id) {
            Some(fix::Applicability::Safe) => safe += 1,
            Some(fix::Applicability::Unsafe) => unsafe_ += 1,
            None => {}
        }
    }
    format!(
        "{} {} a fix ({unsafe_} unsafe): apply with --fix --unsafe-fixes, preview with --diff --unsafe-fixes",
        safe + unsafe_,
        plural(safe + unsafe_, "finding has", "findings have")
    )
}

fn report_errors(errors: &[(Finding, fix::FixError)]) {
    for (finding, e) in errors {
        let pos = finding.start_pos();
        eprintln!(
            "{}:{}:{}: {} not fixed: {}",
            finding.file.path.display(),
            pos.line,
            pos.column,
            e.rule_id,
            e.message
        );
    }
}

fn report_rejected(rejected: &[apply::Rejected]) {
    for r in rejected {
        let Some(edit) = r.fix.edits.first() else {
            continue;
        };
        let pos = edit.file.position(edit.start);
        eprintln!(
            "{}:{}:{}: {} not fixed: {}: {}",
            edit.file.path.display(),
            pos.line,
            pos.column,
            r.fix.rule_id,
            r.fix.title,
            r.reason
        );
    }
}

fn findings(n: usize) -> &'static str {
    plural(n, "finding", "findings")
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
