import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../src/lib/errors.js';
import { PRESETS } from '../../src/mcp/preset-catalogue.js';
import { registerPresetRoutes, type PresetServers } from '../../src/mcp/preset-routes.js';
import { listPresets, presetToConfig } from '../../src/mcp/presets.js';
import type { McpServerConfig } from '../../src/mcp/types.js';
import { startMcpRoutesServer, type McpRoutesServer } from '../helpers/mcp-oauth/pocketpaw.js';

const LISTING_KEYS = ['id', 'name', 'description', 'icon', 'category', 'package', 'transport', 'url', 'docs_url', 'needs_args', 'oauth', 'installed', 'env_keys'];

describe('preset catalogue', () => {
  it("holds PocketPaw's presets, each id once, in the listing shape of spec §3.10", () => {
    expect(PRESETS.length).toBeGreaterThanOrEqual(55);
    expect(new Set(PRESETS.map((p) => p.id)).size).toBe(PRESETS.length);
    for (const item of listPresets([])) {
      for (const key of LISTING_KEYS) expect(item, `${item.id}.${key}`).toHaveProperty(key);
      for (const k of item.env_keys) expect(Object.keys(k).sort()).toEqual(['key', 'label', 'placeholder', 'required', 'secret']);
      expect(item.transport === 'stdio' ? item.url === '' : item.url.startsWith('https://'), item.id).toBe(true);
    }
  });

  it('keeps the facts PocketPaw clients rely on', () => {
    const byId = new Map(listPresets([]).map((p) => [p.id, p]));
    expect(byId.get('github')).toMatchObject({ transport: 'http', url: 'https://api.githubcopilot.com/mcp/', oauth: true, package: '' });
    expect(byId.get('inspo')).toMatchObject({ transport: 'http', oauth: false, env_keys: [] });
    expect(byId.get('slack')!.env_keys.map((k) => k.key)).toEqual(['SLACK_BOT_TOKEN', 'SLACK_TEAM_ID']);
    expect(byId.get('contentful')!.env_keys.find((k) => k.key === 'ENVIRONMENT_ID')).toMatchObject({ required: false, secret: false });
    expect(byId.get('filesystem')!.needs_args).toBe(true);
  });

  it('marks installed presets by server name, and says which need a package registry', () => {
    const list = listPresets(['github', 'not-a-preset', 'time']);
    expect(list.filter((p) => p.installed).map((p) => p.id).sort()).toEqual(['github', 'time']);
    const byId = new Map(list.map((p) => [p.id, p]));
    expect(byId.get('playwright')).toMatchObject({ source: 'npm' });
    expect(byId.get('playwright')!.note).toMatch(/npm registry.*network access/);
    expect(byId.get('git')).toMatchObject({ source: 'pypi' });
    expect(byId.get('git')!.note).toMatch(/PyPI.*network access/);
    expect(byId.get('notion')).toMatchObject({ source: 'remote' });
    expect(byId.get('google-workspace')).toMatchObject({ source: 'local' });
  });

  it('turns a preset into a server config named after it', () => {
    expect(presetToConfig('filesystem', {}, ['/srv/notes'])).toEqual({
      name: 'filesystem', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/notes'],
      url: '', env: {}, enabled: true, timeout: 30,
      // It downloads itself on first start: the sandbox gives it the proxied network.
      sandbox: { network: true },
    });
    expect(presetToConfig('notion').sandbox).toBeUndefined();
    expect(presetToConfig('notion')).toMatchObject({ name: 'notion', transport: 'http', command: '', args: [], url: 'https://mcp.notion.com/mcp', oauth: true });
    expect(presetToConfig('time')).toMatchObject({ command: 'uvx', args: ['mcp-server-time'], sandbox: { network: true } });
    // A blank optional key is dropped rather than overriding the server's default.
    expect(presetToConfig('contentful', { CONTENTFUL_MANAGEMENT_ACCESS_TOKEN: 'CFPAT-x', SPACE_ID: 's', ENVIRONMENT_ID: '' }).env)
      .toEqual({ CONTENTFUL_MANAGEMENT_ACCESS_TOKEN: 'CFPAT-x', SPACE_ID: 's' });
  });

  it("refuses with PocketPaw's messages", () => {
    expect(() => presetToConfig('nope')).toThrow(new NotFoundError('Unknown preset: nope'));
    expect(() => presetToConfig('twilio', { TWILIO_API_KEY: 'SKx', TWILIO_API_SECRET: '  ' }))
      .toThrow(new InvalidInputError('Missing required env vars: TWILIO_ACCOUNT_SID, TWILIO_API_SECRET'));
  });
});

class FakeServers implements PresetServers {
  names: string[] = [];
  added: McpServerConfig[] = [];
  next: { connected: boolean; tools: { name: string; description: string }[]; error?: string } = { connected: true, tools: [] };
  configured() {
    return this.names;
  }
  async add(config: McpServerConfig) {
    this.added.push(config);
    if (!this.names.includes(config.name)) this.names.push(config.name);
  }
  async connectNow() {
    return this.next;
  }
}

describe('preset routes', () => {
  let s: McpRoutesServer;
  const servers = new FakeServers();
  beforeAll(async () => {
    s = await startMcpRoutesServer((app) => registerPresetRoutes(app, { servers }));
  });
  afterAll(() => s.close());
  beforeEach(() => {
    servers.names = [];
    servers.added = [];
    servers.next = { connected: true, tools: [] };
  });

  it('lists the catalogue on both families, installed from the configured names', async () => {
    servers.names = ['sentry'];
    for (const prefix of ['/api', '/api/v1']) {
      const res = await s.get(`${prefix}/mcp/presets`);
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(PRESETS.length);
      expect(res.body.filter((p: { installed: boolean }) => p.installed).map((p: { id: string }) => p.id)).toEqual(['sentry']);
    }
  });

  it('installs: saves the config, starts it, answers with its tools and the registry note', async () => {
    servers.next = { connected: true, tools: [{ name: 'search', description: 'Search issues', extra: 1 } as never] };
    const res = await s.post('/api/mcp/presets/install', { preset_id: 'linear', env: { LINEAR_API_KEY: 'lin_api_abc' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', connected: true, tools: [{ name: 'search', description: 'Search issues' }], source: 'npm' });
    expect(res.body.tools[0]).not.toHaveProperty('extra');
    expect(res.body.note).toMatch(/npx -y mcp-linear.*npm registry.*network access/);
    expect(servers.added).toEqual([expect.objectContaining({ name: 'linear', command: 'npx', args: ['-y', 'mcp-linear'], env: { LINEAR_API_KEY: 'lin_api_abc' } })]);
  });

  it('says why a server did not start, without the values the owner typed', async () => {
    servers.next = { connected: false, tools: [], error: 'connect failed: mongodb+srv://alice:hunter2-very-secret@db.example/x refused' };
    const conn = 'mongodb+srv://alice:hunter2-very-secret@db.example/x';
    const res = await s.post('/api/v1/mcp/presets/install', { preset_id: 'mongodb', env: { MDB_MCP_CONNECTION_STRING: conn } });
    expect(res.body).toMatchObject({ status: 'ok', connected: false, tools: [] });
    expect(res.body.error).toContain('connect failed');
    expect(res.text).not.toContain('hunter2');
  });

  it('refuses unknown presets and missing env vars: {"error"} on /api, {"detail"} on /api/v1', async () => {
    expect(await s.post('/api/mcp/presets/install', { preset_id: 'nope' })).toMatchObject({ status: 404, body: { error: 'Unknown preset: nope' } });
    expect(await s.post('/api/v1/mcp/presets/install', { preset_id: 'nope' })).toMatchObject({ status: 404, body: { detail: 'Unknown preset: nope' } });
    expect(await s.post('/api/mcp/presets/install', { preset_id: 'slack', env: {} }))
      .toMatchObject({ status: 400, body: { error: 'Missing required env vars: SLACK_BOT_TOKEN, SLACK_TEAM_ID' } });
    expect(await s.post('/api/v1/mcp/presets/install', { preset_id: 'slack', env: { SLACK_TEAM_ID: 'T1' } }))
      .toMatchObject({ status: 400, body: { detail: 'Missing required env vars: SLACK_BOT_TOKEN' } });
    expect(await s.post('/api/v1/mcp/presets/install', { env: {} })).toMatchObject({ status: 400, body: { detail: "Missing 'preset_id' field" } });
    expect(await s.post('/api/mcp/presets/install', { preset_id: 'time', env: { A: 1 } })).toMatchObject({ status: 400, body: { error: 'env values must be strings' } });
    expect(await s.post('/api/mcp/presets/install', { preset_id: 'filesystem', extra_args: '/etc' })).toMatchObject({ status: 400 });
    expect(servers.added).toEqual([]);
  });

  it('is admin-only: no credential is 401, a chat-scoped key 403', async () => {
    expect((await s.remote('/api/mcp/presets')).status).toBe(401);
    expect((await s.remote('/api/v1/mcp/presets/install', { method: 'POST', json: { preset_id: 'time' } })).status).toBe(401);
    const { key } = s.ctx.apiKeys.create('chat only', ['chat'], null);
    expect((await s.remote('/api/mcp/presets', { headers: { authorization: `Bearer ${key}` } })).status).toBe(403);
    expect((await s.remote('/api/mcp/presets', { headers: { authorization: `Bearer ${s.token}` } })).status).toBe(200);
    expect(servers.added).toEqual([]);
  });
});
