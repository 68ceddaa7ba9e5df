//! `driftless init`: a commented starter `.driftless.yaml`.

use std::io::Write;
use std::path::Path;

use crate::report::write::print_stdout;

use super::{EXIT_CLEAN, usage_error};

/// `driftless init`: writes the starter config, refusing to overwrite.
pub(super) fn run(path: &Path) -> u8 {
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
