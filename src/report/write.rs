//! Writing a rendered report where the user asked for it: stdout, or a file
//! replaced whole (never half a report), without turning special files into
//! regular ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Format, Report};

/// Renders a report in a format.
pub fn render(report: &Report, format: Format, colour: bool) -> String {
    match format {
        Format::Text => super::text::render(report, colour),
        Format::Json => super::json::render(report),
        Format::Sarif => super::sarif::render(report),
        Format::Junit => super::junit::render(report),
        Format::Github => super::github::render(report),
        Format::Gitlab => super::gitlab::render(report),
    }
}

/// Prints to stdout, ignoring a closed pipe (`driftless rules | head`):
/// for listings and help text, where nothing depends on the output.
pub fn print_stdout(text: &str) {
    let _ = write_stdout(text);
}

/// Writes a report to stdout, reporting any failure (a full disk behind
/// `> report.txt`, a pipe whose reader has exited): a CI job that reads the
/// report must not get exit 0 with half of it (`docs/ci-gate.md`).
pub fn write_stdout(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("cannot write the report to stdout: {e}"))
}

/// Writes a report file whole or not at all: a temporary file in the same
/// directory, then a rename, so a reader never sees half a report.
///
/// Only regular files are replaced that way. `-o /dev/null`, a FIFO or any
/// other special file is written in place (renaming over `/dev/null` as root
/// would turn it into a regular file for every process on the machine), and a
/// symlink is followed so the link survives and its target gets the report.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return write_in_place(path, bytes),
        Ok(_) => std::fs::canonicalize(path)?,
        Err(_) => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &target));
    written.inspect_err(|_| {
        // a full disk leaves a partial temporary file: never keep it
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes to an existing special file (device, FIFO) without replacing it.
fn write_in_place(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}
