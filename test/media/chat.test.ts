import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv, type ProviderUnderTest } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { connectChat, type WsFrame } from '../helpers/ws-client.js';
import { PNG } from './fixtures.js';

/** Whether a provider request carries the PNG as an image, in any of the three wire formats. */
const hasImage = (body: unknown) => JSON.stringify(body).includes(PNG.toString('base64'));

async function upload(env: ChatTestEnv, name: string, body: Buffer | string, type = 'application/octet-stream') {
  const r = await env.s.request(`/api/v1/media?name=${encodeURIComponent(name)}`, { method: 'POST', body, headers: { 'content-type': type } });
  expect(r.status).toBe(200);
  return r.body as { id: string; name: string; mime_type: string; size: number; path: string };
}

function stored(env: ChatTestEnv, sessionId: string) {
  return env.s.server.ctx.sessions.rawHistory(sessionId, 50);
}

describe.each([
  ['openai', 'gpt-4o', 'gpt-3.5-turbo'],
  ['anthropic', 'claude-sonnet-4-6', 'claude-2.1'],
  ['ollama', 'llava:7b', 'llama3.2'],
] as Array<[ProviderUnderTest, string, string]>)('WebSocket chat with media (%s)', (provider, visionModel, blindModel) => {
  let env: ChatTestEnv;
  const modelVar = { openai: 'POCKETPAW_OPENAI_MODEL', anthropic: 'POCKETPAW_ANTHROPIC_MODEL', ollama: 'POCKETPAW_OLLAMA_MODEL', openai_compatible: 'POCKETPAW_OPENAI_COMPATIBLE_MODEL' }[provider];
  const setModel = (m: string) => env.s.server.ctx.settingsStore.update({ [modelVar.replace('POCKETPAW_', '').toLowerCase()]: m });
  beforeAll(async () => {
    env = await startChatServer(provider, { env: { [modelVar]: visionModel } });
  });
  afterAll(() => env.close());
  beforeEach(() => {
    env.fake.reset();
    setModel(visionModel);
  });

  it('an uploaded id and a base64 file: stored with the hint and metadata, copied to the workspace, the image sent to a vision model', async () => {
    const up = await upload(env, 'photo.png', PNG, 'image/png');
    const sock = await connectChat(env.s.url);
    env.fake.enqueue(textReply('A tiny picture.'));
    sock.send({ action: 'chat', message: 'What is this?', media: [{ id: up.id }, { data: Buffer.from('a,b\n1,2').toString('base64'), name: 'data.csv', mime_type: 'text/csv' }] });
    const frames = await sock.turn();
    expect(frames.find((f) => f.notice === 'vision')).toBeUndefined();
    const [user] = stored(env, sock.sessionId);
    expect(user!.content).toBe('What is this?\n[Attached: photo.png, data.csv]');
    expect(user!.metadata.attachments).toEqual([
      { id: up.id, name: 'photo.png', mime_type: 'image/png', size: PNG.length },
      { id: expect.stringMatching(/_data\.csv$/), name: 'data.csv', mime_type: 'text/csv', size: 7 },
    ]);
    // The raw media payload is not kept in the stored frame.
    expect(user!.metadata.media).toBeUndefined();
    const ws = `${env.s.home}-workspace`;
    expect(fs.readFileSync(path.join(ws, 'attachments', 'photo.png'))).toEqual(PNG);
    expect(fs.readFileSync(path.join(ws, 'attachments', 'data.csv'), 'utf8')).toBe('a,b\n1,2');
    const [req] = await env.fake.waitForRequests(1);
    expect(hasImage(req!.body)).toBe(true);
    // History shows them (spec §4.7), and the image can be fetched back.
    const history = await env.s.get(`/api/v1/sessions/${sock.sessionId}/history`);
    expect(history.body[0].attachments.map((a: { name: string }) => a.name)).toEqual(['photo.png', 'data.csv']);
    const img = await env.s.get(`/api/v1/media/${up.id}`);
    expect(img.headers['content-type']).toBe('image/png');
    sock.close();
  });

  it('a model that cannot see images: no image part, and a vision notice in plain words', async () => {
    setModel(blindModel);
    const sock = await connectChat(env.s.url);
    env.fake.enqueue(textReply('I only see a name.'));
    sock.send({ action: 'chat', message: 'Describe it', media: [{ data: PNG.toString('base64'), name: 'pic.png', mime_type: 'image/png' }] });
    const frames = await sock.turn();
    const notice = frames.find((f) => f.type === 'message' && f.notice === 'vision');
    expect(notice?.content).toMatch(new RegExp(`${blindModel.replace(/[.]/g, '\\.')} cannot see images`));
    expect(notice?.content).toMatch(/only the file name/);
    expect(notice?.is_stream_chunk).toBe(false);
    const [req] = await env.fake.waitForRequests(1);
    expect(hasImage(req!.body)).toBe(false);
    expect(JSON.stringify(req!.body)).toContain('[Attached: pic');
    sock.close();
  });
});

describe('refusals and REST', () => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer('openai', { env: { POCKETPAW_OPENAI_MODEL: 'gpt-4o' }, config: { media_max_file_size_mb: 0.5 } });
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  const errorOf = (frames: WsFrame[]) => frames.find((f) => f.type === 'error');

  it('WS: a refused file ends the turn with an error frame naming the chat action; nothing stored, no model call', async () => {
    const sock = await connectChat(env.s.url);
    for (const [media, words] of [
      [[{ id: '../../access_token' }], /No uploaded file with id/],
      // (WebSocket frames are at most 1 MB, so the limit here is half a megabyte.)
      [[{ data: Buffer.alloc(600 * 1024).toString('base64'), name: 'big.bin' }], /^big.bin is 0.6 MB; the limit is 0.5 MB \(setting media_max_file_size_mb\)\.$/],
      [Array.from({ length: 11 }, () => ({ data: 'aGk=', name: 'x.txt' })), /At most 10 files/],
    ] as const) {
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: 'hi', media });
      const err = await sock.waitFor((f) => f.type === 'error', { from });
      const frames = sock.frames.slice(from);
      expect(frames.map((f) => f.type)).toEqual(['stream_start', 'stream_end', 'error']);
      expect(err).toMatchObject({ action: 'chat', content: expect.stringMatching(words) });
    }
    expect(env.s.server.ctx.sessions.find(sock.sessionId)).toBeFalsy();
    expect(env.fake.requests).toHaveLength(0);
    sock.close();
  });

  it('WS: a message of only an image is sent', async () => {
    const sock = await connectChat(env.s.url);
    sock.send({ action: 'chat', message: '', media: [{ data: PNG.toString('base64'), name: 'only.png' }] });
    await sock.turn();
    expect(stored(env, sock.sessionId)[0]!.content).toBe('\n[Attached: only.png]');
    sock.close();
  });

  it('WS edit_message carries files like chat', async () => {
    const sock = await connectChat(env.s.url);
    sock.send({ action: 'chat', message: 'first' });
    const end = (await sock.turn()).at(-1)!;
    const from = sock.frames.length;
    sock.send({ action: 'edit_message', session_id: sock.sessionId, message_id: end.user_message_id, message: 'second', media: [{ data: PNG.toString('base64'), name: 'e.png' }] });
    await sock.turn(from);
    const history = (await env.s.get(`/api/v1/sessions/${sock.sessionId}/history`)).body as Array<{ role: string; content: string; attachments?: unknown }>;
    const user = history.find((m) => m.role === 'user')!;
    expect(user.content).toBe('second\n[Attached: e.png]');
    expect(user.attachments).toEqual([expect.objectContaining({ name: 'e.png', mime_type: 'image/png' })]);
    expect(hasImage(env.fake.requests.at(-1)!.body)).toBe(true);
    sock.close();
  });

  it('REST: a path outside the media folder and the workspace is 400, and nothing is stored', async () => {
    fs.writeFileSync(path.join(env.s.home, 'notes.txt'), 'private');
    for (const p of ['/etc/passwd', path.join(env.s.home, 'access_token'), path.join(env.s.home, 'notes.txt'), '../x']) {
      for (const route of ['/api/v1/chat', '/api/v1/chat/stream']) {
        const r = await env.s.post(route, { content: 'read this', session_id: 'rest-refused', media: [p] });
        expect(r.status, `${route} ${p}`).toBe(400);
        expect(r.body.detail).toMatch(/only files in the media folder .* or the agent's workspace/);
        expect(r.text).not.toContain('private');
      }
    }
    expect(env.s.server.ctx.sessions.find('websocket_rest-refused')).toBeFalsy();
    expect(env.fake.requests).toHaveLength(0);
  });

  it('REST: a model that cannot see images says so before the answer', async () => {
    env.s.server.ctx.settingsStore.update({ openai_model: 'gpt-3.5-turbo' });
    try {
      const up = await upload(env, 'x.png', PNG, 'image/png');
      env.fake.enqueue(textReply('Only a name.'));
      const r = await env.s.post('/api/v1/chat', { content: 'see?', media: [up.id] });
      expect(r.status).toBe(200);
      expect(r.body.content).toMatch(/^gpt-3\.5-turbo cannot see images.*\n\nOnly a name\.$/s);
      expect(hasImage(env.fake.requests[0]!.body)).toBe(false);
    } finally {
      env.s.server.ctx.settingsStore.update({ openai_model: 'gpt-4o' });
    }
  });

  it('REST: an uploaded id and a workspace path are attached', async () => {
    const up = await upload(env, 'shot.png', PNG, 'image/png');
    const ws = `${env.s.home}-workspace`;
    fs.mkdirSync(ws, { recursive: true });
    fs.writeFileSync(path.join(ws, 'todo.md'), '# todo');
    const r = await env.s.post('/api/v1/chat', { content: 'look', session_id: 'rest-ok', media: [up.id, path.join(ws, 'todo.md')] });
    expect(r.status).toBe(200);
    const [user] = stored(env, 'websocket_rest-ok');
    expect(user!.content).toBe('look\n[Attached: shot.png, todo.md]');
    expect(user!.metadata).toMatchObject({ source: 'rest_api', attachments: [{ id: up.id }, { name: 'todo.md', mime_type: 'text/markdown' }] });
    expect(hasImage(env.fake.requests[0]!.body)).toBe(true);
  });
});
