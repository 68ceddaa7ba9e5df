#!/usr/bin/env bash
# The release binary, built with profile-guided optimisation (issue #16;
# measured in BENCHMARKS.md, "Stop 34"). The release workflow builds the
# binaries it publishes with it.
#
#   scripts/pgo-build.sh                          # the host's target
#   scripts/pgo-build.sh --target aarch64-apple-darwin
#
# What it does:
#   1. finds `llvm-profdata` of the compiler's own LLVM (rustup's
#      `llvm-tools` component, added when missing; or $LLVM_PROFDATA);
#   2. builds an instrumented driftless (`-Cprofile-generate`) in
#      target/pgo-generate, so the usual build's artifacts stay as they are;
#   3. runs it on a training set that is not the benchmark: a 3,000-file
#      repository from xtask's gen-corpus (seed 7: Terraform with modules,
#      Kubernetes, Kustomize, Helm, Compose, Dockerfiles) and the fixtures
#      in fixtures/, in every report format;
#   4. merges the counts and builds the release binary with them
#      (`-Cprofile-use`) at the usual place, target/TARGET/release/.
# The binary behaves exactly as `cargo build --release` builds it: PGO
# changes which code paths the compiler lays out and inlines for speed,
# never what they compute. Needs the target to run on this machine (no
# cross builds: the training runs the instrumented binary).
set -euo pipefail

cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
target=$host
if [[ "${1:-}" == "--target" && -n "${2:-}" ]]; then
    target=$2
elif [[ $# -gt 0 ]]; then
    echo "usage: scripts/pgo-build.sh [--target TRIPLE]" >&2
    exit 2
fi

profdata=${LLVM_PROFDATA:-}
if [[ -z "$profdata" ]]; then
    sysroot=$(rustc --print sysroot)
    if command -v cygpath >/dev/null; then
        sysroot=$(cygpath -u "$sysroot")
    fi
    tools="$sysroot/lib/rustlib/$host/bin"
    if [[ ! -x "$tools/llvm-profdata" && ! -x "$tools/llvm-profdata.exe" ]]; then
        rustup component add llvm-tools >&2
    fi
    profdata="$tools/llvm-profdata"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The counts' directory is part of RUSTFLAGS: a fixed one keeps the
# instrumented build's cache valid from one run to the next.
raw="$PWD/target/pgo-generate/profiles"
rm -rf "$raw"
profile="$work/driftless.profdata"
# Windows' bash hands rustc these paths: they must be ones rustc can open.
if command -v cygpath >/dev/null; then
    raw=$(cygpath -m "$raw")
    profile=$(cygpath -m "$profile")
fi

echo "pgo: instrumented build ($target)" >&2
RUSTFLAGS="-Cprofile-generate=$raw" cargo build --release --locked \
    --target "$target" --target-dir target/pgo-generate --bin driftless >&2
instrumented="target/pgo-generate/$target/release/driftless"

echo "pgo: training" >&2
cargo run --release --locked -q -p xtask --bin gen-corpus -- \
    --files 3000 --seed 7 "$work/corpus" >/dev/null
for input in "$work/corpus" fixtures; do
    for format in json sarif text junit; do
        "$instrumented" scan "$input" --format "$format" -o "$work/report" \
            --exit-zero >/dev/null
    done
done

"$profdata" merge -o "$profile" "$raw"

echo "pgo: optimised build ($target)" >&2
RUSTFLAGS="-Cprofile-use=$profile" \
    cargo build --release --locked --target "$target" --bin driftless >&2
echo "target/$target/release/driftless"
