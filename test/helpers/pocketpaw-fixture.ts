import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A PocketPaw 0.4.4 data dir kept in the repository (test/fixtures/README.md says what it holds).
 * Tests copy it so a run never changes the checked-in files.
 */
export const POCKETPAW_FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pocketpaw-0.4.4-home/.pocketpaw',
);

export function tempDir(prefix = 'pocketpaw-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function copyFixture(): string {
  const dest = path.join(tempDir('pocketpaw-src-'), '.pocketpaw');
  fs.cpSync(POCKETPAW_FIXTURE, dest, { recursive: true });
  // A checkout may be read-only; the test copy must be writable to be cleaned up.
  for (const entry of fs.readdirSync(dest, { recursive: true, withFileTypes: true })) {
    fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
  fs.chmodSync(dest, 0o755);
  return dest;
}

export interface FixtureMessage {
  id?: string;
  role: string;
  content: string;
  timestamp?: string;
  metadata?: Record<string, unknown>;
}

/** PocketPaw's local, offset-less timestamp format (spec §7.2). */
export function pocketPawTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/**
 * Writes a PocketPaw data dir in its on-disk format: one JSON array per session plus
 * `_index.json`. `userTitles` marks sessions the user renamed.
 */
export function writePocketPawDir(
  sessions: Record<string, FixtureMessage[]>,
  opts: { userTitles?: Record<string, string>; root?: string; start?: Date } = {},
): string {
  const root = opts.root ?? path.join(tempDir('pocketpaw-src-'), '.pocketpaw');
  const dir = path.join(root, 'memory', 'sessions');
  fs.mkdirSync(dir, { recursive: true });
  const index: Record<string, unknown> = {};
  let t = (opts.start ?? new Date('2026-01-01T10:00:00')).getTime();
  for (const [id, messages] of Object.entries(sessions)) {
    const full = messages.map((m, i) => ({
      id: m.id ?? `${id}-m${i}`,
      role: m.role,
      content: m.content,
      timestamp: m.timestamp ?? pocketPawTime(new Date((t += 1000))),
      metadata: m.metadata ?? {},
    }));
    fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(full, null, 2));
    const firstUser = full.find((m) => m.role === 'user' && m.content.trim());
    const entry: Record<string, unknown> = {
      title: opts.userTitles?.[id] ?? (firstUser ? firstUser.content.trim().slice(0, 80) : 'New Chat'),
      channel: id.split('_')[0],
      created: full[0]?.timestamp,
      last_activity: full[full.length - 1]?.timestamp,
      message_count: full.length,
      preview: full[full.length - 1]?.content.slice(0, 120),
    };
    if (opts.userTitles?.[id]) entry.user_title = opts.userTitles[id];
    index[id] = entry;
  }
  fs.writeFileSync(path.join(dir, '_index.json'), JSON.stringify(index, null, 2));
  return root;
}
