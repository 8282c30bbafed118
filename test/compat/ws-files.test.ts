import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { ChatSocket } from '../helpers/ws-client.js';
import { formatSize } from '../../src/files/browse.js';
import { allCallers, ask, byType, type Caller } from './helpers.js';

/** Directory listings over the socket inside the file jail (spec §3.16, §4.3). */
let s: TestServer;
let callers: Caller[];
let jail: string;
let outside: string;
beforeAll(async () => {
  const root = fs.realpathSync(tempDir('pocketpaw-jail-'));
  jail = path.join(root, 'jail');
  outside = path.join(root, 'jail-sibling');
  fs.mkdirSync(path.join(jail, 'Beta'), { recursive: true });
  fs.mkdirSync(path.join(jail, 'alpha'));
  fs.mkdirSync(path.join(jail, '.hidden-dir'));
  fs.writeFileSync(path.join(jail, 'zeta.txt'), 'x'.repeat(10));
  fs.writeFileSync(path.join(jail, 'Gamma.md'), 'y'.repeat(2048));
  fs.writeFileSync(path.join(jail, 'big.bin'), Buffer.alloc(3 * 1024 * 1024));
  fs.writeFileSync(path.join(jail, '.env'), 'SECRET=1');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'no');
  fs.symlinkSync(outside, path.join(jail, 'escape'));
  s = await startTestServer({ env: { POCKETPAW_FILE_JAIL_PATH: jail } });
  callers = await allCallers(s);
});
afterAll(async () => {
  await s.close();
  fs.rmSync(path.dirname(jail), { recursive: true, force: true });
});
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});
async function sock(c: Caller = callers[0]!): Promise<ChatSocket> {
  const x = await c.socket();
  open.push(x);
  return x;
}

describe('browse', () => {
  it('directories first, then case-insensitive names; hidden entries dropped; sizes for files only — under every auth mode', async () => {
    for (const c of callers) {
      const f = await ask(await sock(c), { action: 'browse', path: jail }, byType('files'));
      expect(f, c.name).toEqual({
        type: 'files', path: jail,
        files: [
          { name: 'alpha', isDir: true },
          { name: 'Beta', isDir: true },
          // The symlink points outside; listed by name, but entering it is refused (below).
          { name: 'escape', isDir: true },
          { name: 'big.bin', isDir: false, size: '3.0 MB' },
          { name: 'Gamma.md', isDir: false, size: '2.0 KB' },
          { name: 'zeta.txt', isDir: false, size: '10 B' },
        ],
      });
    }
  });

  it('echoes context; resolves `..` and symlinks before the jail check, by path components', async () => {
    const ws = await sock();
    expect(await ask(ws, { action: 'browse', path: path.join(jail, 'alpha'), context: 'picker-1' }, byType('files')))
      .toEqual({ type: 'files', path: path.join(jail, 'alpha'), files: [], context: 'picker-1' });
    const denied = { type: 'files', error: 'Access denied: path outside allowed directory' };
    expect(await ask(ws, { action: 'browse', path: outside }, byType('files'))).toEqual(denied);
    expect(await ask(ws, { action: 'browse', path: path.join(jail, '..', 'jail-sibling') }, byType('files'))).toEqual(denied);
    expect(await ask(ws, { action: 'browse', path: path.join(jail, 'escape') }, byType('files'))).toEqual(denied);
    // `~` is the user's home, which is not inside this jail.
    expect(await ask(ws, { action: 'browse' }, byType('files'))).toEqual(denied);
    expect(await ask(ws, { action: 'browse', path: path.join(jail, 'nope') }, byType('files'))).toEqual({ type: 'files', error: 'Path does not exist' });
    expect(await ask(ws, { action: 'browse', path: path.join(jail, 'zeta.txt'), context: 7 }, byType('files'))).toEqual({ type: 'files', error: 'Not a directory', context: 7 });
  });

  it('at most 50 entries', async () => {
    const many = path.join(jail, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(many, `f${String(i).padStart(2, '0')}.txt`), '');
    const f = await ask(await sock(), { action: 'browse', path: many }, byType('files'));
    expect(f.files).toHaveLength(50);
    expect(f.files[0]).toEqual({ name: 'f00.txt', isDir: false, size: '0 B' });
    fs.rmSync(many, { recursive: true });
  });
});

describe('tool fetch and navigate: a listing as a message', () => {
  it('lists the directory inside the jail and refuses outside it', async () => {
    const ws = await sock();
    for (const frame of [{ action: 'tool', tool: 'fetch', path: jail }, { action: 'navigate', path: jail }]) {
      const m = await ask(ws, frame, byType('message'));
      expect(m.content).toBe([`📁 ${jail}`, '', '📁 alpha/', '📁 Beta/', '📁 escape/', '📄 big.bin (3.0 MB)', '📄 Gamma.md (2.0 KB)', '📄 zeta.txt (10 B)'].join('\n'));
    }
    expect((await ask(ws, { action: 'navigate', path: outside }, byType('message'))).content).toBe(`❌ Access denied: path outside allowed directory: ${outside}`);
  });
});

describe('sizes (spec §3.16)', () => {
  it('B below 1024, KB below 1 MiB, else MB', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KB');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1024.0 KB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});

describe('GET /api/v1/files/browse (the REST twin)', () => {
  it('same listing with "" for directory sizes; soft errors keep the requested path — under every auth mode', async () => {
    for (const c of callers) {
      const res = await c.get(`/api/v1/files/browse?path=${encodeURIComponent(jail)}`);
      expect(res.status, c.name).toBe(200);
      expect(res.body.path).toBe(jail);
      expect(res.body.error).toBeNull();
      expect(res.body.files.slice(0, 2)).toEqual([{ name: 'alpha', isDir: true, size: '' }, { name: 'Beta', isDir: true, size: '' }]);
      expect(res.body.files.at(-1)).toEqual({ name: 'zeta.txt', isDir: false, size: '10 B' });
      const denied = await c.get(`/api/v1/files/browse?path=${encodeURIComponent(outside)}`);
      expect(denied.body).toEqual({ path: outside, files: [], error: 'Access denied: path outside allowed directory' });
      expect((await c.get('/api/v1/files/browse')).body).toEqual({ path: '~', files: [], error: 'Access denied: path outside allowed directory' });
    }
  });
});
