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
#   4. install.sh installs a "released" binary from a local fake release and
#      refuses one whose checksum does not match.
#
# Needs: python3 (venv), network access to PyPI, a built debug binary
# (DRIFTLESS_BIN_DIR, default target/debug; built if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-action.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
output_of() { grep "^$1=" "$2" | tail -1 | cut -d= -f2-; }

echo "== action: schemas (check-jsonschema)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check check-jsonschema
CHECK="$WORK/venv/bin/check-jsonschema"
"$CHECK" --builtin-schema vendor.github-actions "$ROOT/action.yml"
"$CHECK" --builtin-schema vendor.github-workflows "$ROOT"/.github/workflows/*.yml

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
grep -q "| $findings | 1 |" "$WORK/demo.summary" || fail "step summary: $(cat "$WORK/demo.summary")"
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

echo "== action: install.sh from a (local) release, checksum verified"
release="$WORK/release"
mkdir -p "$release/stage"
asset="$("$INSTALL" asset x86_64-unknown-linux-gnu)"
cp "$BIN_DIR/driftless" "$release/stage/driftless"
tar -czf "$release/$asset" -C "$release/stage" driftless
(cd "$release" && sha256sum "$asset" > "$asset.sha256")
install_release() {
  : > "$WORK/gh_path"
  env -i PATH="/usr/bin:/bin:/usr/local/bin" HOME="$HOME" RUNNER_OS=Linux RUNNER_ARCH=X64 \
    RUNNER_TEMP="$WORK/runner-tmp" GITHUB_PATH="$WORK/gh_path" \
    DRIFTLESS_DOWNLOAD_URL="file://$release" "$@" "$INSTALL"
}
mkdir -p "$WORK/runner-tmp"
install_release DRIFTLESS_VERSION=0.1.0 || fail "install from release"
installed="$(cat "$WORK/gh_path")"
"$installed/driftless" --version | grep -q '^driftless ' || fail "installed binary does not run"
if install_release DRIFTLESS_VERSION='1.0; echo pwned' 2>/dev/null; then
  fail "an invalid version was accepted"
fi
echo "0000000000000000000000000000000000000000000000000000000000000000  $asset" > "$release/$asset.sha256"
if install_release DRIFTLESS_VERSION=latest 2>"$WORK/mismatch.err"; then
  fail "a binary with a wrong checksum was installed"
fi
grep -q "checksum mismatch" "$WORK/mismatch.err" || fail "no checksum error: $(cat "$WORK/mismatch.err")"

echo "GitHub Action: all checks passed"
