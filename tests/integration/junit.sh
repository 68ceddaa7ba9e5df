#!/usr/bin/env bash
# Validates `driftless scan -f junit` against the Jenkins xUnit plugin's
# junit-10.xsd (tests/schemas/junit-10.xsd, MIT, from jenkinsci/xunit-plugin)
# with `xmlschema` from PyPI, for the report shapes that matter: findings,
# a parse error, suppressed findings (<skipped>), warnings (<system-err>)
# and a clean run.
#
# Needs: python3 (venv), network access to PyPI, a built debug binary
# (DRIFTLESS_BIN_DIR, default target/debug; built if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-junit.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
BIN_DIR="${DRIFTLESS_BIN_DIR:-$ROOT/target/debug}"
[ -x "$BIN_DIR/driftless" ] || (cd "$ROOT" && cargo build --quiet)
DRIFTLESS="$BIN_DIR/driftless"

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== junit: xmlschema"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check xmlschema

echo "== junit: reports"
mkdir -p "$WORK/tree/k8s" "$WORK/clean"
cat > "$WORK/tree/Dockerfile" <<'DOCKER'
# driftless:ignore[TAG001] rebuilt nightly from a pinned base
FROM alpine:latest
FROM busybox
# driftless:ignore[SSH003]
EXPOSE 22
DOCKER
printf 'resource "aws_instance" "x" {\n' > "$WORK/tree/k8s/broken.tf"
printf 'FROM alpine:3.20@sha256:%064d\n' 0 > "$WORK/clean/Dockerfile"
cd "$WORK"
"$DRIFTLESS" scan -f junit "$ROOT/fixtures/demo" > demo.xml || true
"$DRIFTLESS" scan -f junit --show-suppressed tree > suppressed.xml || true
"$DRIFTLESS" scan -f junit clean > clean.xml || fail "clean run failed"
grep -q '<skipped' suppressed.xml || fail "no <skipped> case in suppressed.xml"
grep -q '<system-err>' suppressed.xml || fail "no warnings in suppressed.xml"
grep -q '<error' suppressed.xml || fail "no PARSE001 <error> in suppressed.xml"

echo "== junit: validate against junit-10.xsd"
"$WORK/venv/bin/python" - "$ROOT/tests/schemas/junit-10.xsd" demo.xml suppressed.xml clean.xml <<'PY'
import sys
import xmlschema

schema = xmlschema.XMLSchema(sys.argv[1])
bad = 0
for path in sys.argv[2:]:
    for error in schema.iter_errors(path):
        bad += 1
        print(f"{path}: {error.reason} at {error.path}", file=sys.stderr)
    print(f"{path}: checked")
sys.exit(1 if bad else 0)
PY
echo "junit: OK"
