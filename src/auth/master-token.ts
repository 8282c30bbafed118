import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../shared/files.js';
import { safeEqual } from './compare.js';

/**
 * The owner's master token: a UUID4 in `$POCKETPAW_HOME/access_token`, mode 600 (spec §2.1).
 * Session tokens are HMACs keyed with it, so regenerating it signs every session out.
 */
export class MasterToken {
  private value: string;

  constructor(readonly file: string) {
    this.value = MasterToken.readOrCreate(file);
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
    return this.value;
  }

  matches(candidate: string): boolean {
    return safeEqual(candidate, this.value);
  }

  regenerate(): string {
    const token = crypto.randomUUID();
    writeFileAtomic(this.file, token, 0o600);
    this.value = token;
    return token;
  }
}
