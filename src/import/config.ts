/** What `pocketpaw import` did with PocketPaw's `config.json`. */
export interface ConfigImport {
  /** Non-secret settings copied into our config.json. */
  applied: string[];
  /** Secret settings copied (fresh data dir only). */
  secrets: string[];
  /** Settings we do not understand, reported to the user. */
  unknown: string[];
  problems: string[];
}

/**
 * Brings PocketPaw's `config.json` settings over (spec §9; PocketPaw-clients issue).
 * Filled in by that issue.
 */
export function importConfig(_sourceRoot: string, _home: string, _freshDataDir: boolean): ConfigImport {
  return { applied: [], secrets: [], unknown: [], problems: [] };
}
