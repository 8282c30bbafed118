import fs from 'node:fs';
import path from 'node:path';
import { readConfigFile, SECRETS_FILE } from '../config/load.js';
import { SECRET_SETTINGS, SETTING_NAMES, settingsSchema, type Settings } from '../config/settings.js';
import { writeFileAtomic } from '../lib/files.js';

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

const KNOWN = new Set<string>(SETTING_NAMES);

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Merges `values` into a settings file the way SettingsStore does: every key already there —
 * including ones this version does not know — stays as it was unless it is being set.
 */
function mergeInto(file: string, values: Record<string, unknown>): void {
  const onDisk = fs.existsSync(file) ? readConfigFile(file) : {};
  writeFileAtomic(file, `${JSON.stringify({ ...onDisk, ...values }, null, 2)}\n`, 0o600);
}

/**
 * Brings PocketPaw's `config.json` (a flat object of its settings fields) over (spec §9).
 * Known non-secret settings are checked one by one against our types and written to our
 * config.json; a value of the wrong type is skipped with a note. Secrets (spec §9.2) found in
 * the file come along only into a fresh data dir, into secrets.json, as the dashboard saves
 * them. `null` means "not set" in PocketPaw and is skipped. Everything else is reported as not
 * understood and left out. PocketPaw's encrypted secret store cannot be read here.
 */
export function importConfig(sourceRoot: string, home: string, freshDataDir: boolean): ConfigImport {
  const result: ConfigImport = { applied: [], secrets: [], unknown: [], problems: [] };
  const source = path.join(sourceRoot, 'config.json');
  if (!fs.existsSync(source)) return result;
  let theirs: Record<string, unknown>;
  try {
    theirs = readConfigFile(source);
  } catch (err) {
    result.problems.push(`config.json not imported: ${(err as Error).message}`);
    return result;
  }

  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  let secretsLeft = 0;
  for (const [key, value] of Object.entries(theirs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === null || value === undefined) continue;
    if (!KNOWN.has(key)) {
      result.unknown.push(key);
      continue;
    }
    const field = settingsSchema.shape[key as keyof Settings];
    const parsed = field.safeParse(value);
    if (!parsed.success) {
      // Secret values are never echoed into the summary.
      const shown = SECRET_SETTINGS.has(key) ? '' : ` (got ${describe(value)})`;
      result.problems.push(`${key} skipped: ${parsed.error.issues[0]?.message ?? 'invalid value'}${shown}`);
      continue;
    }
    if (SECRET_SETTINGS.has(key)) {
      if (parsed.data === '') continue;
      if (freshDataDir) secret[key] = parsed.data;
      else secretsLeft++;
      continue;
    }
    plain[key] = parsed.data;
  }

  if (Object.keys(plain).length) {
    mergeInto(path.join(home, 'config.json'), plain);
    result.applied = Object.keys(plain);
  }
  if (Object.keys(secret).length) {
    mergeInto(path.join(home, SECRETS_FILE), secret);
    result.secrets = Object.keys(secret);
  }
  if (secretsLeft) {
    result.problems.push(`${secretsLeft} API key(s) in config.json not imported: this installation already has its own settings (save keys from the dashboard or set POCKETPAW_<NAME>)`);
  }
  return result;
}
