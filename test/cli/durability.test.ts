import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyFixture, tempDir } from '../helpers/pocketpaw-fixture.js';
import { request } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { runCli, startServe, type ServeProcess } from './cli.js';

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
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(path.dirname(src), { recursive: true, force: true });
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
