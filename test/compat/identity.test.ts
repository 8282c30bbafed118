import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKey } from '../auth/auth-helpers.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { connectChat } from '../helpers/ws-client.js';
import { allCallers, keyCaller, type Caller } from './helpers.js';

let env: ChatTestEnv;
let callers: Caller[];
beforeAll(async () => {
  env = await startChatServer('openai');
  callers = await allCallers(env.s);
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const FIVE = ['identity_file', 'soul_file', 'style_file', 'instructions_file', 'user_file'];

function systemPrompt(i: number): string {
  const req = env.fake.requests[i]!;
  return (req.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'system').map((m) => m.content).join('\n');
}

async function chatOnce(message: string): Promise<void> {
  const sock = await connectChat(env.s.url);
  const from = sock.frames.length;
  sock.send({ action: 'chat', message });
  await sock.turn(from);
  sock.close();
}

describe('GET/PUT /api/identity (spec §3.8)', () => {
  it('GET: the five files, created with defaults on first read, in <data dir>/identity/', async () => {
    const res = await env.s.get('/api/identity');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(FIVE);
    expect(res.body.identity_file).toMatch(/PocketPaw/);
    for (const f of ['IDENTITY.md', 'SOUL.md', 'STYLE.md', 'INSTRUCTIONS.md', 'USER.md']) {
      expect(fs.existsSync(path.join(env.s.home, 'identity', f))).toBe(true);
    }
  });

  it('PUT writes a subset, answers the file names in prompt order, ignores non-strings; GET reads the same files, USER and INSTRUCTIONS trimmed', async () => {
    for (const [i, c] of callers.entries()) {
      for (const prefix of ['/api', '/api/v1']) {
        const user = `  Name: Ayşe ${i}${prefix} — likes 日本語  \n\n`;
        const put = await c.put(`${prefix}/identity`, { user_file: user, soul_file: `# Soul ${i}\n`, style_file: 42, extra: 'x', identity_file: null });
        expect(put.status, c.name).toBe(200);
        expect(put.body).toEqual({ ok: true, updated: ['SOUL.md', 'USER.md'] });
        expect(fs.readFileSync(path.join(env.s.home, 'identity', 'USER.md'), 'utf8')).toBe(user);
        const got = await c.get(`${prefix}/identity`);
        expect(got.body.user_file).toBe(user.trim());
        expect(got.body.soul_file).toBe(`# Soul ${i}\n`);
      }
    }
    const all = await env.s.request('/api/identity', { method: 'PUT', json: { identity_file: 'I', soul_file: 'S', style_file: 'T', instructions_file: '  Always answer in haiku.  ', user_file: 'U' } });
    expect(all.body.updated).toEqual(['IDENTITY.md', 'SOUL.md', 'STYLE.md', 'INSTRUCTIONS.md', 'USER.md']);
    expect((await env.s.get('/api/identity')).body.instructions_file).toBe('Always answer in haiku.');
  });

  it('the next message\'s system prompt carries the change', async () => {
    await env.s.request('/api/identity', { method: 'PUT', json: { identity_file: '# Identity\n\nYou are Biscuit, a terse assistant.', user_file: 'The user is called Zoë.' } });
    await chatOnce('hello');
    expect(systemPrompt(0)).toContain('You are Biscuit, a terse assistant.');
    expect(systemPrompt(0)).toContain('The user is called Zoë.');
    await env.s.request('/api/identity', { method: 'PUT', json: { identity_file: '# Identity\n\nYou are Crumpet.' } });
    await chatOnce('hello again');
    expect(systemPrompt(1)).toContain('You are Crumpet.');
    expect(systemPrompt(1)).not.toContain('Biscuit');
  });

  it('admin scope for API keys; a body that is not an object is a 400', async () => {
    const sessions = await createKey(env.s, { name: 'sessions', scopes: ['sessions'] });
    const admin = await createKey(env.s, { name: 'admin', scopes: ['admin'] });
    for (const p of ['/api/identity', '/api/v1/identity']) {
      const denied = await keyCaller(env.s, sessions.key).get(p);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ detail: 'API key missing required scope: admin' });
      expect((await keyCaller(env.s, sessions.key).put(p, { user_file: 'x' })).status).toBe(403);
      expect((await keyCaller(env.s, admin.key).get(p)).status).toBe(200);
    }
    const bad = await env.s.request('/api/identity', { method: 'PUT', json: ['not', 'an', 'object'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: 'Invalid JSON body' });
  });
});
