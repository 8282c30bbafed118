import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryEntryId, senderHash } from '../../src/memory/ids.js';
import { copyFixture } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let src: string;
beforeAll(async () => {
  s = await startTestServer();
  src = copyFixture();
});
afterAll(async () => {
  await s.close();
  fs.rmSync(path.dirname(src), { recursive: true, force: true });
});

describe('importing PocketPaw long-term memory (MEMORY.md, spec §8)', () => {
  it('brings over the fixture MEMORY.md once: importing twice adds nothing', async () => {
    const first = await s.importDir(src);
    expect(first.memory).toEqual({ entries: 2, files: 1, problems: [] });
    const file = path.resolve(src, 'memory', 'MEMORY.md');
    const expected = [
      { id: memoryEntryId(file, 'Memory', 'The owner prefers answers in metric units.'), content: 'The owner prefers answers in metric units.', timestamp: expect.stringMatching(/\+00:00$/), tags: [] },
      { id: memoryEntryId(file, 'Preferences', 'Likes short replies. #style #brevity'), content: 'Likes short replies. #style #brevity', timestamp: expect.any(String), tags: ['style', 'brevity'] },
    ];
    expect((await s.get('/api/memory/long_term')).body).toEqual(expected);

    const second = await s.importDir(src);
    expect(second.memory).toEqual({ entries: 0, files: 1, problems: [] });
    expect((await s.get('/api/memory/long_term')).body).toEqual(expected);

    // The same file from another place is not imported twice either (same content, header and scope).
    const copy = path.join(path.dirname(src), 'copy', '.pocketpaw');
    fs.mkdirSync(path.join(copy, 'memory', 'sessions'), { recursive: true });
    fs.copyFileSync(file, path.join(copy, 'memory', 'MEMORY.md'));
    expect((await s.importDir(copy)).memory).toMatchObject({ entries: 0, files: 1 });
  });

  it('per-sender files keep their scope; odd folders and daily notes are reported, the rest imports', async () => {
    const hash = senderHash('telegram-777');
    const users = path.join(src, 'memory', 'users');
    fs.mkdirSync(path.join(users, hash), { recursive: true });
    fs.writeFileSync(path.join(users, hash, 'MEMORY.md'), '## Memory\n\nLikes jazz.\n\n## Memory\n\nLives in Porto. #home\n');
    fs.mkdirSync(path.join(users, 'not-a-hash'));
    fs.writeFileSync(path.join(users, 'not-a-hash', 'MEMORY.md'), '## Memory\n\nIgnored.\n');
    fs.writeFileSync(path.join(src, 'memory', '2026-02-10.md'), '## 10:00\n\nA daily note.\n');

    const result = await s.importDir(src);
    expect(result.memory).toEqual({
      entries: 2,
      files: 2,
      problems: [
        'memory/users/not-a-hash/MEMORY.md skipped: the folder name is not a sender hash (16 hex digits)',
        '1 daily note file(s) (memory/<date>.md) not imported: only long-term memory (MEMORY.md) is',
      ],
    });
    const all = (await s.get('/api/memory/long_term')).body as { content: string; tags: string[] }[];
    expect(all.map((e) => e.content)).toEqual([
      'The owner prefers answers in metric units.', 'Likes short replies. #style #brevity', 'Likes jazz.', 'Lives in Porto. #home',
    ]);
    const row = s.server.ctx.db.prepare('SELECT scope FROM memories WHERE content = ?').pluck().get('Likes jazz.');
    expect(row).toBe(hash);
    expect((await s.importDir(src)).memory?.entries).toBe(0);
  });
});
