/// mimalloc: parsing and rule evaluation allocate many small, short-lived
/// values from several threads, where it is markedly faster than the
/// system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    quiet_library_backtraces();
    driftless::cli::main()
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
