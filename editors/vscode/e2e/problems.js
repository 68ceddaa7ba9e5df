// End to end in a real editor: code-server (VS Code in a browser) with the
// packaged extension installed opens a workspace with a bad Dockerfile, and
// headless Chromium (driven by playwright-core) reads the Problems panel.
//
// Usage: node e2e/problems.js CODE_SERVER VSIX DRIFTLESS_BIN CHROMIUM
// (tests/integration/vscode.sh runs it when DRIFTLESS_VSCODE_E2E=1).
"use strict";

const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const [codeServer, vsix, driftless, chromium] = process.argv.slice(2);
const { chromium: playwright } = require(
  require.resolve("playwright-core", { paths: [path.dirname(path.dirname(codeServer)), process.cwd()] }),
);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "driftless-e2e-"));
  const userData = path.join(tmp, "user-data");
  const extensions = path.join(tmp, "extensions");
  const workspace = path.join(tmp, "workspace");
  fs.mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  fs.mkdirSync(path.join(workspace, ".git"));
  fs.writeFileSync(path.join(workspace, "Dockerfile"), "FROM alpine:latest\nRUN echo hi\n");
  fs.writeFileSync(
    path.join(workspace, ".vscode", "settings.json"),
    JSON.stringify({ "driftless.path": driftless }),
  );
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.writeFileSync(
    path.join(userData, "User", "settings.json"),
    JSON.stringify({
      "workbench.startupEditor": "none",
      "security.workspace.trust.enabled": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoUpdate": false,
    }),
  );
  const common = ["--user-data-dir", userData, "--extensions-dir", extensions];
  execFileSync(codeServer, [...common, "--install-extension", vsix], { stdio: "inherit" });

  const port = await freePort();
  const server = spawn(
    codeServer,
    [...common, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry",
      "--disable-update-check", "--disable-workspace-trust", workspace],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  let browser;
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60000);
    browser = await playwright.launch({
      executablePath: chromium,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    // Open the Dockerfile from the Explorer, then the Problems panel.
    await page.waitForTimeout(3000);
    await page.locator(".monaco-workbench").click({ position: { x: 600, y: 300 } });
    await page.keyboard.press("Control+Shift+E");
    const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "Dockerfile" });
    await row.first().click({ timeout: 30000 });
    await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30000 });
    await page.keyboard.press("Control+Shift+M");
    const marker = page.locator(".markers-panel .monaco-tl-contents", { hasText: "TAG001" });
    await marker.first().waitFor({ timeout: 60000 });
    const text = await page.locator(".markers-panel").innerText();
    console.log("Problems panel:\n" + text);
    if (!/alpine:latest/.test(text) || !/driftless/.test(text)) {
      throw new Error("the Problems panel does not show driftless's TAG001 on alpine:latest");
    }
    const status = await page.locator(".statusbar").innerText();
    console.log("Status bar: " + status.replace(/\s+/g, " "));
    if (!/driftless \d+\.\d+\.\d+/.test(status)) {
      throw new Error("the status bar does not show driftless and its version");
    }

    // The quick fix on the finding: Ctrl+. offers the suppression; applying
    // it inserts the comment above the line.
    await page.locator(".monaco-editor .view-line", { hasText: "alpine:latest" }).first().click();
    await page.keyboard.press("End");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Control+.");
    const fix = page.locator(".action-widget, .context-view", { hasText: "Suppress TAG001" });
    await fix.first().waitFor({ timeout: 30000 });
    await page.keyboard.press("Enter");
    await page
      .locator(".monaco-editor .view-line", { hasText: "driftless:ignore[TAG001] <reason>" })
      .first()
      .waitFor({ timeout: 30000 });
    console.log("Quick fix: inserted # driftless:ignore[TAG001] <reason>");

    // "Explain rule under cursor" on the finding (now on line 2) opens the
    // rule's explanation in a Markdown preview.
    await page.locator(".monaco-editor .view-line", { hasText: "alpine:latest" }).first().click();
    await page.keyboard.press("End");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("F1");
    await page.keyboard.type("driftless: Explain rule under cursor");
    await page.waitForTimeout(500);
    await page.keyboard.press("Enter");
    await page.locator(".tab", { hasText: "TAG001" }).first().waitFor({ timeout: 30000 });
    console.log("Explain: a preview tab for TAG001 is open");
    if (process.env.DRIFTLESS_E2E_SCREENSHOT) {
      await page.waitForTimeout(2000);
      await page.screenshot({ path: process.env.DRIFTLESS_E2E_SCREENSHOT });
    }
    console.log("e2e: the Problems panel shows TAG001 from the extension; quick fix and explain work");
  } catch (e) {
    const page = browser && browser.contexts().flatMap((c) => c.pages())[0];
    if (page) {
      // The extension's output (the status-bar item opens it) says why.
      await page.locator(".statusbar-item", { hasText: "driftless" }).first().click().catch(() => {});
      await page.waitForTimeout(2000);
      const out = await page.locator(".output-view, .panel .monaco-editor").first().innerText().catch(() => "");
      console.error("driftless output:\n" + out);
      if (process.env.DRIFTLESS_E2E_SCREENSHOT) {
        await page.screenshot({ path: process.env.DRIFTLESS_E2E_SCREENSHOT });
      }
    }
    throw e;
  } finally {
    if (browser) await browser.close();
    server.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack || e}`);
  process.exit(1);
});
