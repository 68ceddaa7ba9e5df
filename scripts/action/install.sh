#!/usr/bin/env bash
# Installs driftless for the GitHub Action (action.yml).
#
#   install.sh                 install: from the action's own source with
#                              cargo (DRIFTLESS_VERSION empty or "source"),
#                              or a released binary (DRIFTLESS_VERSION
#                              "latest" or a version such as "0.2.0"/"v0.2.0")
#                              verified against its published sha256
#   install.sh cache-key       print a hash of the sources (the build cache key)
#   install.sh asset TARGET    print the release asset name for a Rust target
#                              (the release workflow names its files with it)
#
# Environment: GITHUB_ACTION_PATH (the action's checkout), RUNNER_OS,
# RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH (set by GitHub), DRIFTLESS_VERSION,
# DRIFTLESS_REPOSITORY (owner/name, default: the action's repository),
# DRIFTLESS_DOWNLOAD_URL (base URL of release files: mirrors and tests).
set -euo pipefail

die() { echo "::error title=driftless install::$*" >&2; exit 1; }

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"

# Rust target → release asset name. One place, used by install and release.
asset_for_target() {
  case "$1" in
    x86_64-unknown-linux-gnu | aarch64-unknown-linux-gnu | \
    x86_64-apple-darwin | aarch64-apple-darwin)
      echo "driftless-$1.tar.gz" ;;
    x86_64-pc-windows-msvc)
      echo "driftless-$1.zip" ;;
    *) return 1 ;;
  esac
}

# The runner's OS/architecture → Rust target of the binary to download.
runner_target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

cache_key() {
  cd "$action_path"
  find Cargo.toml Cargo.lock build.rs src policies -type f 2>/dev/null | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s %s\n' "$(sha256_of "$f")" "$f"; done > "${RUNNER_TEMP:-/tmp}/driftless-sources.txt"
  sha256_of "${RUNNER_TEMP:-/tmp}/driftless-sources.txt" | cut -c1-20
}

add_to_path() {
  echo "$1" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
  echo "driftless installed in $1"
}

install_from_source() {
  command -v cargo >/dev/null 2>&1 ||
    die "cargo is not installed: install a Rust toolchain first, or set the action's \`version\` input to a released version"
  local root="${RUNNER_TEMP:-/tmp}/driftless"
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${RUNNER_TEMP:-/tmp}/driftless-target}"
  cargo install --locked --quiet --root "$root" --path "$action_path"
  add_to_path "$root/bin"
}

install_release() {
  local version="$1" repo target asset base tmp expected actual
  [[ "$version" =~ ^(latest|v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?)$ ]] ||
    die "invalid version '$version': use latest, a version such as 0.2.0, or leave it empty to build from source"
  target="$(runner_target)" || die "no released binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; leave \`version\` empty to build from source"
  asset="$(asset_for_target "$target")"
  repo="${DRIFTLESS_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-driftless-dev/driftless}}"
  if [ -n "${DRIFTLESS_DOWNLOAD_URL:-}" ]; then
    base="$DRIFTLESS_DOWNLOAD_URL"
  elif [ "$version" = latest ]; then
    base="https://github.com/$repo/releases/latest/download"
  else
    base="https://github.com/$repo/releases/download/v${version#v}"
  fi
  tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/driftless-download.XXXXXX")"
  curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" || die "cannot download $base/$asset"
  curl -fsSL --retry 3 -o "$tmp/$asset.sha256" "$base/$asset.sha256" || die "cannot download $base/$asset.sha256"
  expected="$(cut -d' ' -f1 < "$tmp/$asset.sha256" | tr -d '\r\n')"
  actual="$(sha256_of "$tmp/$asset")"
  [ -n "$expected" ] && [ "$expected" = "$actual" ] ||
    die "checksum mismatch for $asset: expected '$expected', got '$actual'"
  local dir="${RUNNER_TEMP:-/tmp}/driftless/bin"
  mkdir -p "$dir"
  case "$asset" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -o -q "$tmp/$asset" -d "$dir"
      else
        powershell -NoProfile -Command "Expand-Archive -Force -Path '$tmp/$asset' -DestinationPath '$dir'"
      fi ;;
    *) tar -xzf "$tmp/$asset" -C "$dir" ;;
  esac
  rm -rf "$tmp"
  [ -x "$dir/driftless" ] || [ -f "$dir/driftless.exe" ] || die "$asset has no driftless binary"
  add_to_path "$dir"
}

case "${1:-install}" in
  cache-key) cache_key ;;
  asset)
    asset_for_target "${2:?usage: install.sh asset TARGET}" || { echo "unknown target: $2" >&2; exit 1; } ;;
  install)
    version="${DRIFTLESS_VERSION:-}"
    if [ -z "$version" ] || [ "$version" = source ]; then
      install_from_source
    else
      install_release "$version"
    fi ;;
  *) echo "usage: install.sh [install|cache-key|asset TARGET]" >&2; exit 2 ;;
esac
