/**
 * Exact secret values the outbound redactor must know (spec §6.1): the master token and every
 * saved secret setting. A key with no recognisable shape (a UUID master token, a custom
 * provider's key) is still replaced by `[REDACTED]` wherever it would leave the server.
 *
 * Sources are read on every use (the token may be regenerated, a key saved at any time); the
 * combined matcher is rebuilt only when the values read change. One regex for all values,
 * longest first, so a text is scanned once however many secrets there are.
 */
import { SECRET_SETTINGS, type Settings } from '../config/settings.js';

/** Values shorter than this are ignored: they would redact ordinary words. */
export const MIN_SECRET_LENGTH = 8;
/** Longer values are ignored as well (a pasted document is not a key). */
export const MAX_SECRET_LENGTH = 4096;

export type SecretSource = () => Iterable<string | null | undefined>;

export interface SecretMatcher {
  /** Global regex matching any of the values (callers set lastIndex; String#replace resets it). */
  readonly re: RegExp;
  readonly values: readonly string[];
  /** Every proper prefix of every value: what a stream must hold back at its end. */
  readonly prefixes: ReadonlySet<string>;
  /** First characters of the values. */
  readonly firstChars: ReadonlySet<string>;
  readonly maxLength: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

export class SecretValues {
  private rawKey: string | null = null;
  private cached: SecretMatcher | null = null;

  constructor(private readonly sources: readonly SecretSource[] = []) {}

  /** No values at all (tests, tools run alone). */
  static none(): SecretValues {
    return new SecretValues();
  }

  private read(): string[] {
    const out: string[] = [];
    for (const source of this.sources) {
      let got: Iterable<string | null | undefined>;
      try {
        got = source();
      } catch {
        continue; // an unreadable source must not break redaction of the others
      }
      for (const raw of got) if (typeof raw === 'string') out.push(raw);
    }
    return out;
  }

  private static normalize(raw: string[]): string[] {
    const set = new Set<string>();
    for (const r of raw) {
      const v = r.trim();
      if (v.length >= MIN_SECRET_LENGTH && v.length <= MAX_SECRET_LENGTH) set.add(v);
    }
    return [...set].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The matcher for the current values, or null when there are none. */
  matcher(): SecretMatcher | null {
    const raw = this.read();
    const rawKey = raw.join('\u0000');
    if (rawKey === this.rawKey) return this.cached;
    this.rawKey = rawKey;
    const values = SecretValues.normalize(raw);
    if (values.length === 0) {
      this.cached = null;
      return null;
    }
    const prefixes = new Set<string>();
    const firstChars = new Set<string>();
    for (const v of values) {
      firstChars.add(v[0]!);
      for (let i = 1; i < v.length; i++) prefixes.add(v.slice(0, i));
    }
    this.cached = {
      // Alternatives longest first: at one position the longest value wins.
      re: new RegExp(values.map(escapeRegExp).join('|'), 'g'),
      values,
      prefixes,
      firstChars,
      maxLength: values[0]!.length,
    };
    return this.cached;
  }
}

/** The values of every secret setting that is set (string settings only). */
export function secretSettingValues(settings: Record<string, unknown>, names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const name of names) {
    const v = settings[name];
    if (typeof v === 'string' && v) out.push(v);
    // A list of entries that each carry a secret (`webhook_configs`).
    if (Array.isArray(v)) for (const e of v) if (e && typeof e === 'object' && typeof e.secret === 'string' && e.secret) out.push(e.secret);
  }
  return out;
}

/**
 * The server's secret values: the master token and every saved secret setting. Created once in
 * the app context and shared by everything that sends text to clients.
 */
export function appSecretValues(deps: {
  master: { get(): string };
  settings: { get(): Settings };
}): SecretValues {
  return new SecretValues([
    () => [deps.master.get()],
    () => secretSettingValues(deps.settings.get() as unknown as Record<string, unknown>, SECRET_SETTINGS),
  ]);
}
