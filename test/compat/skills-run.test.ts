import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { streamedText, type ChatSocket, type WsFrame } from '../helpers/ws-client.js';
import { allCallers, type Caller } from './helpers.js';

/** WS `run_skill` (spec §4.3, §10 item 9): a known skill runs as an agent turn in this chat. */
let env: ChatTestEnv;
let callers: Caller[];
beforeAll(async () => {
  env = await startChatServer('openai');
  callers = await allCallers(env.s);
  const dir = path.join(env.s.home, 'skills', 'greet');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'SKILL.md'), '---\nname: zz-pp-test-greet\ndescription: Greets someone\nargument-hint: <name>\n---\nGreet $ARGUMENTS warmly.\n');
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());
const open: ChatSocket[] = [];
afterEach(() => {
  for (const sock of open.splice(0)) sock.close();
});

const own = (frames: WsFrame[]) => frames.filter((f) => !['session_updated', 'session_deleted', 'system_event'].includes(f.type));

async function run(sock: ChatSocket, frame: unknown): Promise<WsFrame[]> {
  const from = sock.frames.length;
  sock.send(frame);
  return own(await sock.turn(from));
}

describe('run_skill', () => {
  it('known skill: notification, stream_start, skill_started, the answer as message chunks, skill_completed, stream_end — under every auth mode', async () => {
    for (const c of callers) {
      env.fake.reset();
      const sock = await c.socket();
      open.push(sock);
      env.fake.enqueue(textReply('Hello, Ada!'));
      const frames = await run(sock, { action: 'run_skill', name: 'zz-pp-test-greet', args: 'Ada' });
      expect(frames.map((f) => f.type), c.name).toEqual(['notification', 'stream_start', 'skill_started', ...frames.slice(3, -2).map(() => 'message'), 'skill_completed', 'stream_end']);
      expect(frames[0]).toEqual({ type: 'notification', content: '🎯 Running skill: zz-pp-test-greet' });
      expect(frames[2]).toEqual({ type: 'skill_started', skill_name: 'zz-pp-test-greet', args: 'Ada', timestamp: expect.any(String) });
      expect(streamedText(frames)).toBe('Hello, Ada!');
      expect(frames.at(-2)).toEqual({ type: 'skill_completed', skill_name: 'zz-pp-test-greet', timestamp: expect.any(String) });
      const sent = (env.fake.requests[0]!.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user').pop()!;
      expect(sent.content).toBe('[Skill: zz-pp-test-greet]\nGreet Ada warmly.');
      // Stored in this chat's session like any turn.
      const history = (await env.s.get(`/api/v1/sessions/${sock.sessionId}/history`)).body;
      expect(history.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    }
  });

  it('a failing provider ends with skill_error before stream_end', async () => {
    const sock = await callers[0]!.socket();
    open.push(sock);
    env.fake.enqueue({ status: 500, errorMessage: 'upstream exploded' });
    const frames = await run(sock, { action: 'run_skill', name: 'zz-pp-test-greet', args: 'Bob' });
    expect(frames.at(-1)).toMatchObject({ type: 'stream_end' });
    expect(frames.at(-2)).toMatchObject({ type: 'skill_error', skill_name: 'zz-pp-test-greet', error: expect.any(String) });
    expect(frames.some((f) => f.type === 'skill_completed')).toBe(false);
  });

  it('an unknown skill is the chat text /<name> <args>: a slash command, or a message to the model', async () => {
    const sock = await callers[1]!.socket();
    open.push(sock);
    const help = await run(sock, { action: 'run_skill', name: 'help' });
    expect(help).toEqual([{ type: 'stream_start' }, { type: 'message', content: expect.stringContaining('/new'), is_stream_chunk: false, metadata: {}, notice: 'command' }, { type: 'stream_end' }]);
    expect(env.fake.requests).toHaveLength(0);
    await run(sock, { action: 'run_skill', name: 'zz-not-installed', args: 'now' });
    const sent = (env.fake.requests[0]!.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user').pop()!;
    expect(sent.content).toBe('/zz-not-installed now');
  });
});
