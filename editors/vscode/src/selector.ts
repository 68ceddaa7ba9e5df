// The documents the extension sends to the server. Kept free of the
// `vscode` module so plain Node tests can check them.

/** One entry of a `vscode.DocumentSelector`. */
export interface DocumentFilter {
  language?: string;
  scheme?: string;
  pattern?: string;
}

/** Languages whose documents the server reads: Dockerfiles, YAML
 * (Kubernetes, Kustomize, Helm values, Compose), JSON (Kubernetes,
 * `.tf.json`, plans), Terraform and tfvars; `dockercompose` is the Docker
 * extension's language for Compose files. */
export const LANGUAGES = [
  "dockerfile",
  "yaml",
  "json",
  "dockercompose",
  "terraform",
  "terraform-vars",
];

/** File patterns that match whatever language an editor assigned: `.tf`
 * files are plain text without a Terraform extension, and Dockerfiles
 * with a suffix (`Dockerfile.prod`, `api.dockerfile`, Containerfiles) are
 * not always recognised. The server classifies by name like the CLI. */
export const PATTERNS = [
  "**/*.tf",
  "**/*.tfvars",
  "**/*.tf.json",
  "**/*.tfvars.json",
  "**/{Dockerfile,Containerfile,dockerfile,containerfile}",
  "**/{Dockerfile,Containerfile,dockerfile,containerfile}.*",
  "**/*.{dockerfile,containerfile,Dockerfile,Containerfile}",
];

/** The selector: saved files and unsaved (`untitled`) buffers by language,
 * saved files by name. */
export function documentSelector(): DocumentFilter[] {
  const byLanguage = LANGUAGES.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]);
  const byName = PATTERNS.map((pattern) => ({ scheme: "file", pattern }));
  return [...byLanguage, ...byName];
}

/** The rule IDs of driftless diagnostics in a list (the diagnostics under
 * the cursor): `code` is a string or `{ value, target }`. */
export function ruleCodes(
  diagnostics: { source?: string; code?: unknown }[],
): string[] {
  const ids = new Set<string>();
  for (const d of diagnostics) {
    if (d.source !== "driftless") {
      continue;
    }
    const code =
      typeof d.code === "object" && d.code !== null && "value" in d.code
        ? (d.code as { value: unknown }).value
        : d.code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_-]*[0-9]+$/.test(code)) {
      ids.add(code);
    }
  }
  return [...ids];
}
