import { parseJsonKeepingIds } from '../lib/json-ids.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SETTING_NAMES, settingsSchema, type Settings } from './settings.js';

/** A configuration problem the user can fix; the CLI prints its message without a stack trace. */
export class ConfigError extends Error {}

export const SECRETS_FILE = 'secrets.json';

export interface LoadedConfig {
  home: string;
  configFile: string;
  settings: Settings;
  /** Keys of config.json this version does not use; kept on disk untouched. */
  unknownKeys: string[];
  /** Settings taken from POCKETPAW_* variables (they win over the files at start-up). */
  envKeys: string[];
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.POCKETPAW_HOME?.trim();
  return path.resolve(raw ? raw.replace(/^~(?=$|\/)/, os.homedir()) : path.join(os.homedir(), '.pocketpaw'));
}

/** Creates the data dir owner-only (spec §9.1) if it is missing. */
export function ensureHome(home: string): void {
  try {
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(`Cannot create the data directory ${home}: ${(err as Error).message}. Set POCKETPAW_HOME to a writable directory.`, { cause: err });
  }
}

/**
 * Loads settings: environment over config.json over defaults (spec §11.7).
 * Every value is validated; the first invalid one names its source and field.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const home = resolveHome(env);
  ensureHome(home);
  const configFile = path.join(home, 'config.json');
  const secretsFile = path.join(home, SECRETS_FILE);
  // Secrets saved from the dashboard live apart from config.json (spec §9.1) and override it.
  const fromFile = { ...readConfigFile(configFile), ...readConfigFile(secretsFile) };
  const known = new Set<string>(SETTING_NAMES);
  const unknownKeys = Object.keys(fromFile).filter((k) => !known.has(k));

  const merged: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (name in fromFile) merged[name] = fromFile[name];
  }
  const fromEnv: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const raw = env[`POCKETPAW_${name.toUpperCase()}`];
    if (raw !== undefined && raw !== '') fromEnv[name] = coerceEnv(name, raw);
  }

  // Parsed once, without zod's JIT: compiling a parser for ~200 settings that are read once cost
  // ~40 ms of start-up (issue 14). Only a failure looks again, to name the source of the bad value.
  const parsed = settingsSchema.safeParse({ ...merged, ...fromEnv }, { jitless: true });
  if (!parsed.success) {
    checkFields(merged, configFile);
    checkFields(fromEnv, 'the environment', (name) => `POCKETPAW_${name.toUpperCase()}`);
    throw new ConfigError(`Invalid settings: ${parsed.error.issues[0]!.message}.`);
  }
  const settings = parsed.data;
  if (!settings.file_jail_path) settings.file_jail_path = os.homedir();
  return { home, configFile, settings, unknownKeys, envKeys: Object.keys(fromEnv) };
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingIds(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid JSON (${(err as Error).message}). Fix or delete the file and start again.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`${file} must hold a JSON object of settings.`);
  }
  return parsed as Record<string, unknown>;
}

function checkFields(values: Record<string, unknown>, source: string, label = (n: string) => n): void {
  const partial = settingsSchema.partial().safeParse(values, { jitless: true });
  if (partial.success) return;
  const issue = partial.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  throw new ConfigError(`Invalid setting "${label(field)}" in ${source}: ${issue.message}. Got ${JSON.stringify(values[field])}.`);
}

/** Environment values are strings; read them as the type the setting declares. */
function coerceEnv(name: string, raw: string): unknown {
  const field = settingsSchema.shape[name as keyof Settings];
  const inner = unwrap(field);
  if (inner instanceof z.ZodBoolean) {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return raw;
  }
  if (inner instanceof z.ZodNumber) {
    const n = Number(raw);
    return Number.isFinite(n) && raw.trim() !== '' ? n : raw;
  }
  if (inner instanceof z.ZodArray) {
    const t = raw.trim();
    if (t.startsWith('[')) {
      try { return JSON.parse(t); } catch { return raw; }
    }
    return t.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return raw;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}
