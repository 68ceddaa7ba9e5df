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

# A workflow command's message with GitHub's escapes (%, CR, LF), so input
# quoted in it can neither end the command nor start another one.
escape_data() {
  local s="$1"
  s="${s//'%'/%25}"
  s="${s//$'\r'/%0D}"
  s="${s//$'\n'/%0A}"
  printf '%s' "$s"
}

die() { echo "::error title=driftless install::$(escape_data "$*")" >&2; exit 1; }

action_path="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
checksums="$action_path/scripts/action/checksums.txt"

# The pinned sha256 of VERSION's ASSET (scripts/action/checksums.txt).
pinned_sha256() {
  awk -v v="$1" -v a="$2" '$1 !~ /^#/ && $1 == v && $2 == a { print $3; exit }' "$checksums" 2>/dev/null
}

# The newest version with pinned checksums (what `latest` installs).
newest_pinned() {
  awk '$1 !~ /^#/ && NF == 3 { print $1 }' "$checksums" 2>/dev/null | sort -t. -k1,1n -k2,2n -k3,3n | tail -1
}

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
  if [ "$version" = latest ]; then
    version="$(newest_pinned)"
    [ -n "$version" ] || die "no released version is pinned in this action's checksums.txt; leave \`version\` empty to build from source"
  fi
  version="${version#v}"
  expected="$(pinned_sha256 "$version" "$asset")"
  [ -n "$expected" ] ||
    die "$asset of version $version has no checksum pinned in this action (scripts/action/checksums.txt): use a newer action, a pinned version, or leave \`version\` empty to build from source"
  repo="${DRIFTLESS_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-driftless-dev/driftless}}"
  if [ -n "${DRIFTLESS_DOWNLOAD_URL:-}" ]; then
    base="$DRIFTLESS_DOWNLOAD_URL"
  else
    base="https://github.com/$repo/releases/download/v$version"
  fi
  tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/driftless-download.XXXXXX")"
  curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" || die "cannot download $base/$asset"
  actual="$(sha256_of "$tmp/$asset")"
  [ "$expected" = "$actual" ] ||
    die "checksum mismatch for $asset $version: pinned '$expected', downloaded '$actual'"
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
