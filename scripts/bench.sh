#!/usr/bin/env bash
# driftless benchmark (issue 7; results and method in BENCHMARKS.md).
#
#   scripts/bench.sh                 # 1k, 10k and 50k files
#   SIZES="1000 10000" RUNS=3 scripts/bench.sh
#
# What it does:
#   1. builds the release binaries (driftless; gen-corpus from xtask/);
#   2. generates deterministic corpora with gen-corpus (seed $SEED) into
#      $BENCH_DIR/corpus-N, reused when already there with the same seed;
#   3. hyperfine: end-to-end `driftless scan --format json -o /dev/null`
#      (exit code 1 = findings, expected, hence -i) against the parse-only
#      floor (`--parse-only`: discover, read and parse the same files,
#      evaluate no rule) at every size;
#   4. hyperfine: start-up on single small files (a Dockerfile, a
#      Kubernetes manifest, a Terraform file), engine preparation included;
#   5. peak memory (`/usr/bin/time -v`, maximum resident set size) and the
#      per-stage breakdown (`--timings`) at every size.
# Everything lands in $BENCH_DIR (default target/bench): hyperfine JSON and
# Markdown exports, timings-N.txt, memory.txt, machine.txt and summary.md.
#
# Needs hyperfine and GNU time (Debian packages `hyperfine` and `time`);
# installed with apt-get when missing.
set -euo pipefail

cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 50000"}
SEED=${SEED:-7}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
TARGET=${CARGO_TARGET_DIR:-target}
BENCH_DIR=${BENCH_DIR:-$TARGET/bench}
BIN="$TARGET/release/driftless"
GEN="$TARGET/release/gen-corpus"

log() { printf '\n== %s\n' "$*" >&2; }

install_tools() {
    local missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    [ -x /usr/bin/time ] || missing+=(time)
    [ ${#missing[@]} -eq 0 ] && return
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

machine() {
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
        echo "nproc: $(nproc)"
        lscpu | head -n 20
        free -m
        echo "load average (1/5/15 min) before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
        rustc --version
        hyperfine --version
    } >"$BENCH_DIR/machine.txt"
    cat "$BENCH_DIR/machine.txt" >&2
}

corpus() {
    local n=$1 dir="$BENCH_DIR/corpus-$1"
    if [ -f "$dir/CORPUS.json" ] && grep -q "\"seed\": $SEED," "$dir/CORPUS.json"; then
        return
    fi
    rm -rf "$dir"
    log "generating $n files (seed $SEED)"
    "$GEN" --files "$n" --seed "$SEED" "$dir" >&2
}

main() {
    install_tools
    mkdir -p "$BENCH_DIR"
    log "building release binaries"
    cargo build --release -p driftless -p xtask >&2
    machine
    for n in $SIZES; do corpus "$n"; done

    : >"$BENCH_DIR/memory.txt"
    for n in $SIZES; do
        local dir="$BENCH_DIR/corpus-$n"
        log "scan vs parse-only floor: $n files"
        hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$BENCH_DIR/scan-$n.json" \
            --export-markdown "$BENCH_DIR/scan-$n.md" \
            -n "scan $n" "$BIN scan --format json -o /dev/null $dir" \
            -n "parse-only $n" "$BIN scan --parse-only --format json -o /dev/null $dir"
        log "stage timings: $n files"
        "$BIN" scan --timings --format json -o /dev/null "$dir" 2>"$BENCH_DIR/timings-$n.txt" >/dev/null || true
        cat "$BENCH_DIR/timings-$n.txt" >&2
        log "peak memory: $n files"
        for mode in scan parse-only; do
            local flag=""
            [ "$mode" = parse-only ] && flag=--parse-only
            # shellcheck disable=SC2086
            read -r kb secs < <(/usr/bin/time -f '%M %e' "$BIN" scan $flag --format json -o /dev/null "$dir" 2>&1 >/dev/null | tail -n 1)
            awk -v m="$mode" -v n="$n" -v kb="$kb" -v s="$secs" \
                'BEGIN { printf "%s %s files: peak RSS %.1f MB (wall %s s)\n", m, n, kb / 1024, s }' | tee -a "$BENCH_DIR/memory.txt" >&2
        done
    done

    log "start-up on single small files"
    hyperfine -N -i --warmup 3 --runs 20 \
        --export-json "$BENCH_DIR/startup.json" \
        --export-markdown "$BENCH_DIR/startup.md" \
        -n "Dockerfile" "$BIN scan fixtures/demo/app/Dockerfile" \
        -n "Kubernetes manifest" "$BIN scan fixtures/demo/k8s/workloads.yaml" \
        -n "Terraform file" "$BIN scan fixtures/demo/infra/main.tf"

    {
        echo "# driftless benchmark $(date -u +%Y-%m-%d)"
        echo
        echo '```'
        cat "$BENCH_DIR/machine.txt"
        echo '```'
        for n in $SIZES; do
            echo
            cat "$BENCH_DIR/scan-$n.md"
            echo
            echo '```'
            cat "$BENCH_DIR/timings-$n.txt"
            echo '```'
        done
        echo
        cat "$BENCH_DIR/startup.md"
        echo
        echo '```'
        cat "$BENCH_DIR/memory.txt"
        echo '```'
    } >"$BENCH_DIR/summary.md"
    log "summary: $BENCH_DIR/summary.md"
}

main "$@"
