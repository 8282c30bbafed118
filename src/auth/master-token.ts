import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../lib/files.js';
import { safeEqual } from './compare.js';

/**
 * The owner's master token: a UUID4 in `$POCKETPAW_HOME/access_token`, mode 600 (spec §2.1).
 * Session tokens are HMACs keyed with it, so regenerating it signs every session out.
 */
const RELOAD_CHECK_MS = 1000;

export class MasterToken {
  private value: string;
  private mtimeMs = 0;
  private checkedAt = 0;

  constructor(readonly file: string) {
    this.value = MasterToken.readOrCreate(file);
    this.mtimeMs = this.statMtime();
  }

  private statMtime(): number {
    try {
      return fs.statSync(this.file).mtimeMs;
    } catch {
      return 0;
    }
  }

  /**
   * `pocketpaw token --regenerate` runs in another process: pick up a changed file (checked at
   * most once a second), so the new token works and the old one stops without a restart.
   */
  private refresh(): void {
    const now = Date.now();
    if (now - this.checkedAt < RELOAD_CHECK_MS) return;
    this.checkedAt = now;
    const mtime = this.statMtime();
    if (mtime === this.mtimeMs) return;
    this.mtimeMs = mtime;
    try {
      const token = fs.readFileSync(this.file, 'utf8').trim();
      if (token) this.value = token;
    } catch {
      // Unreadable for a moment (being replaced): keep the current token.
    }
  }

  static pathIn(home: string): string {
    return path.join(home, 'access_token');
  }

  static readOrCreate(file: string): string {
    try {
      const existing = fs.readFileSync(file, 'utf8').trim();
      if (existing) return existing;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const token = crypto.randomUUID();
    writeFileAtomic(file, token, 0o600);
    return token;
  }

  get(): string {
    this.refresh();
    return this.value;
  }

  matches(candidate: string): boolean {
    return safeEqual(candidate, this.get());
  }

  regenerate(): string {
    const token = crypto.randomUUID();
    writeFileAtomic(this.file, token, 0o600);
    this.value = token;
    this.mtimeMs = this.statMtime();
    return token;
  }
}
