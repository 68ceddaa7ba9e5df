// The real `driftless lsp`, started and configured exactly as the extension
// does it (binary resolution, `driftless lsp` in the workspace folder,
// settings as initialization options and in didChangeConfiguration), driven
// over stdio with the LSP protocol library vscode-languageclient is built on:
// open a document, receive diagnostics, run the quick fix, explain the rule.
//
// The binary: $DRIFTLESS_BIN, else the workspace's target/debug/driftless.

import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";

import {
  CodeActionRequest,
  createProtocolConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ProtocolConnection,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextEdit,
} from "vscode-languageserver-protocol/node";

import { hostEnvironment, resolveBinary, serverCommand } from "../src/binary";
import { documentSelector } from "../src/selector";
import { initializationOptions } from "../src/settings";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const BINARY =
  process.env.DRIFTLESS_BIN ?? path.join(REPO, "target", "debug", "driftless");

let workspace: string;
let server: ChildProcess;
let connection: ProtocolConnection;
const published: PublishDiagnosticsParams[] = [];
const waiters: (() => void)[] = [];

/** The next diagnostics published for `uri` after `from` earlier ones. */
async function diagnosticsFor(uri: string, from: number): Promise<[Diagnostic[], number]> {
  for (;;) {
    const i = published.findIndex((p, n) => n >= from && p.uri === uri);
    if (i >= 0) {
      return [published[i].diagnostics, i + 1];
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri}`)), 30000);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function settings(values: Record<string, unknown>) {
  return initializationOptions(<T>(key: string) => values[key] as T | undefined);
}

/** Applies edits to a text (single-line-insert edits, as the quick fix makes). */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split("\n");
  for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line)) {
    const line = lines[e.range.start.line];
    const col = e.range.start.character;
    lines[e.range.start.line] = line.slice(0, col) + e.newText + line.slice(col);
  }
  return lines.join("\n");
}

before(async () => {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "driftless-vscode-")));
  fs.mkdirSync(path.join(workspace, ".git"));
  // No registry lookups from the test: the pin is offered, disabled.
  fs.writeFileSync(path.join(workspace, ".driftless.yaml"), "fix:\n  network: false\n");
  const binary = resolveBinary(BINARY, workspace, "/nonexistent", hostEnvironment());
  const command = serverCommand(binary, workspace);
  server = spawn(command.command, command.args, {
    cwd: command.options.cwd,
    stdio: ["pipe", "pipe", "inherit"],
  });
  connection = createProtocolConnection(
    new StreamMessageReader(server.stdout!),
    new StreamMessageWriter(server.stdin!),
  );
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.push(p);
    waiters.splice(0).forEach((w) => w());
  });
  connection.listen();
});

after(async () => {
  connection?.dispose();
  server?.kill();
  fs.rmSync(workspace, { recursive: true, force: true });
});

test("the extension's setup against the real driftless lsp", async () => {
  const root = pathToFileURL(workspace).toString();
  const init = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: root,
    workspaceFolders: [{ uri: root, name: "w" }],
    capabilities: {},
    initializationOptions: settings({ strict: false }),
  });
  assert.equal(init.serverInfo?.name, "driftless");
  assert.deepEqual(init.capabilities.experimental, { explainProvider: true });
  await connection.sendNotification(InitializedNotification.type, {});

  // A Dockerfile the selector sends (by name): TAG001 with its rule link.
  const file = path.join(workspace, "Dockerfile");
  assert.ok(documentSelector().some((f) => f.language === "dockerfile"));
  const uri = pathToFileURL(file).toString();
  const text = "FROM alpine:3.20.3\nFROM nginx:latest\n";
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "dockerfile", version: 1, text },
  });
  let [diagnostics, seen] = await diagnosticsFor(uri, 0);
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ["TAG001"],
  );
  const tag = diagnostics[0];
  assert.deepEqual(tag.range, {
    start: { line: 1, character: 5 },
    end: { line: 1, character: 17 },
  });
  assert.match(tag.codeDescription?.href ?? "", /docs\/rules\.md#tag001$/);

  // The quick fix: insert a suppression with a reason placeholder.
  const actions = await connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: tag.range,
    context: { diagnostics: [tag] },
  });
  // The pin needs the registry (offline here: offered, disabled with the
  // reason), then the suppression.
  assert.ok(actions !== null && actions.length === 2);
  const pin = actions[0];
  assert.ok("disabled" in pin && /network/.test(pin.disabled?.reason ?? ""));
  const action = actions[1];
  assert.ok("title" in action && /uppress/.test(action.title));
  assert.ok("edit" in action && action.edit?.changes !== undefined);
  const fixed = applyEdits(text, action.edit.changes[uri]);
  assert.equal(
    fixed,
    "FROM alpine:3.20.3\n# driftless:ignore[TAG001] <reason>\nFROM nginx:latest\n",
  );

  // "Explain rule under cursor" asks the server for the diagnostic's code.
  const explanation = await connection.sendRequest<{ id: string; markdown: string }>(
    "driftless/explain",
    { id: tag.code },
  );
  assert.equal(explanation.id, "TAG001");
  assert.match(explanation.markdown, /How to fix/);

  // Changing a setting: the extension sends the settings again and the
  // server re-lints the open document (strict adds TAG003).
  await connection.sendNotification(DidChangeConfigurationNotification.type, {
    settings: settings({ strict: true }),
  });
  [diagnostics, seen] = await diagnosticsFor(uri, seen);
  assert.deepEqual(
    [...new Set(diagnostics.map((d) => d.code))].sort(),
    ["TAG001", "TAG003"],
  );

  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  const code = await new Promise<number | null>((resolve) => server.on("exit", resolve));
  assert.equal(code, 0);
});
