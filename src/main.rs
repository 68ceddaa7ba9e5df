/// mimalloc: parsing and rule evaluation allocate many small, short-lived
/// values from several threads, where it is markedly faster than the
/// system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    quiet_library_backtraces();
    if std::env::args_os()
        .nth(1)
        .is_none_or(|command| command != "lsp")
    {
        keep_freed_memory();
    }
    driftless::cli::main()
}

/// `mi_option_purge_delay` in mimalloc v3's `mimalloc.h` (the version
/// libmimalloc-sys builds, pinned in Cargo.lock); -1 never purges.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A command that ends within seconds keeps the memory it frees for its
/// own later allocations. By default mimalloc hands freed memory back to
/// the OS after a second, and memory touched again after that costs a page
/// fault, in a VM often a host fault too: on the real corpus that was about
/// a seventh of a scan's CPU time (BENCHMARKS.md, stop 25). The language
/// server runs for hours and keeps the default.
fn keep_freed_memory() {
    // SAFETY: sets one integer option; mimalloc reads it at each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// regorus builds `anyhow` errors on paths it recovers from during
/// evaluation; with `RUST_BACKTRACE=1` in a user's environment each one
/// captured a backtrace, for nothing (2–3% more instructions on the
/// benchmark corpus, BENCHMARKS.md).
/// `RUST_LIB_BACKTRACE=0` turns off only those library backtraces: panics
/// still print theirs under `RUST_BACKTRACE`. An explicit setting is kept.
fn quiet_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: first thing in `main`, before any other thread exists
        // that could read the environment concurrently.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
}

#[cfg(test)]
mod tests {
    /// The option number is mimalloc's purge delay: nothing else defaults
    /// to its 1000 ms. A mimalloc update that renumbers the options fails
    /// here instead of setting another option.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
