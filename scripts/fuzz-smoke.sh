#!/usr/bin/env bash
# Fuzz smoke run: every cargo-fuzz target for a short while (default 30 s
# each), one at a time, seeded with the repository's fixtures. Exits non-zero
# on the first crash; the crashing input is left in fuzz/artifacts/<target>/.
#
#   scripts/fuzz-smoke.sh            # 30 s per target
#   scripts/fuzz-smoke.sh 600        # 10 minutes per target
#   scripts/fuzz-smoke.sh 60 dockerfile terraform_hcl
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ compiler. On a
# stable toolchain the nightly flags cargo-fuzz passes are allowed through
# RUSTC_BOOTSTRAP=1. No sanitizer: the targets are safe Rust, and libFuzzer
# still catches panics, stack overflows, timeouts and memory blow-ups.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
per_target=${1:-30}
shift || true
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-$root/fuzz/target}
cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build --sanitizer none -O

seeds() { # target -> fixture files that are good starting points
  case "$1" in
    dockerfile) find "$root/fixtures" -type f \( -name 'Dockerfile*' -o -name '*.dockerfile' \) ;;
    kubernetes_yaml) find "$root/fixtures" -type f \( -name '*.yaml' -o -name '*.yml' \) ;;
    terraform_hcl) find "$root/fixtures" -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.tf.json' \) ;;
    tfplan_json) find "$root/fixtures" -type f -name '*.json' ;;
    suppression) find "$root/fixtures" -type f \( -name 'Dockerfile*' -o -name '*.tf' -o -name '*.yaml' \) ;;
  esac
}

for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  while IFS= read -r f; do
    cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
  done < <(seeds "$target")
  echo "== fuzz $target for ${per_target}s"
  log="$CARGO_TARGET_DIR/fuzz-$target.log"
  status=0
  cargo fuzz run --sanitizer none -O "$target" "$corpus" -- \
    -max_total_time="$per_target" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY|thread .* panicked|Test unit written)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz target $target failed (exit $status); input in fuzz/artifacts/$target/" >&2
    exit "$status"
  fi
done
echo "fuzz smoke: ${#targets[@]} targets, ${per_target}s each, no crash"
