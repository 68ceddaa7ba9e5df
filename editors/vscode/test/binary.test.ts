import { strict as assert } from "node:assert";
import * as path from "node:path";
import { test } from "node:test";

import {
  bundledPath,
  Environment,
  findOnPath,
  resolveBinary,
  serverCommand,
} from "../src/binary";

/** An environment where exactly `files` are executable. */
function environment(files: string[], platform: NodeJS.Platform = "linux", env = {}): Environment {
  const set = new Set(files);
  return {
    platform,
    env: { PATH: "/usr/local/bin:/usr/bin", ...env },
    home: "/home/u",
    isExecutable: (f) => set.has(f),
  };
}

const EXT = "/ext";

test("the setting wins, relative to the workspace folder or home", () => {
  const env = environment(["/w/tools/driftless", "/home/u/bin/driftless", "/usr/bin/driftless"]);
  assert.deepEqual(resolveBinary("tools/driftless", "/w", EXT, env), {
    command: "/w/tools/driftless",
    source: "setting",
  });
  assert.deepEqual(resolveBinary("~/bin/driftless", "/w", EXT, env), {
    command: "/home/u/bin/driftless",
    source: "setting",
  });
});

test("a setting that names no executable is an error, not a fallback", () => {
  const env = environment(["/usr/bin/driftless"]);
  assert.throws(() => resolveBinary("/nope/driftless", "/w", EXT, env), /driftless\.path/);
});

test("PATH comes before the bundled binary, in PATH order", () => {
  const bundled = bundledPath(EXT, "linux");
  assert.equal(bundled, path.join(EXT, "bin", "driftless"));
  const both = environment(["/usr/bin/driftless", "/usr/local/bin/driftless", bundled]);
  assert.deepEqual(resolveBinary("", "/w", EXT, both), {
    command: "/usr/local/bin/driftless",
    source: "PATH",
  });
  const onlyBundled = environment([bundled]);
  assert.deepEqual(resolveBinary(undefined, "/w", EXT, onlyBundled), {
    command: bundled,
    source: "bundled",
  });
  assert.throws(() => resolveBinary(undefined, "/w", EXT, environment([])), /not found/);
});

test("Windows: PATHEXT names and the .exe in the bundle", () => {
  const dir = "C:\\tools";
  const exe = path.join(dir, "driftless.exe");
  const env = environment([exe], "win32", { PATH: dir, PATHEXT: ".COM;.EXE" });
  assert.equal(findOnPath(env), exe);
  assert.equal(bundledPath(EXT, "win32"), path.join(EXT, "bin", "driftless.exe"));
});

test("the server is `driftless lsp` in the workspace folder", () => {
  const binary = { command: "/usr/bin/driftless", source: "PATH" as const };
  assert.deepEqual(serverCommand(binary, "/w"), {
    command: "/usr/bin/driftless",
    args: ["lsp"],
    options: { cwd: "/w" },
  });
  assert.deepEqual(serverCommand(binary, undefined).options, {});
});
