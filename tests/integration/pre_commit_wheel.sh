#!/usr/bin/env bash
# End-to-end test of the pre-commit hook installed from the wheel: the
# layout users get by default (pre-commit-mirror/, published as
# driftless-dev/driftless-pre-commit), against a wheel built from this
# working tree instead of PyPI.
#
#   1. The `driftless` wheel: maturin (`bindings = "bin"`, pyproject.toml)
#      builds it with the dev profile, reusing target/debug (the release
#      workflow builds the release profile); or DRIFTLESS_WHEEL_DIR names a
#      directory that holds one already.
#      The sdist is checked to resolve its dependencies offline (the
#      vendored hcl-edit, saphyr-parser and regorus patches are in it).
#   2. The hook repository: pre-commit-mirror/ committed to a throw-away git
#      repository, exactly as it is published.
#   3. pre-commit installs the hook's environment with pip restricted to a
#      local directory (PIP_NO_INDEX, PIP_FIND_LINKS: the wheel, and the
#      setuptools wheel the hook package's build needs) — so the wheel
#      built here is the one installed, never a package of the same name
#      from PyPI — and the install time is printed.
#   4. In a real git repository: a staged Dockerfile with `FROM
#      alpine:latest` makes `git commit` fail with TAG001 at its line; a
#      clean commit passes.
#
# Needs: python3 (venv), git, cargo; network access to PyPI for pre-commit,
# maturin and the setuptools wheel (not for the hook's install itself).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-pre-commit-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

VERSION="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)"
[ -n "$VERSION" ] || fail "no version in Cargo.toml"

echo "== wheel: the hook package pins driftless==$VERSION (Cargo.toml's version)"
grep -q "^version = \"$VERSION\"$" "$ROOT/pre-commit-mirror/pyproject.toml" ||
  fail "pre-commit-mirror/pyproject.toml's version is not $VERSION"
grep -q "\"driftless==$VERSION\"" "$ROOT/pre-commit-mirror/pyproject.toml" ||
  fail "pre-commit-mirror/pyproject.toml does not depend on driftless==$VERSION"
# The two manifests read the same files.
files_of() { grep -E '^  (files|exclude):' "$1"; }
[ "$(files_of "$ROOT/.pre-commit-hooks.yaml")" = "$(files_of "$ROOT/pre-commit-mirror/.pre-commit-hooks.yaml")" ] ||
  fail "files/exclude differ between .pre-commit-hooks.yaml and pre-commit-mirror/.pre-commit-hooks.yaml"

echo "== wheel: tools (pre-commit, maturin)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check pre-commit "maturin>=1.7,<2.0"
PRE_COMMIT="$WORK/venv/bin/pre-commit"
"$PRE_COMMIT" validate-manifest "$ROOT/pre-commit-mirror/.pre-commit-hooks.yaml"

LINKS="$WORK/links"
mkdir -p "$LINKS"
if [ -n "${DRIFTLESS_WHEEL_DIR:-}" ]; then
  cp "$DRIFTLESS_WHEEL_DIR"/driftless-"$VERSION"-*.whl "$LINKS"/
else
  echo "== wheel: maturin build --profile dev"
  started=$(date +%s)
  (cd "$ROOT" && "$WORK/venv/bin/maturin" build --profile dev --locked --quiet -o "$LINKS")
  echo "wheel built in $(( $(date +%s) - started )) s"
fi
ls "$LINKS"/driftless-"$VERSION"-*.whl >/dev/null 2>&1 || fail "no driftless-$VERSION wheel"
echo "== wheel: the sdist holds what the build needs (vendor/hcl-edit, vendor/saphyr-parser, vendor/regorus)"
(cd "$ROOT" && "$WORK/venv/bin/maturin" sdist --out "$WORK/sdist" >/dev/null 2>&1) || fail "maturin sdist failed"
mkdir -p "$WORK/sdist/x"
tar -xzf "$WORK/sdist/driftless-$VERSION.tar.gz" -C "$WORK/sdist/x"
(cd "$WORK/sdist/x/driftless-$VERSION" && cargo metadata --offline --locked --format-version 1 >/dev/null) ||
  fail "the sdist does not resolve its dependencies offline (a path dependency left out?)"

"$WORK/venv/bin/python" -m pip download --quiet --disable-pip-version-check \
  --only-binary=:all: --dest "$LINKS" "setuptools>=61"

echo "== wheel: the hook repository (pre-commit-mirror/)"
HOOKS="$WORK/hook-repo"
cp -R "$ROOT/pre-commit-mirror" "$HOOKS"
git -C "$HOOKS" init -q
git -C "$HOOKS" add -A
git -C "$HOOKS" -c user.name=ci -c user.email=ci@example.invalid commit -q -m "hooks v$VERSION"
REV="$(git -C "$HOOKS" rev-parse HEAD)"

echo "== wheel: a repository that uses the hook"
TARGET="$WORK/target-repo"
mkdir -p "$TARGET/app"
git -C "$TARGET" init -q
git -C "$TARGET" config user.name ci
git -C "$TARGET" config user.email ci@example.invalid
cat > "$TARGET/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $HOOKS
    rev: $REV
    hooks:
      - id: driftless
YAML
git -C "$TARGET" add .pre-commit-config.yaml
git -C "$TARGET" commit -q -m "pre-commit config"

export PRE_COMMIT_HOME="$WORK/pre-commit-home"
export PIP_NO_INDEX=1
export PIP_FIND_LINKS="$LINKS"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export NO_COLOR=1
unset GITHUB_ACTIONS

echo "== wheel: install the hook's environment (timed)"
started=$(date +%s.%N)
(cd "$TARGET" && "$PRE_COMMIT" install-hooks)
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$started" "$(date +%s.%N)")
echo "hook environment installed in $elapsed s (pip from the local wheel, no compilation)"
installed="$(find "$PRE_COMMIT_HOME" -path '*/bin/driftless' -type f | head -n 1)"
[ -x "$installed" ] || fail "the hook environment has no driftless executable"
"$installed" --version | grep -q "$VERSION" || fail "the installed driftless is not $VERSION"

(cd "$TARGET" && "$PRE_COMMIT" install >/dev/null)

echo "== wheel: a staged bad Dockerfile blocks the commit"
printf '# base image\nFROM alpine:latest\n' > "$TARGET/app/Dockerfile"
git -C "$TARGET" add app/Dockerfile
set +e
out="$(git -C "$TARGET" commit -q -m "bad" 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -ne 0 ] || fail "commit with FROM alpine:latest was not blocked"
grep -q "app/Dockerfile:2:6: TAG001" <<<"$out" || fail "TAG001 not reported at app/Dockerfile:2:6"

echo "== wheel: a clean commit passes"
printf '# base image\nFROM alpine:3.20.3\n' > "$TARGET/app/Dockerfile"
git -C "$TARGET" add app/Dockerfile
git -C "$TARGET" commit -q -m "good" || fail "commit of a clean Dockerfile was blocked"

echo "pre-commit hook from the wheel: all checks passed"
