import { strict as assert } from "node:assert";
import { test } from "node:test";

import { initializationOptions, needsRestart, serverSettings } from "../src/settings";

/** A getter over a plain object, like `WorkspaceConfiguration.get`. */
function getter(values: Record<string, unknown>) {
  return <T>(key: string) => values[key] as T | undefined;
}

test("settings become the server's options under the driftless section", () => {
  const options = initializationOptions(
    getter({
      path: "/opt/driftless",
      config: " ci/driftless.yaml ",
      strict: true,
      select: ["TAG001", " ", "VER004 "],
      ignore: [],
      "trace.server": "verbose",
    }),
  );
  assert.deepEqual(options, {
    driftless: {
      config: "ci/driftless.yaml",
      strict: true,
      select: ["TAG001", "VER004"],
      ignore: [],
    },
  });
});

test("unset or malformed settings are the defaults", () => {
  assert.deepEqual(serverSettings(getter({})), {
    config: null,
    strict: false,
    select: [],
    ignore: [],
  });
  assert.deepEqual(serverSettings(getter({ config: "  ", strict: "yes", select: "TAG001" })), {
    config: null,
    strict: false,
    select: [],
    ignore: [],
  });
});

test("only a new binary path restarts the server", () => {
  assert.equal(needsRestart((s) => s === "driftless.path"), true);
  assert.equal(needsRestart((s) => s === "driftless.strict"), false);
});
