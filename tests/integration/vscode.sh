#!/usr/bin/env bash
# The VS Code extension (editors/vscode): build, test, package.
#
#   - `npm ci` from the committed package-lock.json;
#   - `npm test`: TypeScript compile (the extension itself included, against
#     @types/vscode) and the Node tests — the client-side logic (settings →
#     initialization options, binary resolution, document selector) and the
#     extension's server setup driven against the real `driftless lsp`
#     (target/debug/driftless, built here);
#   - `vsce package`, then the .vsix is checked for the files it must hold
#     and for files it must not (sources, tests, dev dependencies);
#   - opt-in (DRIFTLESS_VSCODE_E2E=1): the packaged extension installed in a
#     real editor, code-server, opening a workspace with a bad Dockerfile;
#     headless Chromium reads the Problems panel and the status bar
#     (editors/vscode/e2e/problems.js). It needs CODE_SERVER (the
#     code-server binary) and CHROMIUM (e.g. /usr/bin/chromium), and
#     playwright-core installed beside code-server. Not on by default: the
#     install builds native modules for minutes. What worked here (node 20):
#       apt-get install chromium libkrb5-dev ripgrep
#       npm_config_yes=true npm_config_unsafe_perm=true \
#         npm install code-server@4.100.3 playwright-core
#     (code-server 4.100.3 is the newest that runs on node 20). Its
#     @vscode/ripgrep dependency downloads rg from api.github.com; where
#     that is unreachable, put a tar.gz of a local `rg` where its cache is
#     looked up first: /tmp/vscode-ripgrep-cache-<version>/ripgrep-<rg
#     version>-x86_64-unknown-linux-musl.tar.gz.
#
# Needs: node >= 20, npm, network access to the npm registry, cargo.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
EXT="$ROOT/editors/vscode"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/driftless-vscode.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== vscode: driftless binary"
(cd "$ROOT" && cargo build --locked --bin driftless)
export DRIFTLESS_BIN="$ROOT/target/debug/driftless"

echo "== vscode: npm ci"
(cd "$EXT" && npm ci --no-audit --no-fund)

echo "== vscode: compile and test"
(cd "$EXT" && npm test)

echo "== vscode: package"
VSIX="$WORK/driftless.vsix"
(cd "$EXT" && npx --no-install vsce package --out "$VSIX")
unzip -Z1 "$VSIX" > "$WORK/files"
for f in \
  extension/package.json \
  extension/readme.md \
  extension/changelog.md \
  extension/LICENSE.txt \
  extension/out/src/extension.js \
  extension/out/src/binary.js \
  extension/out/src/selector.js \
  extension/out/src/settings.js \
  extension/node_modules/vscode-languageclient/package.json \
  extension/node_modules/vscode-languageclient/node.js \
  extension/node_modules/vscode-jsonrpc/package.json; do
  grep -qx "$f" "$WORK/files" || fail "$f missing from the .vsix"
done
if grep -E '^extension/(src|test|e2e|out/test)/|\.ts$|^extension/node_modules/(typescript|@vscode/vsce|@types)/' "$WORK/files"; then
  fail "sources, tests or dev dependencies packaged (see above)"
fi
unzip -p "$VSIX" extension/package.json | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const cmds = m.contributes.commands.map((c) => c.command).sort().join(",");
  if (cmds !== "driftless.explain,driftless.restart,driftless.showOutput") throw new Error("commands: " + cmds);
  for (const k of ["path", "config", "strict", "select", "ignore", "trace.server"])
    if (!m.contributes.configuration.properties["driftless." + k]) throw new Error("setting driftless." + k + " missing");
'
if [ "${DRIFTLESS_VSCODE_E2E:-0}" = 1 ]; then
  echo "== vscode: end to end in code-server"
  : "${CODE_SERVER:?set CODE_SERVER to the code-server binary}"
  : "${CHROMIUM:?set CHROMIUM to a Chromium binary}"
  node "$EXT/e2e/problems.js" "$CODE_SERVER" "$VSIX" "$DRIFTLESS_BIN" "$CHROMIUM"
fi
echo "vscode extension: all checks passed ($(wc -l < "$WORK/files") files in the .vsix)"
