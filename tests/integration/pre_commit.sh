#!/usr/bin/env bash
# End-to-end test of the pre-commit hook (.pre-commit-hooks.yaml).
#
# Installs pre-commit from PyPI into a virtual environment, then uses the
# hook the way users do: a .pre-commit-config.yaml in a throw-away git
# repository pointing at this repository, and
#   - `pre-commit run driftless --files <bad Dockerfile>` must fail and name
#     TAG001 at the right line;
#   - `pre-commit run driftless --files <good files>` must pass;
#   - a staged Terraform file is checked with its module's other files as
#     context, and only its own findings are shown;
#   - a staged variables.tf or terraform.tfvars shows the findings whose
#     value it writes (located in main.tf, web.tf), and only those;
#   - `git commit` of the bad file is blocked by the installed hook.
#
# Why not `pre-commit try-repo` twice: try-repo uses a fresh temporary store
# per call, so each call would `cargo install` driftless again (a release
# build, minutes each). Instead this script does what try-repo does — a
# "shadow" commit of the working tree, so uncommitted changes are tested
# too, untracked files included — and points one config at it with a shared
# PRE_COMMIT_HOME, exactly as a user's config points at a tag: one build for
# all checks.
#
# Build cost: `language: rust` runs `cargo install --bins --path .` of the
# hook repository. CARGO_TARGET_DIR is pinned under target/ so re-runs are
# incremental, and the release profile is lightened (no LTO, opt-level 1)
# unless DRIFTLESS_HOOK_FULL_RELEASE=1: the hook's behaviour does not depend
# on optimisation.
#
# Needs: python3 (venv), git, cargo, network access to PyPI and crates.io.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-pre-commit.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== pre-commit: virtual environment"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check pre-commit
PRE_COMMIT="$WORK/venv/bin/pre-commit"
"$PRE_COMMIT" --version

echo "== pre-commit: validate-manifest"
"$PRE_COMMIT" validate-manifest "$ROOT/.pre-commit-hooks.yaml"

echo "== pre-commit: shadow commit of the working tree"
SHADOW="$WORK/hook-repo"
mkdir -p "$SHADOW"
(
  cd "$ROOT"
  # Tracked and untracked-but-not-ignored files, as they are on disk now.
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -
) | tar -xf - -C "$SHADOW"
git -C "$SHADOW" init -q
git -C "$SHADOW" add -A
git -C "$SHADOW" -c user.name=ci -c user.email=ci@example.invalid \
  commit -q -m "shadow of the working tree"
REV="$(git -C "$SHADOW" rev-parse HEAD)"

echo "== pre-commit: target repository"
TARGET="$WORK/target-repo"
mkdir -p "$TARGET/app" "$TARGET/infra" "$TARGET/k8s"
git -C "$TARGET" init -q
git -C "$TARGET" config user.name ci
git -C "$TARGET" config user.email ci@example.invalid
printf 'FROM alpine:3.20.3\nRUN echo ok\n' > "$TARGET/app/Dockerfile.good"
printf '# base image\nFROM alpine:latest\n' > "$TARGET/app/Dockerfile"
cat > "$TARGET/k8s/deploy.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
YAML
cat > "$TARGET/infra/variables.tf" <<'HCL'
variable "image_tag" {
  default = "latest"
}
HCL
cat > "$TARGET/infra/main.tf" <<'HCL'
resource "kubernetes_pod" "app" {
  metadata {
    name = "app"
  }
  spec {
    container {
      name  = "app"
      image = "nginx:${var.image_tag}"
    }
  }
}
HCL
cat > "$TARGET/infra/web.tf" <<'HCL'
variable "web_image" {
  default = "nginx:1.27.2"
}

resource "kubernetes_pod" "web" {
  metadata {
    name = "web"
  }
  spec {
    container {
      name  = "web"
      image = var.web_image
    }
  }
}
HCL
printf 'web_image = "nginx:latest"\n' > "$TARGET/infra/terraform.tfvars"
cat > "$TARGET/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $SHADOW
    rev: $REV
    hooks:
      - id: driftless
YAML
git -C "$TARGET" add .pre-commit-config.yaml

export PRE_COMMIT_HOME="$WORK/pre-commit-home"
export CARGO_TARGET_DIR="${DRIFTLESS_HOOK_TARGET_DIR:-$ROOT/target/pre-commit-hook}"
if [ "${DRIFTLESS_HOOK_FULL_RELEASE:-0}" != 1 ]; then
  export CARGO_PROFILE_RELEASE_LTO=false
  export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
fi
export NO_COLOR=1
unset GITHUB_ACTIONS

run_hook() { (cd "$TARGET" && "$PRE_COMMIT" run driftless --color never "$@"); }

echo "== pre-commit: bad Dockerfile must fail (first run builds the hook)"
set +e
out="$(run_hook --files app/Dockerfile 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -ne 0 ] || fail "hook passed on FROM alpine:latest"
grep -q "app/Dockerfile:2:6: TAG001" <<<"$out" || fail "TAG001 not reported at app/Dockerfile:2:6"

echo "== pre-commit: good files must pass"
set +e
out="$(run_hook --files app/Dockerfile.good k8s/deploy.yaml 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -eq 0 ] || fail "hook failed on good files"

echo "== pre-commit: a single .tf file is evaluated with its module"
set +e
out="$(run_hook --files infra/main.tf 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -ne 0 ] || fail "latest from a variable default in a sibling file was not found"
grep -q "infra/main.tf:8:" <<<"$out" || fail "finding not located in infra/main.tf"
# (a `= written: infra/variables.tf:…` line names where a value is written)
if grep -q "^infra/variables.tf:[0-9]*:[0-9]*: " <<<"$out"; then
  fail "findings in files that were not passed are shown"
fi

echo "== pre-commit: a staged variables.tf shows the finding its default causes in main.tf"
set +e
out="$(run_hook --files infra/variables.tf 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -ne 0 ] || fail "a default changed to latest in variables.tf passed"
grep -q "infra/main.tf:8:" <<<"$out" || fail "the finding its default causes in infra/main.tf is not shown"
grep -q "written: infra/variables.tf:2:" <<<"$out" || fail "the place the value is written is not named"
if grep -q "^infra/web.tf:" <<<"$out"; then
  fail "a finding that the staged file does not cause is shown"
fi

echo "== pre-commit: a staged terraform.tfvars shows only the findings it causes"
set +e
out="$(run_hook --files infra/terraform.tfvars 2>&1)"
code=$?
set -e
echo "$out"
[ "$code" -ne 0 ] || fail "latest set in terraform.tfvars passed"
grep -q "infra/web.tf:12:" <<<"$out" || fail "the finding the tfvars entry causes in infra/web.tf is not shown"
if grep -q "^infra/main.tf:" <<<"$out"; then
  fail "an unrelated finding of an unstaged file is shown"
fi

echo "== pre-commit: the installed hook blocks a commit"
(cd "$TARGET" && "$PRE_COMMIT" install >/dev/null)
git -C "$TARGET" add app/Dockerfile
set +e
out="$(git -C "$TARGET" commit -q -m "bad" 2>&1)"
code=$?
set -e
[ "$code" -ne 0 ] || fail "commit with FROM alpine:latest was not blocked"
grep -q "TAG001" <<<"$out" || fail "commit failed, but not because of TAG001: $out"
git -C "$TARGET" reset -q app/Dockerfile
git -C "$TARGET" add infra/terraform.tfvars
set +e
out="$(git -C "$TARGET" commit -q -m "tfvars" 2>&1)"
code=$?
set -e
[ "$code" -ne 0 ] || fail "commit of a tfvars file setting latest was not blocked"
grep -q "infra/web.tf:12:" <<<"$out" || fail "tfvars commit failed, but not because of web.tf: $out"
git -C "$TARGET" reset -q infra/terraform.tfvars
git -C "$TARGET" add app/Dockerfile.good k8s/deploy.yaml
git -C "$TARGET" commit -q -m "good" || fail "commit of good files was blocked"

echo "pre-commit hook: all checks passed"
