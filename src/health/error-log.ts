import { redactDeep } from '../security/redact.js';
import type { SecretValues } from '../security/secret-values.js';
import { nowIso } from '../lib/time.js';
import crypto from 'node:crypto';

export interface ErrorEntry {
  id: string;
  timestamp: string;
  source: string;
  severity: 'error' | 'critical' | 'warning';
  message: string;
  traceback: string;
  context: Record<string, unknown>;
}

const CAPACITY = 500;

/** Recent server errors for `/api/health/errors` (spec §3.6): newest first, bounded. */
export class ErrorLog {
  private entries: ErrorEntry[] = [];

  /** `secrets`: exact values to redact from listed entries (patterns are always redacted). */
  constructor(private readonly secrets?: SecretValues) {}

  record(e: { source: string; message: string; stack?: string; context?: Record<string, unknown> }): void {
    this.entries.push({
      id: crypto.randomBytes(6).toString('hex'),
      timestamp: nowIso(),
      source: e.source,
      severity: 'error',
      message: e.message,
      traceback: e.stack ?? '',
      context: e.context ?? {},
    });
    if (this.entries.length > CAPACITY) this.entries.splice(0, this.entries.length - CAPACITY);
  }

  list(limit: number, search = ''): ErrorEntry[] {
    const needle = search.toLowerCase();
    const out: ErrorEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.entries[i]!;
      // Error messages may quote secrets (a provider's error, a URL with a token): redacted on the way out.
      if (!needle || `${e.message}\n${e.source}\n${e.traceback}`.toLowerCase().includes(needle)) out.push(redactDeep(e, this.secrets));
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }
}
