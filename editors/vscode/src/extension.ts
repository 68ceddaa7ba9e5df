// driftless for VS Code: starts `driftless lsp` with vscode-languageclient,
// passes the `driftless.*` settings to it, and adds a status-bar item and
// the commands "Restart server", "Show output" and "Explain rule under
// cursor". The decisions (which binary, which documents, which settings)
// live in binary.ts, selector.ts and settings.ts, tested without VS Code.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from "vscode-languageclient/node";

import { hostEnvironment, resolveBinary, ResolvedBinary, serverCommand } from "./binary";
import { documentSelector, ruleCodes } from "./selector";
import { initializationOptions, needsRestart, SECTION } from "./settings";

/** The server's `driftless/explain` request (src/lsp/explain.rs). */
export const EXPLAIN_REQUEST = "driftless/explain";

/** The URI scheme of the read-only explanation documents. */
const EXPLAIN_SCHEME = "driftless-explain";

interface Explanation {
  id: string;
  title: string;
  severity: string;
  markdown: string;
  href: string;
}

let client: LanguageClient | undefined;
let binary: ResolvedBinary | undefined;
let output: vscode.OutputChannel;
let statusBar: vscode.StatusBarItem;
const explanations = new Map<string, string>();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("driftless");
  statusBar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  statusBar.command = "driftless.showOutput";
  context.subscriptions.push(output, statusBar);

  const explainDocs = new (class implements vscode.TextDocumentContentProvider {
    provideTextDocumentContent(uri: vscode.Uri): string {
      return explanations.get(uri.path) ?? "";
    }
  })();
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, explainDocs),
    vscode.commands.registerCommand("driftless.restart", () => restart(context)),
    vscode.commands.registerCommand("driftless.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("driftless.explain", (id?: string) => explain(id)),
    vscode.workspace.onDidChangeConfiguration((e) => configurationChanged(context, e)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function settingGetter() {
  const config = vscode.workspace.getConfiguration(SECTION);
  return <T>(key: string) => config.get<T>(key);
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  showState("starting");
  try {
    binary = resolveBinary(
      vscode.workspace.getConfiguration(SECTION).get<string>("path"),
      workspaceFolder(),
      context.extensionPath,
      hostEnvironment(),
    );
  } catch (e) {
    binary = undefined;
    const message = e instanceof Error ? e.message : String(e);
    output.appendLine(message);
    showState("failed", message);
    void vscode.window.showErrorMessage(message, "Open settings").then((choice) => {
      if (choice !== undefined) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "driftless.path");
      }
    });
    return;
  }
  output.appendLine(`Starting ${binary.command} lsp (found via ${binary.source})`);
  const command = serverCommand(binary, workspaceFolder());
  // No `transport`: with TransportKind.stdio the client appends `--stdio`
  // to the arguments, which `driftless lsp` rejects; without one it talks
  // over the process's stdin/stdout all the same.
  const serverOptions: ServerOptions = {
    command: command.command,
    args: command.args,
    options: command.options,
  };
  const clientOptions: LanguageClientOptions = {
    // Every entry has a scheme, so each is a valid document filter.
    documentSelector: documentSelector() as DocumentSelector,
    initializationOptions: initializationOptions(settingGetter()),
    outputChannel: output,
  };
  // The client ID `driftless` makes the client read `driftless.trace.server`.
  client = new LanguageClient("driftless", "driftless", serverOptions, clientOptions);
  client.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      showState("running");
    } else if (e.newState === State.Stopped) {
      showState("stopped");
    }
  });
  try {
    await client.start();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    output.appendLine(`driftless lsp failed to start: ${message}`);
    showState("failed", message);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop().catch(() => undefined);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

/** A new binary path restarts the server; other settings are sent to the
 * running server, which re-lints open documents with them. */
async function configurationChanged(
  context: vscode.ExtensionContext,
  e: vscode.ConfigurationChangeEvent,
): Promise<void> {
  if (!e.affectsConfiguration(SECTION)) {
    return;
  }
  if (needsRestart((section) => e.affectsConfiguration(section)) || client === undefined) {
    await restart(context);
    return;
  }
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: initializationOptions(settingGetter()),
  });
}

function showState(state: "starting" | "running" | "stopped" | "failed", detail?: string): void {
  const version = client?.initializeResult?.serverInfo?.version;
  const icon = {
    starting: "$(sync~spin)",
    running: "$(shield)",
    stopped: "$(circle-slash)",
    failed: "$(error)",
  }[state];
  statusBar.text = `${icon} driftless${state === "running" && version ? ` ${version}` : ""}`;
  const lines = [`driftless: ${state}`];
  if (binary !== undefined) {
    lines.push(`${binary.command} (${binary.source})`);
  }
  if (detail !== undefined) {
    lines.push(detail);
  }
  lines.push("Click to show the output.");
  statusBar.tooltip = lines.join("\n");
  statusBar.backgroundColor =
    state === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  statusBar.show();
}

/** Explains the rule of the driftless diagnostic under the cursor (asking
 * when there are several, or none), in a Markdown preview beside it. */
async function explain(id?: string): Promise<void> {
  if (client === undefined || !client.isRunning()) {
    void vscode.window.showErrorMessage("driftless: the language server is not running.");
    return;
  }
  const ruleId = id ?? (await ruleUnderCursor());
  if (ruleId === undefined) {
    return;
  }
  let explanation: Explanation;
  try {
    explanation = await client.sendRequest<Explanation>(EXPLAIN_REQUEST, { id: ruleId });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`driftless: ${message}`);
    return;
  }
  const path = `/${explanation.id}.md`;
  explanations.set(path, explanation.markdown);
  const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path });
  await vscode.commands.executeCommand("markdown.showPreviewToSide", uri);
}

async function ruleUnderCursor(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const here =
    editor === undefined
      ? []
      : vscode.languages
          .getDiagnostics(editor.document.uri)
          .filter((d) => d.range.contains(editor.selection.active));
  const ids = ruleCodes(here.map((d) => ({ source: d.source, code: d.code })));
  if (ids.length === 1) {
    return ids[0];
  }
  if (ids.length > 1) {
    return vscode.window.showQuickPick(ids, { placeHolder: "Which rule?" });
  }
  return vscode.window.showInputBox({
    prompt: "No driftless finding under the cursor. Rule ID to explain:",
    placeHolder: "TAG001",
  });
}
