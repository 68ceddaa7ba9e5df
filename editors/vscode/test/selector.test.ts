import { strict as assert } from "node:assert";
import { test } from "node:test";

import { minimatch } from "minimatch";

import { documentSelector, ruleCodes } from "../src/selector";

/** Whether a saved file is selected when the editor gives it `language`
 * (VS Code matches patterns against the whole path, as minimatch does). */
function selected(file: string, language: string): boolean {
  return documentSelector().some(
    (f) =>
      (f.scheme === undefined || f.scheme === "file") &&
      (f.language === undefined || f.language === language) &&
      (f.pattern === undefined || minimatch(file, f.pattern, { dot: true })),
  );
}

test("Terraform files are selected even as plain text (no Terraform extension)", () => {
  assert.ok(selected("/w/infra/main.tf", "plaintext"));
  assert.ok(selected("/w/infra/prod.tfvars", "plaintext"));
  assert.ok(selected("/w/infra/main.tf", "terraform"));
  assert.ok(selected("/w/infra/x.auto.tfvars", "terraform-vars"));
});

test("Dockerfiles by name whatever their language, and by language", () => {
  for (const name of ["Dockerfile", "Containerfile", "Dockerfile.prod", "api.dockerfile"]) {
    assert.ok(selected(`/w/app/${name}`, "plaintext"), name);
  }
  assert.ok(selected("/w/app/build", "dockerfile"));
});

test("YAML and JSON kinds: Kubernetes, Kustomize, Helm values, Compose", () => {
  assert.ok(selected("/w/k8s/deploy.yaml", "yaml"));
  assert.ok(selected("/w/kustomization.yaml", "yaml"));
  assert.ok(selected("/w/chart/values.yaml", "yaml"));
  assert.ok(selected("/w/compose.yaml", "dockercompose"));
  assert.ok(selected("/w/plan.json", "json"));
  assert.ok(selected("/w/main.tf.json", "json"));
});

test("other files are not sent", () => {
  assert.ok(!selected("/w/README.md", "markdown"));
  assert.ok(!selected("/w/src/app.ts", "typescript"));
});

test("unsaved buffers are selected by language only", () => {
  const untitled = documentSelector().filter((f) => f.scheme === "untitled");
  assert.ok(untitled.length > 0);
  assert.ok(untitled.every((f) => f.language !== undefined && f.pattern === undefined));
});

test("rule codes come from driftless diagnostics only", () => {
  const ids = ruleCodes([
    { source: "driftless", code: "TAG001" },
    { source: "driftless", code: { value: "SSH001", target: "https://x" } },
    { source: "driftless", code: "invalid-suppression" },
    { source: "hadolint", code: "DL3007" },
    { source: "driftless", code: "TAG001" },
  ]);
  assert.deepEqual(ids, ["TAG001", "SSH001"]);
});
