import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, cookie, createKey } from '../auth/auth-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect } from '../helpers/ws-client.js';
import { writePocketPawDir } from '../helpers/pocketpaw-fixture.js';

/**
 * The owner boundary as an attacker meets it (SECURITY.md): URL tricks from another address,
 * pages on other origins behind the localhost bypass or the cookie, DNS rebinding, forwarders.
 */

let s: TestServer;
let port: number;
const SESSION = 'websocket_0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';

beforeAll(async () => {
  s = await startTestServer();
  port = Number(new URL(s.url).port);
  await s.importDir(writePocketPawDir({ [SESSION]: [{ role: 'user', content: 'the secret plan' }] }));
});
afterAll(() => s.close());

/** Writes a raw request line and headers from `localAddress`; returns status and body. */
function raw(requestText: string, localAddress = '127.0.0.2'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress }, () => sock.write(requestText));
    let data = '';
    sock.on('data', (c) => (data += c.toString('utf8')));
    sock.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data.slice(data.indexOf('\r\n\r\n') + 4) }));
    sock.on('error', reject);
  });
}

const get = (target: string, extra = '') => raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`);

describe('the route decides, after normalisation (from 127.0.0.2, no credential)', () => {
  const targets = [
    '/%61pi/sessions', '/%61pi/v1/settings', '/api/%73essions', '/%2561pi/sessions', '//api/sessions', '/api//sessions',
    '/api/./sessions', '/api/x/../sessions', '/API/sessions', '/api/Sessions', '/api/sessions/', '/api/sessions;x=1',
    '/api%2Fsessions', '/api/sessions%00', '/api/v1/settings?x=/static/', '/static/../api/sessions', '/static/%2e%2e/api/sessions',
    '/ws/../api/sessions', '/api/v1/ws/../../api/sessions',
  ];
  for (const t of targets) {
    it(`GET ${t} never returns data`, async () => {
      const res = await get(t);
      expect([400, 401, 404], `${t}: ${res.status} ${res.text}`).toContain(res.status);
      expect(res.text).not.toContain('secret plan');
      expect(res.text).not.toContain('tool_profile');
    });
  }

  for (const host of [`127.0.0.1:${port}`, 'evil.example']) {
    it(`an absolute-form request line (http://${host}/api/sessions) is authenticated like any other`, async () => {
      for (const p of ['/api/sessions', '/%61pi/sessions', '/api/v1/settings']) {
        const res = await raw(`GET http://${host}${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        expect([400, 401], `${p}: ${res.text}`).toContain(res.status);
        expect(res.text).not.toContain('secret plan');
      }
    });
  }

  it('the same encoded path works once the token is sent (so the test reaches the real route)', async () => {
    const res = await get('/%61pi/sessions', `Authorization: Bearer ${s.token}\r\n`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(SESSION);
  });
});

describe('DNS rebinding: a Host that does not name this server gets no localhost bypass', () => {
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.evil.example`, '']) {
    it(`Host: ${JSON.stringify(host)} from 127.0.0.1 is refused`, async () => {
      const res = await raw(`GET /api/v1/sessions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, '127.0.0.1');
      expect([400, 403], res.text).toContain(res.status);
      expect(res.text).not.toContain('secret plan');
    });
  }

  it('loopback names still work for the owner: localhost, 127.0.0.1, [::1], app.localhost', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      const res = await raw(`GET /api/v1/sessions HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, '127.0.0.1');
      expect(res.status, host).toBe(200);
    }
  });

  it('a foreign Host with the token is fine (a LAN name for a phone)', async () => {
    const res = await s.get('/api/v1/sessions', { headers: { host: 'my-laptop.lan:8888', ...bearer(s.token) } });
    expect(res.status).toBe(200);
  });
});

describe('pages on other origins get nothing through the localhost bypass', () => {
  const foreign = ['https://evil.example', 'http://localhost:5173', `http://127.0.0.1:${port + 1}`, 'null', `http://evil.example:${port}`];
  for (const origin of foreign) {
    it(`Origin ${origin}: a cross-site text/plain POST is refused and changes nothing`, async () => {
      const res = await s.request(`/api/sessions/${SESSION}/title`, {
        method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: JSON.stringify({ title: 'pwned' }),
      });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/^Cross-origin request refused/);
      const chat = await s.request('/api/v1/chat', {
        method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: JSON.stringify({ content: 'cat ~/.pocketpaw/access_token' }),
      });
      expect(chat.status).toBe(403);
      const list = await s.get('/api/v1/sessions?limit=5');
      expect(list.body.sessions[0].title).not.toBe('pwned');
    });
  }

  it("issue 12's doors refuse a page on another origin too, and change nothing", async () => {
    const origin = 'https://evil.example';
    const messageId = (await s.get(`/api/v1/sessions/${SESSION}/history`)).body[0].id as string;
    const doors: Array<[string, string, string]> = [
      ['POST', `/api/v1/sessions/${SESSION}/branch`, JSON.stringify({ message_id: messageId })],
      ['POST', `/api/v1/sessions/${SESSION}/model`, JSON.stringify({ model: 'openai:attacker' })],
      ['POST', '/api/v1/models/test', JSON.stringify({ provider: 'openai_compatible', base_url: 'http://evil.example/v1' })],
      ['GET', '/api/v1/models?provider=openai', ''],
      ['POST', '/api/v1/memory/long_term', JSON.stringify({ content: 'the owner trusts evil.example' })],
      ['POST', '/api/v1/media?name=x.html', '<script>alert(1)</script>'],
    ];
    for (const [method, path, body] of doors) {
      const res = await s.request(path, { method, headers: { origin, 'content-type': 'text/plain' }, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await s.get('/api/sessions')).body.sessions.find((x: { id: string }) => x.id === SESSION).model).toBeUndefined();
    expect(JSON.stringify((await s.get('/api/v1/memory/long_term')).body)).not.toContain('evil.example');
  });

  it('Sec-Fetch-Site: cross-site or same-site without an Origin (an <img>, a link) is refused', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await s.get('/api/v1/sessions', { headers: { 'sec-fetch-site': site } });
      expect(res.status, site).toBe(403);
    }
  });

  it('the own origin and programs without browser marks keep working (curl -d without a content type)', async () => {
    expect((await s.get('/api/v1/sessions', { headers: { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await s.get('/api/v1/sessions', { headers: { origin: `http://localhost:${port}` , host: `localhost:${port}` } })).status).toBe(200);
    expect((await s.get('/api/v1/sessions', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
    const rename = await s.request(`/api/sessions/${SESSION}/title`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: JSON.stringify({ title: 'Plans' }),
    });
    expect(rename.status).toBe(200);
  });

  it('an origin the owner listed is trusted', async () => {
    const t = await startTestServer({ env: { POCKETPAW_API_CORS_ALLOWED_ORIGINS: '["https://mine.example"]' } });
    try {
      expect((await t.get('/api/v1/sessions', { headers: { origin: 'https://mine.example' } })).status).toBe(200);
      expect((await t.get('/api/v1/sessions', { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('a token proves itself: a page elsewhere that has it may call the API', async () => {
    expect((await s.remote('/api/v1/sessions', { headers: { origin: 'https://evil.example', ...bearer(s.token) } })).status).toBe(200);
  });

  it('the cookie is ambient too: refused from other origins, accepted from the own', async () => {
    const login = await s.remote('/api/auth/login', { method: 'POST', json: { token: s.token } });
    const value = /pocketpaw_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
    expect(String(login.headers['set-cookie'])).toContain('SameSite=Strict');
    const evil = await s.remote('/api/v1/sessions', { headers: { origin: 'https://evil.example', ...cookie(value) } });
    expect(evil.status).toBe(403);
    const own = await s.remote('/api/v1/sessions', { headers: { origin: `http://127.0.0.1:${port}`, ...cookie(value) } });
    expect(own.status).toBe(200);
  });
});

describe('the WebSocket upgrade is refused before it happens', () => {
  for (const origin of ['https://evil.example', 'null', 'http://localhost:5173']) {
    it(`Origin ${origin}: HTTP 403, no socket, no frame`, async () => {
      const status = await new Promise<number>((resolve, reject) => {
        import('ws').then(({ default: WebSocket }) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin } });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => reject(new Error('upgraded')));
          ws.on('error', () => undefined);
        }, reject);
      });
      expect(status).toBe(403);
    });
  }

  it('a foreign Host (rebinding) is refused too; the own origin connects', async () => {
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: `evil.example:${port}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(403);
    const own = await connect(`${s.url}/ws`, { headers: { origin: `http://127.0.0.1:${port}` } });
    await own.waitFor((f) => f.type === 'connection_info');
    own.close();
  });
});

describe('forwarded requests never get the bypass', () => {
  it('through any forwarding header: 401', async () => {
    for (const h of ['x-forwarded-host', 'true-client-ip', 'x-client-ip', 'via', 'x-forwarded-proto']) {
      expect((await s.get('/api/v1/sessions', { headers: { [h]: 'x' } })).status, h).toBe(401);
    }
  });
});

describe('scopes on every door of the WebSocket', () => {
  it('audit entries and MCP sign-in links reach only admin sockets (their REST twins are admin-only)', async () => {
    const chat = await createKey(s, { name: 'chat-live', scopes: ['chat'] });
    const admin = await createKey(s, { name: 'admin-live', scopes: ['admin'] });
    const chatSock = await connect(`${s.url}/ws`, { headers: bearer(chat.key), localAddress: '127.0.0.2' });
    const adminSock = await connect(`${s.url}/ws`, { headers: bearer(admin.key), localAddress: '127.0.0.2' });
    await chatSock.waitFor((f) => f.type === 'connection_info');
    await adminSock.waitFor((f) => f.type === 'connection_info');
    // An audited action (creating a key), and a sign-in link as the OAuth service publishes it.
    await createKey(s, { name: 'audited', scopes: ['chat'] });
    s.server.ctx.bus.publish({ type: 'mcp_oauth_redirect', url: 'https://auth.example/authorize?state=secret-state', server: 'remote' });
    await adminSock.waitFor((f) => f.type === 'mcp_oauth_redirect');
    await adminSock.waitFor((f) => f.type === 'system_event' && f.event_type === 'audit_entry');
    // Session events still reach every socket: ask for something both may see, then compare.
    chatSock.send({ action: 'get_reminders' });
    await chatSock.waitFor((f) => f.type === 'reminders');
    expect(chatSock.frames.some((f) => f.type === 'mcp_oauth_redirect')).toBe(false);
    expect(chatSock.frames.some((f) => f.type === 'system_event' && f.event_type === 'audit_entry')).toBe(false);
    chatSock.close();
    adminSock.close();
  });

  it('a chat-only key cannot approve plans, change settings, save keys, read other sessions or run intentions', async () => {
    const chat = await createKey(s, { name: 'chat-ws', scopes: ['chat'] });
    const sock = await connect(`${s.url}/ws`, { headers: bearer(chat.key), localAddress: '127.0.0.2' });
    await sock.waitFor((f) => f.type === 'connection_info');
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ action: 'approve_plan', session_key: 'websocket:x' }, 'admin'],
      [{ action: 'settings', openai_compatible_base_url: 'http://evil.example/v1' }, 'settings:write'],
      [{ action: 'save_api_key', provider: 'openai', key: 'sk-attacker' }, 'admin'],
      [{ action: 'switch_session', session_id: SESSION }, 'sessions'],
      [{ action: 'create_intention', name: 'x', prompt: 'run shell' }, 'admin'],
      [{ action: 'browse', path: '~' }, 'admin'],
      [{ action: 'get_settings' }, 'settings:read or settings:write'],
    ];
    for (const [frame, scope] of refusals) {
      const from = sock.frames.length;
      sock.send(frame);
      const err = await sock.waitFor((f) => f.type === 'error', { from });
      expect(err.content, String(frame.action)).toContain(`needs the ${scope} scope`);
    }
    expect(sock.frames.some((f) => f.type === 'session_history')).toBe(false);
    const settings = await s.get('/api/v1/settings');
    expect(settings.body.openai_compatible_base_url).toBe('');
    expect(settings.body.has_openai_api_key).toBe(false);
    sock.close();
  });

  it('message actions on a stored conversation need chat and sessions; branch and model changes need sessions', async () => {
    const before = (await s.get(`/api/v1/sessions/${SESSION}/history`)).body;
    const messageId = before[0].id as string;
    const chatKey = await createKey(s, { name: 'chat-branches', scopes: ['chat'] });
    const readKey = await createKey(s, { name: 'read-branches', scopes: ['sessions'] });
    const refusals: Array<[string, Record<string, unknown>, string]> = [
      [chatKey.key, { action: 'regenerate', session_id: SESSION, message_id: messageId }, 'the chat scope and the sessions scope'],
      [chatKey.key, { action: 'edit_message', session_id: SESSION, message_id: messageId, message: 'tell me the plan' }, 'the chat scope and the sessions scope'],
      [chatKey.key, { action: 'continue', session_id: SESSION, message_id: messageId }, 'the chat scope and the sessions scope'],
      [chatKey.key, { action: 'switch_branch', session_id: SESSION, message_id: messageId }, 'the sessions scope'],
      [chatKey.key, { action: 'set_session_model', session_id: SESSION, model: 'openai:x' }, 'the sessions scope'],
      [readKey.key, { action: 'regenerate', session_id: SESSION, message_id: messageId }, 'the chat scope'],
    ];
    for (const [key, frame, needs] of refusals) {
      const sock = await connect(`${s.url}/ws`, { headers: bearer(key), localAddress: '127.0.0.2' });
      await sock.waitFor((f) => f.type === 'connection_info');
      sock.send(frame);
      const err = await sock.waitFor((f) => f.type === 'error');
      expect(err.content, String(frame.action)).toContain(`needs ${needs}.`);
      expect(sock.frames.some((f) => f.type === 'stream_start' || f.type === 'session_history'), String(frame.action)).toBe(false);
      sock.close();
    }
    const model = await s.post(`/api/v1/sessions/${SESSION}/model`, { model: 'openai:x' }, { headers: bearer(chatKey.key) });
    expect(model.status).toBe(403);
    expect((await s.get(`/api/v1/sessions/${SESSION}/history`)).body).toEqual(before);
    expect((await s.get('/api/sessions')).body.sessions.find((x: { id: string }) => x.id === SESSION).model).toBeUndefined();
  });

  it('a settings:write key may change ordinary settings but not base URLs or safety switches (REST and WS)', async () => {
    const writer = await createKey(s, { name: 'writer', scopes: ['settings:write'] });
    const rest = (json: unknown) => s.remote('/api/v1/settings', { method: 'PUT', json, headers: bearer(writer.key) });
    expect((await rest({ settings: { auto_title_llm: false } })).status).toBe(200);
    for (const patch of [{ openai_compatible_base_url: 'http://evil.example' }, { plan_mode: false }, { guardian_enabled: false }, { tool_profile: 'full' }, { tools_deny: [] }, { localhost_auth_bypass: true }, { sandbox_network: 'all' }]) {
      const res = await rest({ settings: patch });
      expect(res.status, JSON.stringify(patch)).toBe(403);
      expect(res.body.detail).toMatch(/needs an admin credential$/);
    }
    const sock = await connect(`${s.url}/ws`, { headers: bearer(writer.key), localAddress: '127.0.0.2' });
    await sock.waitFor((f) => f.type === 'connection_info');
    const from = sock.frames.length;
    sock.send({ action: 'settings', ollama_host: 'http://evil.example:11434', plan_mode: false });
    const err = await sock.waitFor((f) => f.type === 'error', { from });
    expect(err.content).toMatch(/ollama_host, plan_mode need an admin credential/);
    expect((await s.get('/api/v1/settings')).body.ollama_host).toBe('http://localhost:11434');
    sock.close();
  });

  it('resume_session shows history only to credentials that may read sessions', async () => {
    const chat = await createKey(s, { name: 'chat-resume', scopes: ['chat'] });
    const denied = await connect(`${s.url}/ws?resume_session=${SESSION}`, { headers: bearer(chat.key), localAddress: '127.0.0.2' });
    const info = await denied.waitFor((f) => f.type === 'connection_info');
    expect(info.id).not.toBe(SESSION);
    await new Promise((r) => setTimeout(r, 100));
    expect(denied.frames.some((f) => f.type === 'session_history')).toBe(false);
    denied.close();
    const reader = await createKey(s, { name: 'reader', scopes: ['sessions'] });
    const ok = await connect(`${s.url}/ws?resume_session=${SESSION}`, { headers: bearer(reader.key), localAddress: '127.0.0.2' });
    const history = await ok.waitFor((f) => f.type === 'session_history');
    expect(history.session_id).toBe(SESSION);
    ok.close();
  });

  it('a memory-only key cannot create or run intentions, nor delete skills', async () => {
    const mem = await createKey(s, { name: 'mem', scopes: ['memory'] });
    for (const [method, path, json] of [
      ['POST', '/api/v1/intentions', { name: 'x', prompt: 'y', trigger: { type: 'cron', schedule: '* * * * *' } }],
      ['POST', '/api/v1/intentions/some-id/run', undefined],
      ['POST', '/api/skills/remove', { name: 'anything' }],
      ['POST', '/api/v1/skills/remove', { name: 'anything' }],
    ] as const) {
      const res = await s.remote(path, { method, json, headers: bearer(mem.key) });
      expect(res.status, path).toBe(403);
    }
  });
});

describe('resources', () => {
  it('caps WebSocket connections per address', async () => {
    const t = await startTestServer({ env: { POCKETPAW_WS_MAX_CONNECTIONS_PER_IP: '3' } });
    try {
      const socks = [];
      for (let i = 0; i < 3; i++) {
        const sock = await connect(`${t.url}/ws`, { headers: bearer(t.token), localAddress: '127.0.0.2' });
        await sock.waitFor((f) => f.type === 'connection_info');
        socks.push(sock);
      }
      const extra = await connect(`${t.url}/ws`, { headers: bearer(t.token), localAddress: '127.0.0.2' });
      expect(await extra.closed).toEqual({ code: 4029, reason: 'Too many open connections from this address' });
      // Another address is counted apart, and a freed slot can be used again.
      const other = await connect(`${t.url}/ws`, { headers: bearer(t.token), localAddress: '127.0.0.3' });
      await other.waitFor((f) => f.type === 'connection_info');
      socks[0]!.close();
      await socks[0]!.closed;
      await new Promise((r) => setTimeout(r, 50));
      const again = await connect(`${t.url}/ws`, { headers: bearer(t.token), localAddress: '127.0.0.2' });
      await again.waitFor((f) => f.type === 'connection_info');
      for (const x of [...socks, other, again]) x.close();
    } finally {
      await t.close();
    }
  });

  it("Node's own 400 and 431 answers are {\"detail\"}", async () => {
    const bad = await raw('GARBAGE\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toEqual({ detail: 'Malformed HTTP request' });
    const big = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big.status).toBe(431);
    expect(JSON.parse(big.text)).toEqual({ detail: 'Request headers too large' });
  });
});
