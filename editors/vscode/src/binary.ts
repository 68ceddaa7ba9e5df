// Which `driftless` binary the extension starts. Kept free of the `vscode`
// module so plain Node tests can check the resolution order.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Where the binary came from (shown in the status bar's tooltip). */
export type BinarySource = "setting" | "PATH" | "bundled";

export interface ResolvedBinary {
  command: string;
  source: BinarySource;
}

/** What resolution needs from the environment, injectable for tests. */
export interface Environment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  isExecutable: (file: string) => boolean;
}

/** The real environment of the extension host. */
export function hostEnvironment(): Environment {
  return {
    platform: process.platform,
    env: process.env,
    home: os.homedir(),
    isExecutable: (file) => {
      try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) {
          return false;
        }
        if (process.platform !== "win32") {
          fs.accessSync(file, fs.constants.X_OK);
        }
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The binary's file name on a platform. */
export function executableName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "driftless.exe" : "driftless";
}

/** The binary a platform-specific package ships, under `bin/`. */
export function bundledPath(extensionPath: string, platform: NodeJS.Platform): string {
  return path.join(extensionPath, "bin", executableName(platform));
}

/** The first `driftless` on `PATH` (with `PATHEXT` on Windows). */
export function findOnPath(environment: Environment): string | undefined {
  const pathVar = environment.env.PATH ?? environment.env.Path ?? "";
  const separator = environment.platform === "win32" ? ";" : ":";
  const names =
    environment.platform === "win32"
      ? (environment.env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM")
          .split(";")
          .filter((e) => e.length > 0)
          .map((e) => `driftless${e.toLowerCase()}`)
      : ["driftless"];
  for (const dir of pathVar.split(separator)) {
    if (dir.length === 0) {
      continue;
    }
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (environment.isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** `~/x` and workspace-relative paths in the `driftless.path` setting. */
export function expandSettingPath(
  setting: string,
  workspaceFolder: string | undefined,
  home: string,
): string {
  let p = setting.trim();
  if (p === "~" || p.startsWith("~/") || p.startsWith("~\\")) {
    p = path.join(home, p.slice(1));
  }
  if (!path.isAbsolute(p) && workspaceFolder !== undefined) {
    p = path.join(workspaceFolder, p);
  }
  return p;
}

/** The binary to start: the `driftless.path` setting when set (and then
 * only it: a wrong path is an error, not a silent fallback to another
 * version), else `driftless` on `PATH` (the version the project's CI
 * likely pins), else the binary bundled in a platform-specific package.
 * Throws with a message the user can act on when there is none. */
export function resolveBinary(
  setting: string | undefined,
  workspaceFolder: string | undefined,
  extensionPath: string,
  environment: Environment,
): ResolvedBinary {
  if (setting !== undefined && setting.trim() !== "") {
    const command = expandSettingPath(setting, workspaceFolder, environment.home);
    if (!environment.isExecutable(command)) {
      throw new Error(
        `driftless.path is set to "${setting}", but ${command} is not an executable file.`,
      );
    }
    return { command, source: "setting" };
  }
  const onPath = findOnPath(environment);
  if (onPath !== undefined) {
    return { command: onPath, source: "PATH" };
  }
  const bundled = bundledPath(extensionPath, environment.platform);
  if (environment.isExecutable(bundled)) {
    return { command: bundled, source: "bundled" };
  }
  throw new Error(
    "driftless was not found: install it (https://github.com/driftless-dev/driftless#install) " +
      "and put it on PATH, or set driftless.path to the binary.",
  );
}

/** How the server process is started: `driftless lsp` over stdio, in the
 * workspace folder (where the CLI would look for `.driftless.yaml`). */
export function serverCommand(
  binary: ResolvedBinary,
  workspaceFolder: string | undefined,
): { command: string; args: string[]; options: { cwd?: string } } {
  return {
    command: binary.command,
    args: ["lsp"],
    options: workspaceFolder !== undefined ? { cwd: workspaceFolder } : {},
  };
}
