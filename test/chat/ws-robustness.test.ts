import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { connectChat, streamedText, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';

let env: ChatTestEnv;
beforeAll(async () => {
  env = await startChatServer('openai');
});
afterAll(() => env.close());
const sockets: ChatSocket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

async function open(path = '/ws'): Promise<ChatSocket> {
  const s = await connectChat(`${env.s.url}${path}`);
  sockets.push(s);
  return s;
}

/** Sends raw data, then a get_settings; returns the frames in between. */
async function replyToRaw(sock: ChatSocket, data: string | Buffer): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.sendRaw(data);
  sock.send({ action: 'get_settings' });
  const barrier = await sock.waitFor((f) => f.type === 'settings', { from });
  return sock.frames.slice(from, sock.frames.indexOf(barrier, from));
}

const errorFrame = { type: 'error', content: expect.any(String) };

describe('malformed frames', () => {
  it('a non-JSON text frame gets an error frame; the socket stays usable', async () => {
    const sock = await open();
    expect(await replyToRaw(sock, 'hello, this is not JSON')).toEqual([errorFrame]);
    expect(await replyToRaw(sock, '{"action": "chat", ')).toEqual([errorFrame]);
    const from = sock.frames.length;
    sock.send({ action: 'chat', message: 'still there?' });
    expect(streamedText(await sock.turn(from))).toBe('Hello from the fake model.');
  });

  it('JSON that is not an object gets an error frame', async () => {
    const sock = await open();
    for (const raw of ['[1,2,3]', '"chat"', '42', 'null']) {
      expect(await replyToRaw(sock, raw), raw).toEqual([errorFrame]);
    }
  });

  it('a binary frame gets an error frame; the socket stays usable', async () => {
    const sock = await open();
    expect(await replyToRaw(sock, Buffer.from([0xff, 0x00, 0x10, 0x80]))).toEqual([errorFrame]);
    expect(await replyToRaw(sock, Buffer.from(JSON.stringify({ action: 'new_session' })))).toEqual([errorFrame]);
  });

  it('a first frame {"action":"authenticate"} is accepted and ignored', async () => {
    const sock = await open();
    expect(await replyToRaw(sock, JSON.stringify({ action: 'authenticate', token: 'whatever' }))).toEqual([]);
    expect(sock.ws.readyState).toBe(sock.ws.OPEN);
  });

  it('a chat frame without a message does not reach the model and still ends its stream', async () => {
    const sock = await open();
    env.fake.reset();
    const from = sock.frames.length;
    sock.send({ action: 'chat' });
    const frames = await sock.turn(from);
    expect(frames[0]).toEqual({ type: 'stream_start' });
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });
    expect(env.fake.requests).toHaveLength(0);
  });
});

describe('frame size cap (1 MB)', () => {
  it('a frame just under 1 MB is read; one over it closes that socket with 1009, others carry on', async () => {
    const bystander = await open();
    const sock = await open();
    const under = JSON.stringify({ action: 'noop', pad: 'x'.repeat(1024 * 1024 - 100) });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(1024 * 1024);
    expect(await replyToRaw(sock, under)).toEqual([]);

    sock.sendRaw(JSON.stringify({ action: 'chat', message: 'y'.repeat(1024 * 1024 + 10) }));
    expect((await sock.closed).code).toBe(1009);

    expect(await replyToRaw(bystander, '{"action":"noop"}')).toEqual([]);
    const fresh = await open();
    const from = fresh.frames.length;
    fresh.send({ action: 'chat', message: 'after the big one' });
    expect(streamedText(await fresh.turn(from))).toBe('Hello from the fake model.');
  });
});

describe('endpoint aliases (spec §4.1)', () => {
  it('/api/v1/ws and /v1/ws speak the same protocol', async () => {
    for (const path of ['/api/v1/ws', '/v1/ws']) {
      const sock = await open(path);
      expect(sock.frames[0]).toEqual({ type: 'connection_info', content: 'Connected to PocketPaw', id: `websocket_${sock.chatId}` });
      const from = sock.frames.length;
      sock.send({ action: 'chat', message: `via ${path}` });
      expect((await sock.turn(from)).at(-1)).toMatchObject({ type: 'stream_end' });
    }
  });
});
