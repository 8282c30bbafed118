import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm, textReply, type FakeLlm } from '../helpers/fake-llm/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connectChat, ownFrames, streamedText } from '../helpers/ws-client.js';

/** A port nothing listens on: Ollama "not running". */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

// Provider `auto`, no keys, no Ollama: nothing to answer with. The Anthropic base URL points at a
// fake so that, once a key is saved over the socket, the next turn has somewhere to go.
let s: TestServer;
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
  s = await startTestServer({
    env: {
      POCKETPAW_LLM_PROVIDER: 'auto', POCKETPAW_OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}`,
      POCKETPAW_ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, POCKETPAW_ANTHROPIC_MODEL: 'claude-test',
      POCKETPAW_LLM_MAX_RETRIES: '0', POCKETPAW_AUTO_TITLE_LLM: 'false',
    },
  });
});
afterAll(async () => {
  await s.close();
  await fake.close();
});

describe('no model configured', () => {
  it('answers with one non-streamed message saying how to configure one; the user message is stored, the hint is not', async () => {
    const sock = await connectChat(s.url);
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'Hello, anyone home?' });
    const frames = ownFrames(await sock.turn(from));
    const chat = frames.filter((f) => f.type !== 'system_event');
    expect(chat).toEqual([
      { type: 'stream_start' },
      // `notice` (ours) says what this is, so clients need not match the text.
      { type: 'message', content: expect.stringContaining('POCKETPAW_ANTHROPIC_API_KEY'), is_stream_chunk: false, metadata: {}, notice: 'no_model' },
      { type: 'stream_end', session_id: sock.sessionId, user_message_id: expect.any(String) },
    ]);
    const hint = chat[1]!.content as string;
    // Plain words first (the Settings route), as a Markdown list; the environment variables after, as the other way.
    expect(hint).toContain('Settings → Model');
    expect(hint).toMatch(/^- \*\*Anthropic/m);
    expect(hint.indexOf('Settings → Model')).toBeLessThan(hint.indexOf('POCKETPAW_'));
    expect(hint).not.toContain('save_api_key');
    expect(hint).toContain('POCKETPAW_OLLAMA_HOST');
    expect(hint).not.toMatch(/\n\s+at |Error:/);
    expect(fake.requests).toHaveLength(0);

    const h = await s.get(`/api/v1/sessions/${sock.sessionId}/history`);
    expect(h.body).toMatchObject([{ role: 'user', content: 'Hello, anyone home?' }]);
    sock.close();
  });

  it('a key saved over the socket takes effect for the next turn', async () => {
    const sock = await connectChat(s.url);
    const from = sock.frames.length;
    sock.send({ action: 'save_api_key', provider: 'anthropic', key: 'sk-ant-saved-over-the-socket-0123456789' });
    expect(await sock.waitFor((f) => f.type === 'message', { from })).toEqual({ type: 'message', content: '✅ Anthropic API key saved!' });

    fake.enqueue(textReply('Now I can answer.'));
    const turnFrom = sock.frames.length;
    sock.send({ action: 'chat', message: 'And now?' });
    expect(streamedText(await sock.turn(turnFrom))).toBe('Now I can answer.');
    const [req] = await fake.waitForRequests(1);
    expect(req!.provider).toBe('anthropic');
    expect(req!.headers['x-api-key']).toBe('sk-ant-saved-over-the-socket-0123456789');
    sock.close();
  });
});
