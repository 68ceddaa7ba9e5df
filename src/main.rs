/// mimalloc: parsing and rule evaluation allocate many small, short-lived
/// values from several threads, where it is markedly faster than the
/// system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    driftless::cli::main()
}
