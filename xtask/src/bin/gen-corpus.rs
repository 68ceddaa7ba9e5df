//! `gen-corpus`: see [`xtask::corpus`].

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    xtask::corpus::main_with_args(&args)
}
