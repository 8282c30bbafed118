import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFixture, tempDir } from '../helpers/pocketpaw-fixture.js';
import { request } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { localStamp, writeSessions, type PpMessage } from '../import/pocketpaw-format.js';
import { runCli, spawnCli, startServe, type ServeProcess } from './cli.js';

// Each case spawns the real CLI (about a second of startup, more on a busy machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/**
 * Spec §11.10: every acknowledged write is committed before the response. A SIGKILL right after
 * the 200 gives the process no chance to flush anything; a new server on the same home must
 * still see the write.
 */
const RENAME_ID = 'websocket_2a96fb1a-14a0-49e7-bf1b-103cdf1582b0';
const DELETE_ID = 'websocket_api_0f14d651f741';

let home: string;
let src: string;
let serve: ServeProcess | undefined;
let reopened: TestServer | undefined;

beforeAll(async () => {
  home = tempDir();
  src = copyFixture();
  const imported = await runCli(['import', src, '--json'], home);
  expect(imported.code, imported.stderr).toBe(0);
  expect(JSON.parse(imported.stdout).sessionsCreated).toBe(40);
});
afterEach(async () => {
  await serve?.kill();
  serve = undefined;
  // startTestServer's close() removes the home; keep it for the next test.
  await reopened?.server.close();
  reopened = undefined;
});
const cleanup: string[] = [];
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(path.dirname(src), { recursive: true, force: true });
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
});

async function killedRightAfter(write: (url: string) => Promise<number>): Promise<void> {
  serve = await startServe(home);
  expect(await write(serve.url)).toBe(200);
  serve.child.kill('SIGKILL');
  expect((await serve.exited).signal).toBe('SIGKILL');
  serve = undefined;
}

describe('acknowledged writes survive SIGKILL', () => {
  it('a rename', async () => {
    await killedRightAfter(async (url) =>
      (await request(url, `/api/v1/sessions/${RENAME_ID}/title`, { method: 'POST', json: { title: 'Protein plan 💪' } })).status);

    reopened = await startTestServer({ home });
    const list = await reopened.get('/api/sessions?limit=100');
    expect(list.body.total).toBe(40);
    expect(list.body.sessions.find((x: { id: string }) => x.id === RENAME_ID)).toMatchObject({ title: 'Protein plan 💪', user_title: 'Protein plan 💪' });
  });

  it('a delete', async () => {
    await killedRightAfter(async (url) => (await request(url, `/api/sessions/${DELETE_ID}`, { method: 'DELETE' })).status);

    reopened = await startTestServer({ home });
    const list = await reopened.get('/api/sessions?limit=100');
    expect(list.body.total).toBe(39);
    expect(list.body.sessions.some((x: { id: string }) => x.id === DELETE_ID)).toBe(false);
    expect((await reopened.get(`/api/v1/sessions/${DELETE_ID}/history`)).body).toEqual([]);
    expect((await reopened.del(`/api/sessions/${DELETE_ID}`)).status).toBe(404);
    // The rename of the previous test is still there too.
    expect(list.body.sessions.find((x: { id: string }) => x.id === RENAME_ID).title).toBe('Protein plan 💪');
  });

  it('a server started again by the CLI sees both writes', async () => {
    serve = await startServe(home);
    const res = await request(serve.url, '/api/v1/sessions?limit=100');
    expect(res.body.total).toBe(39);
    expect(res.body.sessions.find((x: { id: string }) => x.id === RENAME_ID).title).toBe('Protein plan 💪');
  });
});

/** A PocketPaw dir large enough that the import is still running when it is killed. */
const BIG_SESSIONS = 3000;
const BIG_WORD = 'kilnbrickoven';

function writeBigSource(): string {
  const root = path.join(tempDir('pocketpaw-big-'), '.pocketpaw');
  cleanup.push(path.dirname(root));
  const sessions = Array.from({ length: BIG_SESSIONS }, (_, i) => ({
    id: `websocket_big-${String(i).padStart(5, '0')}`,
    messages: Array.from({ length: 20 }, (_, j): PpMessage => ({
      id: `b-${i}-${j}`, role: j % 2 ? 'assistant' : 'user',
      content: j === 19 ? `The ${BIG_WORD} is hot (${i}).` : `Line ${j} of session ${i}, about bread and flour.`,
      timestamp: localStamp(new Date(Date.UTC(2026, 1, 1) + i * 600_000 + j * 1000)), metadata: {},
    })),
  }));
  writeSessions(root, sessions);
  return root;
}

/** SQLite's integrity check: 'ok', or the first problem it found. */
function integrity(): string {
  const db = new Database(path.join(home, 'pocketpaw.db'));
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('an import killed half-way (SIGKILL)', () => {
  it('leaves the previous data as it was and a sound store; importing again completes', async () => {
    const big = writeBigSource();
    serve = await startServe(home);
    const before = (await request(serve.url, '/api/v1/sessions?limit=1')).body.total as number;
    await serve.kill();
    serve = undefined;

    // Killed once the progress shows a tenth done: the sessions are being written by then.
    const child = spawnCli(['import', big], home);
    let err = '';
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (/Importing sessions: [1-8]\d%/.test(err)) child.kill('SIGKILL');
    });
    expect(await exited, `the import finished before it could be killed:\n${err}`).toBe('SIGKILL');
    expect(out).not.toContain('Imported from');

    expect(integrity()).toBe('ok');
    reopened = await startTestServer({ home });
    const list = await reopened.get('/api/v1/sessions?limit=100');
    expect(list.body.total).toBe(before);
    expect(list.body.sessions.find((x: { id: string }) => x.id === RENAME_ID).title).toBe('Protein plan 💪');
    expect((await reopened.get(`/api/v1/sessions/search?q=${BIG_WORD}`)).body.sessions).toEqual([]);
    await reopened.server.close();
    reopened = undefined;

    const again = await runCli(['import', big, '--json'], home);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ sessionsCreated: BIG_SESSIONS, messagesImported: BIG_SESSIONS * 20 });
    expect(integrity()).toBe('ok');
    reopened = await startTestServer({ home });
    expect((await reopened.get('/api/v1/sessions?limit=1')).body.total).toBe(before + BIG_SESSIONS);
    const hits = (await reopened.get(`/api/v1/sessions/search?q=${BIG_WORD}&limit=5`)).body.sessions as Array<{ id: string }>;
    expect(hits.map((h) => h.id)).toEqual([4, 3, 2, 1, 0].map((k) => `websocket_big-${String(BIG_SESSIONS - 5 + k).padStart(5, '0')}`));
  });
});
