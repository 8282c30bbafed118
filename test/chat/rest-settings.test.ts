import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createKey } from '../auth/auth-helpers.js';
import { startChatServer, type ChatTestEnv } from '../helpers/chat-server.js';
import { textReply } from '../helpers/fake-llm/index.js';
import { startTestServer } from '../helpers/server.js';
import { chatBlocking } from './rest-helpers.js';

// Spec §3.5, §9.1, §9.2.

const SETTINGS = '/api/v1/settings';
const ANTHROPIC_KEY = 'sk-ant-api03-SETTINGS-TEST-never-returned-0123456789';
const SECRET_FIELDS = [
  'telegram_bot_token', 'openai_api_key', 'anthropic_api_key', 'openai_compatible_api_key', 'discord_bot_token',
  'slack_bot_token', 'slack_app_token', 'whatsapp_access_token', 'whatsapp_verify_token', 'tavily_api_key',
  'brave_search_api_key', 'parallel_api_key', 'elevenlabs_api_key', 'google_api_key', 'google_oauth_client_id',
  'google_oauth_client_secret', 'spotify_client_id', 'spotify_client_secret', 'matrix_access_token', 'matrix_password',
  'teams_app_id', 'teams_app_password', 'gchat_service_account_key', 'sarvam_api_key',
];

let env: ChatTestEnv;
beforeAll(async () => {
  // OpenAI is the active provider (keys from the fake); an Anthropic key is merely configured.
  env = await startChatServer('openai', { env: { POCKETPAW_ANTHROPIC_API_KEY: ANTHROPIC_KEY } });
});
afterAll(() => env.close());
beforeEach(() => env.fake.reset());

const put = (body: unknown, headers: Record<string, string> = {}) => env.s.request(SETTINGS, { method: 'PUT', json: body, headers });
const configJson = () => JSON.parse(fs.readFileSync(path.join(env.s.home, 'config.json'), 'utf8')) as Record<string, unknown>;
const configText = () => (fs.existsSync(path.join(env.s.home, 'config.json')) ? fs.readFileSync(path.join(env.s.home, 'config.json'), 'utf8') : '');

describe('GET /api/v1/settings', () => {
  it('returns non-secret settings and has_<secret> flags, never a secret value', async () => {
    const res = await env.s.get(SETTINGS);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      llm_provider: 'openai', openai_model: 'gpt-test', ollama_host: expect.any(String), web_port: expect.any(Number),
      compaction_recent_window: 10, compaction_char_budget: 8000, tool_profile: 'full',
      has_anthropic_api_key: true, has_openai_api_key: true, has_openai_compatible_api_key: false,
    });
    for (const field of SECRET_FIELDS) expect(res.body, field).not.toHaveProperty(field);
    expect(res.text).not.toContain(ANTHROPIC_KEY);
    expect(res.text).not.toContain('sk-test-openai');
    expect(res.text).not.toContain('SETTINGS-TEST');
  });
});

describe('PUT /api/v1/settings', () => {
  it('accepts {"settings": {...}} and the flat form; GET and config.json reflect both', async () => {
    const wrapped = await put({ settings: { anthropic_model: 'claude-wrapped', plan_mode: true } });
    expect(wrapped.status, wrapped.text).toBe(200);
    expect(wrapped.body).toEqual({ status: 'ok' });
    const flat = await put({ ollama_model: 'llama-flat', compaction_recent_window: 12 });
    expect(flat.status, flat.text).toBe(200);
    expect(flat.body).toEqual({ status: 'ok' });
    const now = (await env.s.get(SETTINGS)).body;
    expect(now).toMatchObject({ anthropic_model: 'claude-wrapped', plan_mode: true, ollama_model: 'llama-flat', compaction_recent_window: 12 });
    expect(configJson()).toMatchObject({ anthropic_model: 'claude-wrapped', plan_mode: true, ollama_model: 'llama-flat', compaction_recent_window: 12 });
    const mode = fs.statSync(path.join(env.s.home, 'config.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('ignores unknown and _-prefixed keys', async () => {
    const res = await put({ settings: { no_such_setting: 1, _internal: 'x', _openai_model: 'sneaky', tts_voice: 'nova' } });
    expect(res.status, res.text).toBe(200);
    const now = (await env.s.get(SETTINGS)).body;
    expect(now.tts_voice).toBe('nova');
    expect(now).not.toHaveProperty('no_such_setting');
    expect(now).not.toHaveProperty('_internal');
    expect(now.openai_model).not.toBe('sneaky');
    expect(configJson()).not.toHaveProperty('no_such_setting');
    expect(configJson()).not.toHaveProperty('_internal');
    // Only unknown keys: still ok, nothing changes.
    const before = configText();
    const only = await put({ totally_unknown: true });
    expect(only.status).toBe(200);
    expect(configText()).toBe(before);
  });

  it('a type-invalid value → 400 "<field>: <reason>" and nothing of the request is saved', async () => {
    const before = (await env.s.get(SETTINGS)).body;
    const beforeFile = configText();
    const secretsFile = path.join(env.s.home, 'secrets.json');
    const secretsBefore = fs.existsSync(secretsFile) ? fs.readFileSync(secretsFile, 'utf8') : null;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ web_port: 'eighty', tts_voice: 'shimmer' }, 'web_port'],
      [{ settings: { plan_mode: 'yes' } }, 'plan_mode'],
      [{ llm_provider: 'skynet' }, 'llm_provider'],
      [{ compaction_char_budget: 1.5 }, 'compaction_char_budget'],
      [{ api_cors_allowed_origins: 'https://a.example' }, 'api_cors_allowed_origins'],
      [{ anthropic_api_key: 12345 }, 'anthropic_api_key'],
    ];
    for (const [body, field] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.body)).toEqual(['detail']);
      expect(res.body.detail).toMatch(new RegExp(`^${field}: \\S`));
    }
    expect((await env.s.get(SETTINGS)).body).toEqual(before);
    expect(configText()).toBe(beforeFile);
    expect(fs.existsSync(secretsFile) ? fs.readFileSync(secretsFile, 'utf8') : null).toBe(secretsBefore);
  });

  it('a body that is not a JSON object → 400', async () => {
    const malformed = await env.s.request(SETTINGS, { method: 'PUT', body: '{"settings": ', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ detail: 'Invalid JSON body' });
    const array = await put([1, 2]);
    expect(array.status).toBe(400);
  });

  it('secrets go to secrets.json (mode 600), never config.json, and GET only shows has_<name>', async () => {
    const secret = 'sk-compat-SECRET-0123456789abcdef';
    const res = await put({ settings: { openai_compatible_api_key: secret, openai_compatible_model: 'compat-x' } });
    expect(res.status, res.text).toBe(200);
    const secretsFile = path.join(env.s.home, 'secrets.json');
    expect(JSON.parse(fs.readFileSync(secretsFile, 'utf8'))).toEqual({ openai_compatible_api_key: secret });
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(configText()).not.toContain(secret);
    expect(configJson().openai_compatible_model).toBe('compat-x');
    const got = await env.s.get(SETTINGS);
    expect(got.body.has_openai_compatible_api_key).toBe(true);
    expect(got.text).not.toContain(secret);
  });

  it('is effective on the next turn', async () => {
    const res = await put({ openai_model: 'gpt-changed-at-runtime' });
    expect(res.status).toBe(200);
    env.fake.enqueue(textReply('ok'));
    await chatBlocking(env.s, { content: 'Which model?' });
    expect(env.fake.requests[0]!.body.model).toBe('gpt-changed-at-runtime');
    // Provider switch at runtime: the next turn goes to the other wire protocol.
    expect((await put({ llm_provider: 'ollama', ollama_host: env.fake.ollamaHost, ollama_model: 'llama-now' })).status).toBe(200);
    await chatBlocking(env.s, { content: 'And now?' });
    expect(env.fake.requests[1]).toMatchObject({ provider: 'ollama', path: '/api/chat' });
    expect(env.fake.requests[1]!.body.model).toBe('llama-now');
    expect((await put({ llm_provider: 'openai' })).status).toBe(200);
  });

  it('scopes: settings:read may GET but not PUT; settings:write may PUT', async () => {
    const reader = await createKey(env.s, { name: 'reader', scopes: ['settings:read'] });
    const writer = await createKey(env.s, { name: 'writer', scopes: ['settings:write'] });
    const chatOnly = await createKey(env.s, { name: 'chat', scopes: ['chat'] });
    expect((await env.s.remote(SETTINGS, { headers: bearer(reader.key) })).status).toBe(200);
    expect((await env.s.remote(SETTINGS, { headers: bearer(writer.key) })).status).toBe(200);
    const denied = await env.s.remote(SETTINGS, { method: 'PUT', json: { tts_voice: 'echo' }, headers: bearer(reader.key) });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'API key missing required scope: settings:write' });
    const noRead = await env.s.remote(SETTINGS, { headers: bearer(chatOnly.key) });
    expect(noRead.status).toBe(403);
    expect(noRead.body).toEqual({ detail: 'API key missing required scope: settings:read or settings:write' });
    expect((await env.s.get(SETTINGS)).body.tts_voice).not.toBe('echo');
    const allowed = await env.s.remote(SETTINGS, { method: 'PUT', json: { tts_voice: 'echo' }, headers: bearer(writer.key) });
    expect(allowed.status).toBe(200);
    expect((await env.s.get(SETTINGS)).body.tts_voice).toBe('echo');
  });
});

describe('persistence across restarts', () => {
  it('saved settings and secrets are read back by the next server on the same data dir', async () => {
    const first = await startTestServer();
    const secret = 'sk-persist-0123456789abcdefghij';
    const res = await first.request(SETTINGS, { method: 'PUT', json: { anthropic_model: 'claude-persisted', anthropic_api_key: secret } });
    expect(res.status, res.text).toBe(200);
    await first.server.close(); // keep the data dir
    const second = await startTestServer({ home: first.home });
    try {
      const got = await second.get(SETTINGS);
      expect(got.body).toMatchObject({ anthropic_model: 'claude-persisted', has_anthropic_api_key: true });
      expect(got.text).not.toContain(secret);
    } finally {
      await second.close();
    }
  });
});
