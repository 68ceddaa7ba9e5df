// The extension's settings as the language server reads them. Kept free of
// the `vscode` module so plain Node tests check exactly what is sent.

/** The settings section, also the key the server reads them under. */
export const SECTION = "driftless";

/** What the server accepts (src/lsp/settings.rs): everything else (`path`,
 * `trace.server`) is the client's own business. */
export interface ServerSettings {
  config: string | null;
  strict: boolean;
  select: string[];
  ignore: string[];
}

/** Reads one setting; `vscode.WorkspaceConfiguration.get` has this shape. */
export type SettingGetter = <T>(key: string) => T | undefined;

/** The settings the server applies, from the `driftless.*` configuration.
 * Blank entries (an emptied field in the settings UI) mean "not set". */
export function serverSettings(get: SettingGetter): ServerSettings {
  const list = (key: string): string[] => {
    const value = get<unknown>(key);
    if (!Array.isArray(value)) {
      return [];
    }
    return value
      .filter((v): v is string => typeof v === "string")
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
  };
  const config = get<string>("config");
  return {
    config: typeof config === "string" && config.trim() !== "" ? config.trim() : null,
    strict: get<boolean>("strict") === true,
    select: list("select"),
    ignore: list("ignore"),
  };
}

/** The initialization options and the `workspace/didChangeConfiguration`
 * payload: the settings under their section name. */
export function initializationOptions(get: SettingGetter): { driftless: ServerSettings } {
  return { [SECTION]: serverSettings(get) } as { driftless: ServerSettings };
}

/** Whether a configuration change needs a new server process (another
 * binary) rather than a settings notification to the running one. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects(`${SECTION}.path`);
}
