import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError } from '../lib/errors.js';
import { writeFileAtomic } from '../lib/files.js';
import { readConfigFile, SECRETS_FILE, type LoadedConfig } from './load.js';
import { SECRET_SETTINGS, SETTING_NAMES, settingsSchema, type Settings } from './settings.js';

const KNOWN = new Set<string>(SETTING_NAMES);

/**
 * The live settings. Changes are validated as a whole, written to disk (config.json for plain
 * settings, secrets.json for keys, both mode 600), and take effect for the next agent turn:
 * every reader calls `get()` rather than keeping a copy.
 */
export class SettingsStore extends EventEmitter<{ changed: [string[]] }> {
  private current: Settings;

  constructor(private readonly loaded: LoadedConfig) {
    super();
    this.current = loaded.settings;
  }

  get(): Settings {
    return this.current;
  }

  /**
   * Applies the known, non-underscore keys of `patch` and ignores the rest (spec §3.5).
   * A value of the wrong type rejects the whole update: 400 `<field>: <reason>`.
   */
  update(patch: Record<string, unknown>): string[] {
    const applied = Object.keys(patch).filter((k) => KNOWN.has(k) && !k.startsWith('_'));
    if (applied.length === 0) return [];
    const candidate = { ...this.current, ...Object.fromEntries(applied.map((k) => [k, patch[k]])) };
    const parsed = settingsSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidInputError(`${String(issue.path[0])}: ${issue.message}`);
    }
    this.persist(applied, parsed.data);
    this.current = parsed.data;
    this.emit('changed', applied);
    return applied;
  }

  /** Non-secret settings plus `has_<secret>` flags: what may leave the server (spec §3.5). */
  publicView(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.current)) {
      if (SECRET_SETTINGS.has(key)) out[`has_${key}`] = typeof value === 'string' && value !== '';
      else out[key] = value;
    }
    return out;
  }

  private persist(keys: string[], next: Settings): void {
    const home = this.loaded.home;
    const plain = keys.filter((k) => !SECRET_SETTINGS.has(k));
    const secret = keys.filter((k) => SECRET_SETTINGS.has(k));
    if (plain.length) this.merge(this.loaded.configFile, plain, next);
    if (secret.length) this.merge(path.join(home, SECRETS_FILE), secret, next);
  }

  /** Rewrites one file with these keys changed, keeping every other key (even unknown ones). */
  private merge(file: string, keys: string[], next: Settings): void {
    const onDisk = fs.existsSync(file) ? readConfigFile(file) : {};
    for (const k of keys) onDisk[k] = next[k as keyof Settings];
    writeFileAtomic(file, `${JSON.stringify(onDisk, null, 2)}\n`, 0o600);
  }
}
