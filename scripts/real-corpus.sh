#!/usr/bin/env bash
# driftless on real repositories (issue #16; results in BENCHMARKS.md).
#
#   scripts/real-corpus.sh             # release build, scan, compare counts
#   scripts/real-corpus.sh --update    # same, then rewrite the expected file
#   DRIFTLESS=target/debug/driftless scripts/real-corpus.sh   # given binary
#
# What it does:
#   1. builds the release binary (unless $DRIFTLESS names one);
#   2. unpacks the shared corpus ($CORPUS, default
#      ../shared/corpus/real-corpus.tar.xz: 13 public repositories, see its
#      README) into a temporary directory, never into the repository;
#   3. scans it once with the default rules (`--format json`, `--exit-zero`)
#      under GNU time, and prints wall time, CPU time, peak RSS and the
#      findings per rule;
#   4. compares the findings per rule with tests/real-corpus.expected and
#      fails when a count moved without that file being updated (rerun with
#      --update and commit the file with the change that moved it).
# Exit: 0 counts as expected; 1 counts differ; 2 the scan itself failed or
# the corpus is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
EXPECTED=tests/real-corpus.expected
CORPUS=${CORPUS:-../shared/corpus/real-corpus.tar.xz}
UPDATE=false
[[ "${1:-}" == "--update" ]] && UPDATE=true

if [[ ! -f "$CORPUS" ]]; then
    echo "real-corpus: $CORPUS not found (set CORPUS)" >&2
    exit 2
fi
if [[ -z "${DRIFTLESS:-}" ]]; then
    cargo build --release --locked --bin driftless >&2
    DRIFTLESS=target/release/driftless
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "real-corpus: GNU time is needed (Debian package \`time\`)" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$CORPUS" -C "$work"

status=0
/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
    "$DRIFTLESS" scan "$work/real" --format json -o "$work/findings.json" \
    --exit-zero >/dev/null 2>"$work/stderr.txt" || status=$?
if [[ $status -ne 0 ]]; then
    echo "real-corpus: the scan failed (exit $status):" >&2
    cat "$work/stderr.txt" >&2
    exit 2
fi

read -r wall user sys rss_kb <"$work/time.txt"
counts=$(jq -r '.findings[].rule_id' "$work/findings.json" | sort | uniq -c |
    awk '{print $2, $1}')
files=$(jq '.summary.files' "$work/findings.json")
echo "driftless on the real corpus: $files files"
echo "wall ${wall} s, CPU $(awk "BEGIN{print $user + $sys}") s (user $user, sys $sys), peak RSS $((rss_kb / 1024)) MB"
echo "findings per rule:"
echo "$counts" | sed 's/^/  /'
echo "  total $(jq '.findings | length' "$work/findings.json")"

if $UPDATE; then
    {
        echo "# Findings per rule of scripts/real-corpus.sh (default rules) on"
        echo "# ../shared/corpus/real-corpus.tar.xz. Update with --update, in the"
        echo "# commit that moves a count, and say why in its message."
        echo "$counts"
    } >"$EXPECTED"
    echo "wrote $EXPECTED"
    exit 0
fi
if ! diff <(grep -v '^#' "$EXPECTED") <(echo "$counts") >"$work/diff.txt"; then
    echo "real-corpus: findings per rule differ from $EXPECTED (< expected, > now):" >&2
    cat "$work/diff.txt" >&2
    exit 1
fi
echo "counts match $EXPECTED"
