import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv, type ProviderUnderTest } from '../helpers/chat-server.js';
import { textReply, type RecordedRequest } from '../helpers/fake-llm/index.js';
import { connect } from '../helpers/ws-client.js';
import { chatBlocking, openChatStream, sessionSummary, waitUntil, wireMessages, wireSystem } from './rest-helpers.js';

// Spec §7.3 (first-message title) and the model-written title of the issue.

describe('first-message title (spec §7.3)', () => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer('openai'); // auto_title_llm off
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('is the trimmed first 80 characters, set as soon as the user message is stored', async () => {
    const text = `   ${'Tell me about the history of the Lisbon tram network and its famous line 28 route'}  and more words after.`;
    env.fake.enqueue({ steps: [{ text: 'Well, ' }, { hang: true }] });
    const sse = await openChatStream(env.s, { content: text, session_id: 'title-first' });
    await sse.waitFor((e) => e.event === 'chunk');
    // The answer has not finished, the title is already there.
    const during = await sessionSummary(env.s, 'websocket_title-first');
    expect(during).toMatchObject({ title: text.trim().slice(0, 80), message_count: 1 });
    expect(during!.title).toHaveLength(80);
    expect((await env.s.post('/api/v1/chat/stop?session_id=title-first')).status).toBe(200);
    await sse.ended;
    // Only the first user message names the session.
    await chatBlocking(env.s, { content: 'A different second question', session_id: 'title-first' });
    expect((await sessionSummary(env.s, 'websocket_title-first'))!.title).toBe(text.trim().slice(0, 80));
    // With auto_title_llm off, the model is never asked for a title.
    expect(env.fake.requests.every((r) => r.stream)).toBe(true);
  });
});

function isTitleRequest(r: RecordedRequest): boolean {
  return !r.stream;
}

describe.each<ProviderUnderTest>(['openai', 'anthropic', 'ollama', 'openai_compatible'])('model-written title with %s', (provider) => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer(provider, { env: { POCKETPAW_AUTO_TITLE_LLM: 'true' } });
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('after the first exchange the model is asked (non-streaming) and the cleaned title is applied', async () => {
    const id = `titled-${provider}`;
    env.fake.enqueue(
      textReply('Lisbon is lovely in spring; here is a three-day plan.'),
      textReply('"Title: A Spring Trip to Lisbon, Portugal, With Trams, Pastries, Fado and Views Galore."'),
    );
    const res = await chatBlocking(env.s, { content: 'Plan a trip to Lisbon for me', session_id: id });
    expect(res.status).toBe(200);
    const [, titleReq] = await env.fake.waitForRequests(2);
    expect(isTitleRequest(titleReq!)).toBe(true);
    expect(titleReq!.body.model).toBe(env.fake.requests[0]!.body.model);
    // The prompt carries the exchange and asks for the conversation's language.
    const prompt = wireMessages(titleReq!).map((m) => m.text).join('\n');
    expect(prompt).toContain('Plan a trip to Lisbon for me');
    expect(prompt).toContain('Lisbon is lovely in spring');
    expect(wireSystem(titleReq!)).toMatch(/same language/i);
    // Quotes, the `Title:` label and the period go; over 60 characters it is cut at a word.
    const expected = 'A Spring Trip to Lisbon, Portugal, With Trams, Pastries';
    const summary = await waitUntil(async () => {
      const s = await sessionSummary(env.s, `websocket_${id}`);
      return s?.title !== 'Plan a trip to Lisbon for me' ? s : undefined;
    }, 'the model-written title');
    expect(summary.title).toBe(expected);
    expect([...summary.title].length).toBeLessThanOrEqual(60);
    expect(summary).not.toHaveProperty('user_title');

    // Later exchanges do not ask again.
    await chatBlocking(env.s, { content: 'And the food?', session_id: id });
    expect(env.fake.requests.filter(isTitleRequest)).toHaveLength(1);
  });
});

describe('model-written title: never delays the reply, never overrides the user', () => {
  let env: ChatTestEnv;
  beforeAll(async () => {
    env = await startChatServer('openai', { env: { POCKETPAW_AUTO_TITLE_LLM: 'true' } });
  });
  afterAll(() => env.close());
  beforeEach(() => env.fake.reset());

  it('the reply completes while the title request is still pending', async () => {
    env.fake.enqueue(textReply('Quick answer.'), { ...textReply('Slow Title'), headersDelayMs: 2000 });
    const res = await chatBlocking(env.s, { content: 'Be quick', session_id: 'slow-title' });
    expect(res.body.content).toBe('Quick answer.');
    // At the moment the reply arrived, the title had not been applied yet.
    expect((await sessionSummary(env.s, 'websocket_slow-title'))!.title).toBe('Be quick');
    await env.fake.waitForRequests(2);
    await waitUntil(async () => (await sessionSummary(env.s, 'websocket_slow-title'))?.title === 'Slow Title', 'the slow title');
  });

  it('a title the user set meanwhile is kept', async () => {
    const sock = await connect(`${env.s.url}/ws`);
    await sock.waitFor((f) => f.type === 'connection_info');
    env.fake.enqueue(textReply('Answer before rename.'), { ...textReply('Model Title'), headersDelayMs: 1000 });
    await chatBlocking(env.s, { content: 'Name me later', session_id: 'user-named' });
    const renamed = await env.s.post('/api/v1/sessions/websocket_user-named/title', { title: 'My Own Title' });
    expect(renamed.status, renamed.text).toBe(200);
    await env.fake.waitForRequests(2);
    // Four updates of this session: user message, answer, rename and the title job (which,
    // with the title response delayed, normally lands after the rename).
    const updates = () => sock.frames.filter((f) => f.type === 'session_updated' && f.session.id === 'websocket_user-named');
    await waitUntil(() => updates().length >= 4, 'the title job to finish', 15_000);
    expect(updates().at(-1)!.session.title).toBe('My Own Title');
    expect(await sessionSummary(env.s, 'websocket_user-named')).toMatchObject({ title: 'My Own Title', user_title: 'My Own Title' });
    sock.close();
  });

  it('a session renamed before the first answer keeps its title too', async () => {
    env.fake.enqueue({ steps: [{ text: 'Slow ' }, { delayMs: 300 }, { text: 'answer.' }] }, textReply('Model Title Two'));
    const sse = await openChatStream(env.s, { content: 'Rename me early', session_id: 'renamed-early' });
    await sse.waitFor((e) => e.event === 'stream_start');
    await waitUntil(async () => (await sessionSummary(env.s, 'websocket_renamed-early')) !== undefined, 'the session to exist');
    expect((await env.s.post('/api/v1/sessions/websocket_renamed-early/title', { title: 'Early Name' })).status).toBe(200);
    await sse.ended;
    // A further turn is a barrier: the title job of the first exchange has been answered by now.
    await chatBlocking(env.s, { content: 'more', session_id: 'renamed-early' });
    expect((await sessionSummary(env.s, 'websocket_renamed-early'))!.title).toBe('Early Name');
  });

  it('a failed title request changes nothing', async () => {
    env.fake.enqueue(textReply('Answer.'), { status: 500, errorMessage: 'title model down' });
    const res = await chatBlocking(env.s, { content: 'Keep my first words', session_id: 'title-fails' });
    expect(res.status).toBe(200);
    expect(res.body.content).toBe('Answer.');
    await env.fake.waitForRequests(2);
    await chatBlocking(env.s, { content: 'Second message', session_id: 'title-fails' });
    expect(await sessionSummary(env.s, 'websocket_title-fails')).toMatchObject({ title: 'Keep my first words', message_count: 4 });
    // The failure did not leak into the conversation either.
    const h = await env.s.get('/api/v1/sessions/websocket_title-fails/history');
    expect(JSON.stringify(h.body)).not.toContain('title model down');
  });
});
