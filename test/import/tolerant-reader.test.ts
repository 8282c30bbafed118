import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/pocketpaw-fixture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { pythonJson } from './pocketpaw-format.js';

process.env.TZ = 'Europe/Berlin';

/**
 * Session files written by older PocketPaw versions or edited by hand: what PocketPaw's own
 * reader tolerates must import, and what cannot be read is skipped and counted.
 */
let s: TestServer;
let root: string;
let sessionsDir: string;
let summary: ReturnType<TestServer['importDir']>;

function write(name: string, value: unknown): void {
  fs.writeFileSync(path.join(sessionsDir, name), typeof value === 'string' ? value : pythonJson(value));
}

beforeAll(async () => {
  root = path.join(tempDir('pocketpaw-src-'), '.pocketpaw');
  sessionsDir = path.join(root, 'memory', 'sessions');
  fs.mkdirSync(sessionsDir, { recursive: true });
  // No _index.json at all: titles, channels and times come from the files.
  write('websocket_api_aaaaaaaaaaaa.json', [
    { role: 'user', content: '   ', timestamp: '2026-02-10T10:00:00.000001' },
    { role: 'user', content: '  Old message without id  ', timestamp: '2026-02-10T10:00:01.5' },
    { content: 'no role either', timestamp: '2026-02-10T10:00:02' },
    { id: 'has-id', role: 'assistant', content: 'Answer', timestamp: '2026-02-10T10:00:03.250000', metadata: null },
  ]);
  write('telegram_777.json', [
    { id: 'o1', role: 'user', content: 'offset form', timestamp: '2026-02-10T10:00:00.123456+02:00', metadata: [] },
    { id: 'o2', role: 'assistant', content: 'zulu form', timestamp: '2026-02-10T10:05:00Z', metadata: { ok: true } },
  ]);
  write('google_chat_spaces_AAA.json', [
    { id: 'g1', role: 'user', content: 'from google chat', timestamp: '2026-02-11T09:00:00.000000' },
    { id: 'g2', role: 'assistant', content: 42, timestamp: '2026-02-11T09:00:01.000000' },
    'not a message',
    { id: 'g3', role: 'assistant', timestamp: '2026-02-11T09:00:02.000000' },
  ]);
  write('websocket_nothing_readable.json', [{ id: 'x', role: 'user' }, null]);
  // Not sessions: PocketPaw's other files and leftovers of its atomic writes.
  write('_aliases.json', { 'websocket:abc': 'websocket:def' });
  write('websocket_api_aaaaaaaaaaaa.json.tmp', '[');
  write('_index.tmp', '{');
  write('notes.txt', 'hello');
  s = await startTestServer();
  summary = s.importDir(root);
});
afterAll(async () => {
  await s.close();
  fs.rmSync(path.dirname(root), { recursive: true, force: true });
});

async function row(id: string) {
  const list = await s.get('/api/sessions?limit=100');
  return list.body.sessions.find((x: { id: string }) => x.id === id);
}

async function exported(id: string) {
  return JSON.parse((await s.get(`/api/v1/sessions/${id}/export?format=json`)).text) as {
    messages: Array<{ id: string; role: string; content: string; timestamp: string; metadata: unknown }>;
  };
}

describe('tolerant reading of PocketPaw session files', () => {
  it('imports the readable sessions, skips unreadable messages and files, ignores non-session files', async () => {
    expect(summary.sessionFiles).toBe(4);
    expect(summary.sessionsCreated).toBe(3);
    expect(summary.messagesImported).toBe(4 + 2 + 1);
    expect(summary.messagesSkipped).toBe(3);
    expect(summary.failures.map((f) => f.file)).toEqual(['websocket_nothing_readable.json']);
    expect(summary.failures[0]!.reason).toMatch(/no readable messages/);
    expect(summary.notes.some((n) => n.includes('_index.json'))).toBe(true);
    expect((await s.get('/api/sessions')).body.total).toBe(3);
  });

  it('without an index, derives title, channel and times from the messages (spec §7.3)', async () => {
    expect(await row('websocket_api_aaaaaaaaaaaa')).toMatchObject({
      title: 'Old message without id', channel: 'websocket', message_count: 4, preview: 'Answer',
      created: `${new Date('2026-02-10T10:00:00').toISOString().slice(0, 19)}.000001+00:00`,
      last_activity: `${new Date('2026-02-10T10:00:03').toISOString().slice(0, 19)}.250000+00:00`,
    });
    expect(await row('google_chat_spaces_AAA')).toMatchObject({ channel: 'google_chat', title: 'from google chat', message_count: 1 });
    expect(await row('telegram_777')).toMatchObject({ channel: 'telegram', title: 'offset form' });
  });

  it('honours explicit offsets and reads offset-less times as local', async () => {
    const doc = await exported('telegram_777');
    expect(doc.messages.map((m) => m.timestamp)).toEqual(['2026-02-10T08:00:00.123456+00:00', '2026-02-10T10:05:00.000000+00:00']);
    const local = await exported('websocket_api_aaaaaaaaaaaa');
    // Berlin is UTC+1 in February.
    expect(local.messages[0]!.timestamp).toBe('2026-02-10T09:00:00.000001+00:00');
  });

  it('defaults a missing role to user and odd metadata to {}', async () => {
    const doc = await exported('websocket_api_aaaaaaaaaaaa');
    expect(doc.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', '   '], ['user', '  Old message without id  '], ['user', 'no role either'], ['assistant', 'Answer'],
    ]);
    expect(doc.messages[3]).toMatchObject({ id: 'has-id', metadata: {} });
    expect((await exported('telegram_777')).messages.map((m) => m.metadata)).toEqual([{}, { ok: true }]);
  });

  it('gives messages without an id a stable one, so importing again adds nothing', async () => {
    const ids = (await exported('websocket_api_aaaaaaaaaaaa')).messages.map((m) => m.id);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/\S/);
    expect(s.importDir(root)).toMatchObject({ sessionsCreated: 0, sessionsUpdated: 0, messagesImported: 0 });
    expect((await exported('websocket_api_aaaaaaaaaaaa')).messages.map((m) => m.id)).toEqual(ids);
  });

  it('a session listed in the index without a file is not created', async () => {
    fs.writeFileSync(path.join(sessionsDir, '_index.json'), pythonJson({
      websocket_ghost: { title: 'Ghost', channel: 'websocket', created: '2026-01-01T00:00:00', last_activity: '2026-01-01T00:00:00', message_count: 3, preview: 'boo' },
    }));
    expect(s.importDir(root)).toMatchObject({ sessionsCreated: 0, messagesImported: 0 });
    expect(await row('websocket_ghost')).toBeUndefined();
  });
});
