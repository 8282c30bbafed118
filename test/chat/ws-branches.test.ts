import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply, toolCallReply } from '../helpers/fake-llm/index.js';
import { connectChat, ownFrames, streamedText, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

/**
 * The conversation tree over the WebSocket (docs/api.md §4.7): regenerate, edit, continue and
 * switch_branch against a real server and a fake OpenAI-compatible provider; PocketPaw's views
 * (history, export, search, message_count) keep showing the active branch as a plain list.
 */
let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai', { env: { POCKETPAW_AUTO_TITLE_LLM: 'false' } });
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

interface Msg { role: string; content: string; id: string; versions?: { index: number; count: number; ids: string[] }; [k: string]: unknown }

async function history(id: string): Promise<Msg[]> {
  const res = await env.s.get(`/api/v1/sessions/${id}/history?limit=500`);
  expect(res.status).toBe(200);
  return res.body as Msg[];
}
const plain = (h: Msg[]) => h.map((m) => [m.role, m.content]);

async function turn(sock: ChatSocket, frame: Record<string, unknown>): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send(frame);
  return ownFrames(await sock.turn(from));
}

/** One exchange: returns the ids stream_end names. */
async function chat(sock: ChatSocket, text: string, answer: string): Promise<WsFrame> {
  env.fake.enqueue(textReply(answer));
  const frames = await turn(sock, { action: 'chat', message: text });
  return frames.at(-1)!;
}

async function errorFor(sock: ChatSocket, frame: Record<string, unknown>): Promise<WsFrame> {
  const from = sock.frames.length;
  sock.send(frame);
  return sock.waitFor((f) => f.type === 'error' && f.action === frame.action, { from });
}

describe('conversation tree (spec §4.7)', () => {
  it('stream_end names the stored ids; regenerate keeps both answers as versions "2/2", switch_branch goes back to "1/2"', async () => {
    const sock = await connectChat(env.s.url);
    const end = await chat(sock, 'Name a colour', 'Blue.');
    expect(end).toEqual({ type: 'stream_end', session_id: sock.sessionId, user_message_id: expect.any(String), message_id: expect.any(String) });
    let h = await history(sock.sessionId);
    expect(h.map((m) => m.id)).toEqual([end.user_message_id, end.message_id]);

    env.fake.enqueue(textReply('Green.'));
    const frames = await turn(sock, { action: 'regenerate', session_id: sock.sessionId, message_id: end.message_id });
    expect(frames[0]).toEqual({ type: 'stream_start' });
    expect(streamedText(frames)).toBe('Green.');
    const regen = frames.at(-1)!;
    expect(regen).toMatchObject({ type: 'stream_end', session_id: sock.sessionId, message_id: expect.any(String) });
    expect(regen.user_message_id).toBeUndefined(); // no new user message
    // The model was asked the same question again, without the earlier answer.
    const prompt = env.fake.requests.at(-1)!.body.messages as { role: string; content: string }[];
    expect(prompt.slice(1)).toEqual([{ role: 'user', content: 'Name a colour' }]);

    h = await history(sock.sessionId);
    expect(plain(h)).toEqual([['user', 'Name a colour'], ['assistant', 'Green.']]);
    expect(h[1]!.versions).toEqual({ index: 2, count: 2, ids: [end.message_id, regen.message_id] });
    expect(h[0]!.versions).toBeUndefined();
    // PocketPaw's views see the active branch only.
    const listed = (await env.s.get('/api/sessions')).body.sessions.find((s: { id: string }) => s.id === sock.sessionId);
    expect(listed).toMatchObject({ message_count: 2, preview: 'Green.' });
    expect((await env.s.get('/api/v1/sessions/search?q=Blue.')).body.sessions).toEqual([]);
    const exported = JSON.parse((await env.s.get(`/api/v1/sessions/${sock.sessionId}/export?format=json`)).text);
    expect(exported.messages.map((m: Msg) => m.content)).toEqual(['Name a colour', 'Green.']);

    // Back to the first answer.
    let from = sock.frames.length;
    sock.send({ action: 'switch_branch', session_id: sock.sessionId, message_id: end.message_id });
    const shown = await sock.waitFor((f) => f.type === 'session_history', { from });
    expect(shown.messages.map((m: Msg) => m.content)).toEqual(['Name a colour', 'Blue.']);
    expect(shown.messages[1].versions).toMatchObject({ index: 1, count: 2 });
    expect((await env.s.get('/api/v1/sessions/search?q=Blue.')).body.sessions.map((s: { id: string }) => s.id)).toEqual([sock.sessionId]);

    // The next message continues the branch on screen, and the model sees only that branch.
    await chat(sock, 'Why?', 'Because.');
    const sent = env.fake.requests.at(-1)!.body.messages as { role: string; content: string }[];
    expect(sent.slice(1).map((m) => m.content)).toEqual(['Name a colour', 'Blue.', 'Why?']);
    // REST switch returns the new history; the later message lives on the Blue branch only.
    const rest = await env.s.post(`/api/v1/sessions/${sock.sessionId}/branch`, { message_id: regen.message_id });
    expect(rest.status).toBe(200);
    expect(plain(rest.body)).toEqual([['user', 'Name a colour'], ['assistant', 'Green.']]);
    from = sock.frames.length;
    sock.send({ action: 'switch_branch', session_id: sock.sessionId, message_id: end.message_id });
    const back = await sock.waitFor((f) => f.type === 'session_history', { from });
    expect(back.messages.map((m: Msg) => m.content)).toEqual(['Name a colour', 'Blue.', 'Why?', 'Because.']);
    sock.close();
  });

  it('edit_message branches at the user message: the old branch stays reachable through its "1/2"', async () => {
    const sock = await connectChat(env.s.url);
    const first = await chat(sock, 'Plan a trip to Rome', 'Rome plan.');
    await chat(sock, 'Add a day', 'Four days.');
    env.fake.enqueue(textReply('Paris plan.'));
    const frames = await turn(sock, { action: 'edit_message', session_id: sock.sessionId, message_id: first.user_message_id, message: 'Plan a trip to Paris' });
    expect(streamedText(frames)).toBe('Paris plan.');
    expect(frames.at(-1)).toMatchObject({ user_message_id: expect.any(String), message_id: expect.any(String) });
    const h = await history(sock.sessionId);
    expect(plain(h)).toEqual([['user', 'Plan a trip to Paris'], ['assistant', 'Paris plan.']]);
    expect(h[0]!.versions).toEqual({ index: 2, count: 2, ids: [first.user_message_id, frames.at(-1)!.user_message_id] });
    expect(env.fake.requests.at(-1)!.body.messages.slice(1)).toEqual([{ role: 'user', content: 'Plan a trip to Paris' }]);
    // The stored metadata is the edit frame (spec §7.2), like a chat frame's.
    const exported = JSON.parse((await env.s.get(`/api/v1/sessions/${sock.sessionId}/export?format=json`)).text);
    expect(exported.messages[0].metadata).toMatchObject({ action: 'edit_message', message: 'Plan a trip to Paris' });

    const back = await env.s.post(`/api/v1/sessions/${sock.sessionId}/branch`, { message_id: first.user_message_id });
    expect(plain(back.body)).toEqual([['user', 'Plan a trip to Rome'], ['assistant', 'Rome plan.'], ['user', 'Add a day'], ['assistant', 'Four days.']]);
    expect((await env.s.get('/api/sessions')).body.sessions.find((s: { id: string }) => s.id === sock.sessionId).message_count).toBe(4);
    sock.close();
  });

  it('continue after stop extends the same message; the model gets the partial answer and a request to go on', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue({ steps: [{ text: 'Once upon ' }, { hang: true }] });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Tell a story' });
    await sock.waitFor((f) => f.type === 'message' && String(f.content).includes('Once upon'), { from });
    sock.send({ action: 'stop' });
    const stopped = ownFrames(await sock.turn(from)).at(-1)!;
    let h = await history(sock.sessionId);
    expect(h[1]).toMatchObject({ id: stopped.message_id, content: 'Once upon \n\n[Response interrupted]', interrupted: true });

    env.fake.enqueue(textReply('a time.'));
    const frames = await turn(sock, { action: 'continue', session_id: sock.sessionId, message_id: stopped.message_id });
    expect(streamedText(frames)).toBe('a time.');
    expect(frames.at(-1)).toMatchObject({ message_id: stopped.message_id });
    const prompt = env.fake.requests.at(-1)!.body.messages as { role: string; content: string }[];
    expect(prompt.slice(1, 3)).toEqual([{ role: 'user', content: 'Tell a story' }, { role: 'assistant', content: 'Once upon ' }]);
    expect(prompt.at(-1)!.content).toMatch(/^Continue your previous answer/);
    h = await history(sock.sessionId);
    expect(h).toHaveLength(2);
    expect(h[1]).toMatchObject({ id: stopped.message_id, content: 'Once upon a time.' });
    expect(h[1]!.interrupted).toBeUndefined();
    // Only an answer at the end of the branch can be continued.
    expect((await errorFor(sock, { action: 'continue', session_id: sock.sessionId, message_id: h[0]!.id })).content).toBe('Only an answer can be continued.');
    sock.close();
  });

  it('a failed answer is stored with its error, never sent to the model, and Try again (regenerate) replaces it', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue({ steps: [{ text: 'Half ' }, { error: 'upstream exploded' }] });
    const failed = (await turn(sock, { action: 'chat', message: 'Do the thing' })).at(-1)!;
    let h = await history(sock.sessionId);
    expect(h[1]).toMatchObject({ role: 'assistant', content: 'Half ', error: expect.stringContaining('upstream exploded') });
    expect(JSON.stringify(h)).not.toContain('[Error');

    env.fake.enqueue(textReply('Done properly.'));
    await turn(sock, { action: 'regenerate', session_id: sock.sessionId, message_id: failed.message_id });
    h = await history(sock.sessionId);
    expect(plain(h)).toEqual([['user', 'Do the thing'], ['assistant', 'Done properly.']]);
    expect(h[1]!.versions).toBeUndefined(); // replaced, not kept as a version
    const prompt = JSON.stringify(env.fake.requests.at(-1)!.body.messages);
    expect(prompt).not.toContain('Half');
    expect(prompt).not.toContain('upstream exploded');
    sock.close();
  });

  it('set_session_model stores the chat model; the next turn uses it; a chat frame can carry it for a new chat', async () => {
    const sock = await connectChat(env.s.url);
    env.fake.enqueue(textReply('From the chosen model.'));
    await turn(sock, { action: 'chat', message: 'Hello', model: 'openai:gpt-chosen' });
    expect(env.fake.requests[0]!.body.model).toBe('gpt-chosen');
    const listed = () => env.s.get('/api/sessions').then((r) => r.body.sessions.find((s: { id: string }) => s.id === sock.sessionId));
    expect(await listed()).toMatchObject({ model: 'openai:gpt-chosen' });

    const from = sock.frames.length;
    sock.send({ action: 'set_session_model', session_id: sock.sessionId, model: null });
    await sock.waitFor((f) => f.type === 'session_updated' && f.session.id === sock.sessionId && f.session.model === undefined, { from });
    await chat(sock, 'Again', 'Default.');
    expect(env.fake.requests.at(-1)!.body.model).toBe('gpt-test');
    const rest = await env.s.post(`/api/v1/sessions/${sock.sessionId}/model`, { model: 'openai:gpt-rest' });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ id: sock.sessionId, model: 'openai:gpt-rest' });
    expect((await env.s.post(`/api/v1/sessions/${sock.sessionId}/model`, { model: 'not-a-provider:x' })).status).toBe(422);
    expect((await env.s.post('/api/v1/sessions/websocket_nope/model', { model: null })).status).toBe(404);
    expect((await errorFor(sock, { action: 'set_session_model', session_id: sock.sessionId, model: 'gpt-4o' })).content).toMatch(/<provider>:<model id>/);
    sock.close();
  });
});

describe('what the agent did (spec §4.7)', () => {
  it('tool steps, reasoning and the model are stored with the answer and come back in history and export', async () => {
    // Anthropic: the provider whose stream carries reasoning to the AI SDK.
    const anthropic = await startChatServer('anthropic', { env: { POCKETPAW_AUTO_TITLE_LLM: 'false' } });
    const sock = await connectChat(anthropic.s.url);
    anthropic.fake.enqueue(
      { steps: [{ reasoning: 'I should check the clock.' }, ...(toolCallReply('current_time', {}).steps ?? [])] },
      textReply('It is morning.'),
    );
    await turn(sock, { action: 'chat', message: 'What time is it?' });
    const h = (await anthropic.s.get(`/api/v1/sessions/${sock.sessionId}/history`)).body as Msg[];
    expect(h[1]).toMatchObject({
      role: 'assistant', content: 'It is morning.', reasoning: 'I should check the clock.', model: expect.stringMatching(/^anthropic:/),
      steps: [{ name: 'current_time', params: {}, status: 'success', result: expect.any(String), duration_ms: expect.any(Number) }],
    });
    const md = (await anthropic.s.get(`/api/v1/sessions/${sock.sessionId}/export?format=md`)).text;
    expect(md).toContain('- `current_time` (ok,');
    // The legacy history keeps PocketPaw's two fields.
    expect((await anthropic.s.get(`/api/memory/session?id=${sock.sessionId}`)).body).toEqual([
      { role: 'user', content: 'What time is it?' }, { role: 'assistant', content: 'It is morning.' },
    ]);
    sock.close();
    await anthropic.close();
  });
});

describe('refusals: nothing streams, nothing changes', () => {
  it('unknown message, wrong role, other channels, path-like ids, a busy session', async () => {
    const sock = await connectChat(env.s.url);
    const end = await chat(sock, 'Question', 'Answer');
    const before = await history(sock.sessionId);
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ action: 'regenerate', session_id: sock.sessionId, message_id: 'no-such-id' }, /Message not found/],
      [{ action: 'regenerate', session_id: sock.sessionId }, /message_id is required/],
      [{ action: 'edit_message', session_id: sock.sessionId, message_id: end.message_id, message: 'x' }, /Only your own messages/],
      [{ action: 'edit_message', session_id: sock.sessionId, message_id: end.user_message_id, message: '  ' }, /Type the new text/],
      [{ action: 'regenerate', session_id: 'telegram_123', message_id: end.message_id }, /dashboard conversation/],
      [{ action: 'regenerate', session_id: 'websocket_../../etc', message_id: end.message_id }, /Session not found/],
      // Another session's message id does not reach across.
      [{ action: 'regenerate', session_id: 'websocket_other', message_id: end.message_id }, /Session not found/],
      [{ action: 'switch_branch', session_id: sock.sessionId, message_id: 'nope' }, /Message not found/],
    ];
    for (const [frame, detail] of refusals) {
      const from = sock.frames.length;
      const error = await errorFor(sock, frame);
      expect(error.content, JSON.stringify(frame)).toMatch(detail);
      expect(sock.frames.slice(from).some((f) => f.type === 'stream_start'), JSON.stringify(frame)).toBe(false);
    }
    expect(await history(sock.sessionId)).toEqual(before);
    expect(env.fake.requests).toHaveLength(1);

    // While an answer streams, the tree does not move under it.
    env.fake.enqueue({ steps: [{ text: 'Slow ' }, { hang: true }] });
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Slow one' });
    await sock.waitFor((f) => f.type === 'message' && String(f.content).includes('Slow'), { from });
    expect((await errorFor(sock, { action: 'regenerate', session_id: sock.sessionId, message_id: end.message_id })).content).toMatch(/Wait for the current answer/);
    expect((await errorFor(sock, { action: 'switch_branch', session_id: sock.sessionId, message_id: end.message_id })).content).toMatch(/Wait for the current answer/);
    expect((await env.s.post(`/api/v1/sessions/${sock.sessionId}/branch`, { message_id: end.message_id })).body).toEqual({ detail: 'Wait for the current answer to finish (or stop it) first.' });
    sock.send({ action: 'stop' });
    await sock.turn(from);
    expect((await env.s.post(`/api/v1/sessions/${sock.sessionId}/branch`, {})).status).toBe(422);
    expect((await env.s.post(`/api/v1/sessions/${sock.sessionId}/branch`, { message_id: 'nope' })).status).toBe(404);
    sock.close();
  });
});
