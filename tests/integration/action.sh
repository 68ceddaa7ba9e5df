#!/usr/bin/env bash
# Tests the GitHub Action (action.yml, scripts/action/*, workflows) without
# GitHub:
#   1. action.yml and the workflows validate against GitHub's schemas
#      (check-jsonschema from PyPI has them built in);
#   2. every release target has the asset name install.sh downloads, and
#      every runner install.sh knows has a release build;
#   3. run.sh, run locally with a simulated runner environment
#      (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH,
#      GITHUB_WORKSPACE, RUNNER_TEMP) against fixtures/demo with the debug
#      binary on PATH: outputs, SARIF (schema-valid), annotations, soft-fail,
#      paths with spaces, paths that look like flags;
#   4. install.sh installs a "released" binary from a local fake release
#      only when its sha256 is the one pinned in the action's
#      scripts/action/checksums.txt (not a published .sha256 file);
#   5. outputs use the multi-line-safe `name<<DELIMITER` syntax, inputs
#      cannot start workflow commands, the job summary is written once, and
#      every third-party action is pinned by a full commit SHA.
#
# Needs: python3 (venv), network access to PyPI, a built debug binary
# (DRIFTLESS_BIN_DIR, default target/debug; built if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-action.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# The value of output $1 in GITHUB_OUTPUT file $2, read as GitHub reads it:
# `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks.
output_of() {
  python3 - "$1" "$2" <<'PY'
import sys
name, path = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
value, i = None, 0
while i < len(lines):
    line = lines[i]
    if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
        key, delimiter = line.split("<<", 1)
        end = lines.index(delimiter, i + 1)
        found, i = "\n".join(lines[i + 1:end]), end + 1
    elif "=" in line:
        key, found = line.split("=", 1)
        i += 1
    else:
        i += 1
        continue
    if key == name:
        value = found
print(value if value is not None else "", end="")
PY
}

echo "== action: schemas (check-jsonschema)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check check-jsonschema
CHECK="$WORK/venv/bin/check-jsonschema"
"$CHECK" --builtin-schema vendor.github-actions "$ROOT/action.yml"
"$CHECK" --builtin-schema vendor.github-workflows "$ROOT"/.github/workflows/*.yml

echo "== action: third-party actions pinned by commit SHA"
unpinned="$(grep -hnE '^\s*(-\s*)?uses:' "$ROOT/action.yml" "$ROOT"/.github/workflows/*.yml |
  grep -vE 'uses:\s*\./' |
  grep -vE 'uses:\s*[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}(\s+#.*)?\s*$' || true)"
[ -z "$unpinned" ] || fail "actions not pinned by a full commit SHA:
$unpinned"

echo "== action: release assets match install.sh"
INSTALL="$ROOT/scripts/action/install.sh"
targets="$(grep -o 'target: [a-z0-9_-]*' "$ROOT/.github/workflows/release.yml" | cut -d' ' -f2 | sort)"
[ -n "$targets" ] || fail "no targets found in release.yml"
for t in $targets; do
  "$INSTALL" asset "$t" >/dev/null || fail "release target $t has no asset name in install.sh"
done
for runner in Linux/X64 Linux/ARM64 macOS/X64 macOS/ARM64 Windows/X64; do
  target="$(RUNNER_OS="${runner%/*}" RUNNER_ARCH="${runner#*/}" bash -c \
    'source <(sed -n "/^runner_target()/,/^}/p" "$0"); runner_target' "$INSTALL")"
  grep -qx "$target" <<<"$targets" || fail "runner $runner needs $target, which release.yml does not build"
done

BIN_DIR="${DRIFTLESS_BIN_DIR:-${CARGO_TARGET_DIR:-$ROOT/target}/debug}"
if [ ! -x "$BIN_DIR/driftless" ]; then
  (cd "$ROOT" && cargo build --quiet)
fi
[ -x "$BIN_DIR/driftless" ] || fail "no driftless binary in $BIN_DIR"
BIN_DIR="$(cd "$BIN_DIR" && pwd)"

# One simulated action run: fresh GITHUB_OUTPUT/GITHUB_STEP_SUMMARY, inputs
# from the caller's environment. Sets $code, $out_file, $stdout_file.
run_action() {
  local name="$1"
  shift
  out_file="$WORK/$name.output"
  stdout_file="$WORK/$name.stdout"
  : > "$out_file"
  : > "$WORK/$name.summary"
  set +e
  env -i PATH="$BIN_DIR:/usr/bin:/bin:/usr/local/bin" HOME="$HOME" \
    GITHUB_OUTPUT="$out_file" GITHUB_STEP_SUMMARY="$WORK/$name.summary" \
    GITHUB_ACTION_PATH="$ROOT" GITHUB_WORKSPACE="$ROOT" RUNNER_TEMP="$WORK" \
    NO_COLOR=1 INPUT_WORKING_DIRECTORY="$ROOT" INPUT_FORMAT=github \
    INPUT_SOFT_FAIL=false INPUT_SARIF_FILE="$WORK/$name.sarif" "$@" \
    "$ROOT/scripts/action/run.sh" > "$stdout_file" 2>&1
  code=$?
  set -e
}

echo "== action: run.sh on fixtures/demo"
run_action demo INPUT_PATH=fixtures/demo
cat "$stdout_file"
[ "$code" -eq 1 ] || fail "exit code $code, expected 1 (findings)"
[ "$(output_of exit-code "$out_file")" = 1 ] || fail "exit-code output: $(cat "$out_file")"
findings="$(output_of findings "$out_file")"
[ "$findings" -gt 0 ] 2>/dev/null || fail "findings output '$findings'"
sarif="$(output_of sarif-file "$out_file")"
[ "$sarif" = "$WORK/demo.sarif" ] || fail "sarif-file output '$sarif'"
python3 -m json.tool "$sarif" >/dev/null || fail "SARIF is not JSON"
"$CHECK" --schemafile "$ROOT/tests/schemas/sarif-schema-2.1.0.json" "$sarif" ||
  fail "SARIF does not validate against the SARIF 2.1.0 schema"
results="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$sarif")"
[ "$results" = "$findings" ] || fail "findings output $findings, SARIF has $results results"
grep -q "^findings<<driftless_" "$out_file" || fail "outputs not written with the delimiter syntax: $(cat "$out_file")"
[ "$(grep -c '^## driftless' "$WORK/demo.summary")" = 1 ] ||
  fail "the job summary must be written once: $(cat "$WORK/demo.summary")"
if grep -q '^### driftless' "$WORK/demo.summary"; then
  fail "run.sh wrote a second summary: $(cat "$WORK/demo.summary")"
fi
if "$BIN_DIR/driftless" scan --help | grep -q github; then
  grep -q '^::error file=fixtures/demo/' "$stdout_file" ||
    fail "no GitHub annotations on the console"
else
  echo "(this build has no github format yet: annotations not checked)"
fi

echo "== action: format text prints no annotations"
run_action text INPUT_PATH=fixtures/demo/app INPUT_FORMAT=text
[ "$code" -eq 1 ] || fail "format text: exit code $code"
if grep -q '^::' "$stdout_file"; then fail "format text printed workflow commands"; fi
grep -q "TAG001 \[high\]" "$stdout_file" || fail "format text: no text report"
[ "$(grep -c 'driftless' "$WORK/text.summary")" -ge 1 ] && [ "$(grep -c '^### driftless' "$WORK/text.summary")" = 1 ] ||
  fail "format text: the summary must be written once: $(cat "$WORK/text.summary")"

echo "== action: inputs never start a workflow command"
run_action inject INPUT_PATH=fixtures/demo INPUT_WORKING_DIRECTORY=$'/nonexistent\n::warning::injected'
[ "$code" -eq 2 ] || fail "a missing working-directory: exit code $code"
if grep -q '^::warning::injected' "$stdout_file"; then
  fail "an input started a workflow command: $(cat "$stdout_file")"
fi
grep -qF "::error title=driftless::working-directory '/nonexistent%0A::warning::injected' does not exist" "$stdout_file" ||
  fail "the error is not escaped: $(cat "$stdout_file")"
run_action inject-format INPUT_PATH=fixtures/demo INPUT_FORMAT=$'x%0A\n::add-mask::y'
grep -qF "not 'x%250A%0A::add-mask::y'" "$stdout_file" || fail "format not escaped: $(cat "$stdout_file")"

echo "== action: soft-fail"
run_action soft INPUT_PATH=fixtures/demo INPUT_SOFT_FAIL=true
[ "$code" -eq 0 ] || fail "soft-fail: exit code $code, expected 0"
[ "$(output_of exit-code "$out_file")" = 1 ] || fail "soft-fail keeps exit-code 1 as output"

echo "== action: errors still fail with soft-fail"
run_action bad-input INPUT_PATH=fixtures/demo INPUT_SOFT_FAIL=true INPUT_FAIL_ON=sometimes
[ "$code" -eq 2 ] || fail "invalid fail-on: exit code $code, expected 2"

echo "== action: fail-on above every finding passes"
run_action fail-on INPUT_PATH=fixtures/demo/app INPUT_FAIL_ON=critical
[ "$code" -eq 0 ] || fail "fail-on critical: exit code $code"
[ "$(output_of findings "$out_file")" -gt 0 ] || fail "findings are still counted"

echo "== action: paths with spaces (one per line) and no SARIF output"
mkdir -p "$WORK/tree/my app" "$WORK/tree/other"
printf 'FROM alpine:latest\n' > "$WORK/tree/my app/Dockerfile"
printf 'FROM alpine:3.20.3\n' > "$WORK/tree/other/Dockerfile"
run_action spaces INPUT_WORKING_DIRECTORY="$WORK/tree" INPUT_SARIF_FILE= \
  INPUT_PATH=$'my app\nother\n'
cat "$stdout_file"
[ "$code" -eq 1 ] || fail "exit code $code"
[ "$(output_of findings "$out_file")" = 1 ] || fail "findings: $(cat "$out_file")"
[ -z "$(output_of sarif-file "$out_file")" ] || fail "sarif-file should be empty"

echo "== action: a path that looks like a flag stays a path"
run_action flag INPUT_WORKING_DIRECTORY="$WORK/tree" INPUT_PATH="--version"
if grep -q "^driftless [0-9]" "$stdout_file"; then
  fail "--version was read as a flag"
fi
[ "$code" -ne 0 ] || fail "a missing path must not pass"

echo "== action: install.sh from a (local) release, checksum pinned in the action"
release="$WORK/release"
mkdir -p "$release/stage"
asset="$("$INSTALL" asset x86_64-unknown-linux-gnu)"
cp "$BIN_DIR/driftless" "$release/stage/driftless"
tar -czf "$release/$asset" -C "$release/stage" driftless
# the action as checked out, with the fake release's checksum pinned
action="$WORK/action"
mkdir -p "$action/scripts/action"
cp "$INSTALL" "$action/scripts/action/install.sh"
cp "$ROOT/scripts/action/checksums.txt" "$action/scripts/action/checksums.txt"
pin() { echo "$1  $asset  $2" >> "$action/scripts/action/checksums.txt"; }
pin 0.1.0 "$(sha256sum "$release/$asset" | cut -d' ' -f1)"
pin 0.0.9 "$(sha256sum "$release/$asset" | cut -d' ' -f1)"
# a published .sha256 agreeing with a tampered asset must not matter
install_release() {
  : > "$WORK/gh_path"
  env -i PATH="/usr/bin:/bin:/usr/local/bin" HOME="$HOME" RUNNER_OS=Linux RUNNER_ARCH=X64 \
    RUNNER_TEMP="$WORK/runner-tmp" GITHUB_PATH="$WORK/gh_path" GITHUB_ACTION_PATH="$action" \
    DRIFTLESS_DOWNLOAD_URL="file://$release" "$@" "$action/scripts/action/install.sh"
}
mkdir -p "$WORK/runner-tmp"
install_release DRIFTLESS_VERSION=0.1.0 || fail "install from release"
installed="$(cat "$WORK/gh_path")"
"$installed/driftless" --version | grep -q '^driftless ' || fail "installed binary does not run"
install_release DRIFTLESS_VERSION=latest || fail "latest is the newest pinned version"
if install_release DRIFTLESS_VERSION='1.0; echo pwned' 2>/dev/null; then
  fail "an invalid version was accepted"
fi
if install_release DRIFTLESS_VERSION=0.2.0 2>"$WORK/unpinned.err"; then
  fail "a version without a pinned checksum was installed"
fi
grep -q "no checksum pinned" "$WORK/unpinned.err" || fail "no pin error: $(cat "$WORK/unpinned.err")"
echo "tampered" >> "$release/stage/driftless"
tar -czf "$release/$asset" -C "$release/stage" driftless
(cd "$release" && sha256sum "$asset" > "$asset.sha256")
if install_release DRIFTLESS_VERSION=0.1.0 2>"$WORK/mismatch.err"; then
  fail "a binary with a wrong checksum was installed"
fi
grep -q "checksum mismatch" "$WORK/mismatch.err" || fail "no checksum error: $(cat "$WORK/mismatch.err")"
if grep -qvE '^(#|$)' "$ROOT/scripts/action/checksums.txt"; then
  grep -vE '^(#|$)' "$ROOT/scripts/action/checksums.txt" |
    grep -vE '^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?\s+driftless-[a-z0-9_-]+\.(tar\.gz|zip)\s+[0-9a-f]{64}$' &&
    fail "malformed lines in checksums.txt"
fi

echo "GitHub Action: all checks passed"
