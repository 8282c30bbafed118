import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { allCallers, keyCaller, type Caller } from './helpers.js';

let s: TestServer;
let callers: Caller[];
beforeAll(async () => {
  s = await startTestServer();
  callers = await allCallers(s);
});
afterAll(() => s.close());

const ORDER = ['claude_agent_sdk', 'openai_agents', 'google_adk', 'codex_cli', 'opencode', 'copilot_sdk'];
const KEYS = ['available', 'beta', 'builtinTools', 'capabilities', 'displayName', 'installHint', 'name', 'requiredKeys', 'supportedProviders'];

describe('GET /api/backends (spec §3.9)', () => {
  it('a JSON array of the six registered backends, in order, on both path families and under every auth mode', async () => {
    for (const c of callers) {
      for (const path of ['/api/backends', '/api/v1/backends']) {
        const res = await c.get(path);
        expect(res.status, `${c.name} ${path}`).toBe(200);
        expect(Array.isArray(res.body)).toBe(true);
        expect(res.body.map((b: { name: string }) => b.name)).toEqual(ORDER);
        for (const b of res.body) expect(Object.keys(b).sort()).toEqual(KEYS);
      }
    }
  });

  it('claude_agent_sdk and openai_agents run here, with real capabilities, tools, keys and providers', async () => {
    const list = (await s.get('/api/backends')).body as any[];
    const claude = list.find((b) => b.name === 'claude_agent_sdk');
    expect(claude).toMatchObject({
      displayName: 'Claude Agent SDK', available: true, beta: false,
      capabilities: ['streaming', 'tools', 'multi_turn', 'custom_system_prompt'],
      requiredKeys: ['anthropic_api_key'], supportedProviders: ['anthropic', 'ollama', 'openai_compatible'],
    });
    // The agent loop's own tools, from its registry.
    expect(claude.builtinTools.length).toBeGreaterThan(0);
    expect(claude.builtinTools.every((t: unknown) => typeof t === 'string')).toBe(true);
    expect(claude.installHint.message).toMatch(/claude_sdk_provider/);
    const openai = list.find((b) => b.name === 'openai_agents');
    expect(openai).toMatchObject({
      displayName: 'OpenAI Agents', available: true, requiredKeys: ['openai_api_key'],
      supportedProviders: ['openai', 'ollama', 'openai_compatible'], builtinTools: claude.builtinTools,
    });
    expect(openai.installHint.message).toMatch(/openai_agents_provider/);
  });

  it('the other four are unavailable, with a hint that names what to choose instead', async () => {
    const list = (await s.get('/api/backends')).body as any[];
    for (const name of ['google_adk', 'codex_cli', 'opencode', 'copilot_sdk']) {
      const b = list.find((x) => x.name === name);
      expect(b).toMatchObject({ name, displayName: name, available: false, capabilities: [], builtinTools: [], requiredKeys: [], supportedProviders: [], beta: false });
      expect(b.installHint.alternatives).toEqual(['claude_agent_sdk', 'openai_agents']);
      expect(b.installHint.message).toMatch(/Choose claude_agent_sdk .* or openai_agents/);
    }
  });
});

describe('POST /api/backends/install', () => {
  it('answers as PocketPaw does: ok for a runnable backend, soft errors otherwise', async () => {
    for (const c of callers) {
      for (const prefix of ['/api', '/api/v1']) {
        expect((await c.post(`${prefix}/backends/install`, { backend: 'claude_agent_sdk' })).body).toEqual({ status: 'ok' });
        expect((await c.post(`${prefix}/backends/install`, { backend: 'openai_agents' })).body).toEqual({ status: 'ok' });
        expect((await c.post(`${prefix}/backends/install`, { backend: 'nope' })).body).toEqual({ error: 'Unknown backend: nope' });
        expect((await c.post(`${prefix}/backends/install`, {})).body).toEqual({ error: 'Unknown backend: ' });
        const adk = await c.post(`${prefix}/backends/install`, { backend: 'google_adk' });
        expect(adk.status).toBe(200);
        expect(adk.body.error).toMatch(/does not run in PocketPaw \(TypeScript\).*openai_agents/);
      }
    }
  });

  it('needs admin for API keys; a malformed body is a 400', async () => {
    const chat = await createKey(s, { name: 'chat', scopes: ['chat'] });
    const admin = await createKey(s, { name: 'admin', scopes: ['admin'] });
    const denied = await keyCaller(s, chat.key).post('/api/backends/install', { backend: 'openai_agents' });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'API key missing required scope: admin' });
    expect((await keyCaller(s, admin.key).post('/api/backends/install', { backend: 'openai_agents' })).body).toEqual({ status: 'ok' });
    // GET /api/backends is a settings read.
    expect((await keyCaller(s, chat.key).get('/api/backends')).status).toBe(403);
    const reader = await createKey(s, { name: 'reader', scopes: ['settings:read'] });
    expect((await keyCaller(s, reader.key).get('/api/backends')).status).toBe(200);
    const bad = await s.request('/api/backends/install', { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: 'Invalid JSON body' });
  });
});
