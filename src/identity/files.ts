import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../lib/files.js';

/** PocketPaw's identity files (spec §3.8), in prompt order. They shape the system prompt. */
export const IDENTITY_FILES = {
  identity_file: 'IDENTITY.md',
  soul_file: 'SOUL.md',
  style_file: 'STYLE.md',
  instructions_file: 'INSTRUCTIONS.md',
  user_file: 'USER.md',
} as const;
export type IdentityKey = keyof typeof IDENTITY_FILES;

const DEFAULTS: Record<IdentityKey, string> = {
  identity_file: '# Identity\n\nYou are PocketPaw, a helpful AI agent running on the user\'s own machine.',
  soul_file: '# Soul\n\nYou are honest, careful and kind. You say when you are unsure.',
  style_file: '# Style\n\nBe concise and clear. Use Markdown when it helps: lists, code blocks, tables.',
  instructions_file: '',
  user_file: '',
};

export function identityDir(home: string): string {
  return path.join(home, 'identity');
}

/** Reads the five files, creating missing ones with defaults (spec §3.8). */
export function readIdentity(home: string): Record<IdentityKey, string> {
  const dir = identityDir(home);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const out = {} as Record<IdentityKey, string>;
  for (const [key, name] of Object.entries(IDENTITY_FILES) as Array<[IdentityKey, string]>) {
    const file = path.join(dir, name);
    try {
      out[key] = fs.readFileSync(file, 'utf8');
    } catch {
      fs.writeFileSync(file, DEFAULTS[key], { mode: 0o600 });
      out[key] = DEFAULTS[key];
    }
  }
  return out;
}

/**
 * Writes the given files (spec §3.8 PUT): string values only, others ignored. Returns the file
 * names written, in prompt order. Each file is replaced atomically.
 */
export function writeIdentity(home: string, values: Record<string, unknown>): string[] {
  const dir = identityDir(home);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const updated: string[] = [];
  for (const [key, name] of Object.entries(IDENTITY_FILES) as Array<[IdentityKey, string]>) {
    const value = values[key];
    if (typeof value !== 'string') continue;
    writeFileAtomic(path.join(dir, name), value, 0o600);
    updated.push(name);
  }
  return updated;
}
