import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, cookie, createKey, type CreatedKey } from '../auth/auth-helpers.js';
import type { HttpResult } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect } from '../helpers/ws-client.js';

/**
 * The scope matrix (SECURITY.md): every route of the live route table, against every kind of
 * credential, from a non-owner address. The expectations are written out here, route by route,
 * so a new route without a deliberate decision fails this test, and a route whose declaration
 * drifts fails it too.
 */

const PUBLIC = 'public';
const ANY = 'any';
type Expect = typeof PUBLIC | typeof ANY | string[];

const S = ['sessions'];
const M = ['memory'];
const C = ['chat'];
const A = ['admin'];
const SR = ['settings:read', 'settings:write'];

const EXPECTED: Record<string, Expect> = {
  'GET /': PUBLIC,
  'GET /static/*': PUBLIC,
  'GET /api/v1/docs': PUBLIC,
  'GET /api/v1/docs/static/index.html': PUBLIC,
  'GET /api/v1/docs/static/swagger-initializer.js': PUBLIC,
  'GET /api/v1/docs/json': PUBLIC,
  'GET /api/v1/docs/yaml': PUBLIC,
  'GET /api/v1/docs/static/*': PUBLIC,
  'GET /api/v1/openapi.json': PUBLIC,
  'GET /api/v1/redoc': PUBLIC,
  'GET /api/health': PUBLIC,
  'GET /api/v1/health': PUBLIC,
  'POST /api/auth/login': PUBLIC,
  'POST /api/v1/auth/login': PUBLIC,

  'GET /api/sessions': S, 'GET /api/v1/sessions': S, 'GET /api/memory/sessions': S,
  'GET /api/sessions/search': S, 'GET /api/v1/sessions/search': S,
  'POST /api/sessions/:id/title': S, 'POST /api/v1/sessions/:id/title': S,
  'DELETE /api/sessions/:id': S, 'DELETE /api/v1/sessions/:id': S,
  'GET /api/memory/session': S, 'GET /api/v1/sessions/:id/history': S,
  'POST /api/v1/sessions/:id/branch': S, 'POST /api/v1/sessions/:id/model': S,
  'GET /api/memory/session/export': S, 'GET /api/v1/sessions/:id/export': S,

  'POST /api/v1/chat/stream': C, 'POST /api/v1/chat': C, 'POST /api/v1/chat/stop': C,
  // Attachments (spec §4.7): uploading is part of chatting; reading one back is reading a session.
  'POST /api/v1/media': C, 'GET /api/v1/media/:id': S,

  'GET /api/v1/settings': SR, 'PUT /api/v1/settings': ['settings:write'],
  'GET /api/v1/tools/sandbox': SR,
  'GET /api/backends': SR, 'GET /api/v1/backends': SR,
  'POST /api/backends/install': A, 'POST /api/v1/backends/install': A,
  // Model lists and the connection test (spec §4.7): the test can carry a typed key, like a save.
  'GET /api/v1/models': SR, 'POST /api/v1/models/test': ['settings:write'],

  'GET /api/memory/long_term': M, 'GET /api/v1/memory/long_term': M, 'POST /api/v1/memory/long_term': M,
  'DELETE /api/memory/long_term/:entry_id': M, 'DELETE /api/v1/memory/long_term/:entry_id': M,
  'GET /api/memory/settings': M, 'POST /api/memory/settings': M,
  'GET /api/v1/memory/settings': M, 'POST /api/v1/memory/settings': M,
  'GET /api/memory/stats': M, 'GET /api/v1/memory/stats': M,

  'GET /api/audit': A, 'GET /api/v1/audit': A, 'DELETE /api/audit': A, 'DELETE /api/v1/audit': A,
  'POST /api/security-audit': A, 'POST /api/v1/security-audit': A,
  'POST /api/v1/plan/approve': A, 'POST /api/v1/plan/reject': A,

  'GET /api/channels/status': ['channels'], 'GET /api/v1/channels/status': ['channels'],
  // Saving tokens, allow lists or API addresses needs admin too (checked in the handler, like settings).
  'POST /api/channels/save': ['channels'], 'POST /api/v1/channels/save': ['channels'],
  'POST /api/channels/toggle': ['channels'], 'POST /api/v1/channels/toggle': ['channels'],
  // Pairing sets who may drive the agent, webhooks run turns and hold secrets: the owner's.
  'GET /api/telegram/status': A, 'POST /api/telegram/setup': A, 'GET /api/telegram/pairing-status': A,
  'GET /api/v1/telegram/status': A, 'POST /api/v1/telegram/setup': A, 'GET /api/v1/telegram/pairing-status': A,
  'GET /api/webhooks': A, 'POST /api/webhooks/add': A, 'POST /api/webhooks/remove': A, 'POST /api/webhooks/regenerate-secret': A,
  'GET /api/v1/webhooks': A, 'POST /api/v1/webhooks/add': A, 'POST /api/v1/webhooks/remove': A, 'POST /api/v1/webhooks/regenerate-secret': A,
  // Callers that cannot hold our credential prove themselves: the webhook's own secret or HMAC,
  // Meta's verify token and app-secret signature (each tested in test/webhooks and test/channels/whatsapp).
  'POST /webhook/inbound/:name': PUBLIC, 'GET /webhook/whatsapp': PUBLIC, 'POST /webhook/whatsapp': PUBLIC,
  'GET /api/whatsapp/qr': ['channels'], 'GET /api/v1/whatsapp/qr': ['channels'],
  'GET /api/extras/check': ['channels'], 'GET /api/v1/extras/check': ['channels'],
  'POST /api/extras/install': ['channels'], 'POST /api/v1/extras/install': ['channels'],
  'GET /api/identity': A, 'PUT /api/identity': A, 'GET /api/v1/identity': A, 'PUT /api/v1/identity': A,
  'GET /api/skills': C, 'POST /api/skills/reload': C, 'POST /api/skills/remove': A,
  'GET /api/v1/skills': C, 'POST /api/v1/skills/reload': C, 'POST /api/v1/skills/remove': A,
  'GET /api/skills/search': C, 'POST /api/skills/install': A, 'GET /api/v1/skills/search': C, 'POST /api/v1/skills/install': A,
  'GET /api/v1/files/browse': A,
  // MCP servers run programs and reach remote services: the owner's (spec §3.10). The OAuth
  // callback is public: it only completes a flow the owner started (single-use state).
  'GET /api/mcp/status': A, 'POST /api/mcp/add': A, 'POST /api/mcp/remove': A, 'POST /api/mcp/toggle': A, 'POST /api/mcp/test': A,
  'GET /api/mcp/presets': A, 'POST /api/mcp/presets/install': A,
  'GET /api/v1/mcp/status': A, 'POST /api/v1/mcp/add': A, 'POST /api/v1/mcp/remove': A, 'POST /api/v1/mcp/toggle': A, 'POST /api/v1/mcp/test': A,
  'GET /api/v1/mcp/presets': A, 'POST /api/v1/mcp/presets/install': A,
  'GET /api/mcp/oauth/callback': PUBLIC, 'GET /api/v1/mcp/oauth/callback': PUBLIC,
  'GET /api/v1/reminders': C, 'POST /api/v1/reminders': C, 'DELETE /api/v1/reminders/:id': C,
  'GET /api/v1/intentions': C, 'POST /api/v1/intentions': A, 'PATCH /api/v1/intentions/:id': A,
  'DELETE /api/v1/intentions/:id': A, 'POST /api/v1/intentions/:id/toggle': A, 'POST /api/v1/intentions/:id/run': A,

  'GET /ws': ANY, 'GET /api/v1/ws': ANY, 'GET /v1/ws': ANY,

  'POST /api/auth/session': A, 'POST /api/v1/auth/session': A,
  'POST /api/auth/logout': ANY, 'POST /api/v1/auth/logout': ANY,
  'GET /api/qr': A, 'GET /api/v1/qr': A,
  'POST /api/token/regenerate': A, 'POST /api/v1/token/regenerate': A,
  'POST /api/v1/auth/api-keys': A, 'GET /api/v1/auth/api-keys': A,
  'DELETE /api/v1/auth/api-keys/:key_id': A, 'POST /api/v1/auth/api-keys/:key_id/rotate': A,

  'POST /api/health/check': A, 'POST /api/v1/health/check': A,
  'GET /api/health/errors': A, 'GET /api/v1/health/errors': A,
  'DELETE /api/health/errors': A, 'DELETE /api/v1/health/errors': A,
  'GET /api/version': ANY, 'GET /api/v1/version': ANY,
};

const SCOPES = ['chat', 'sessions', 'settings:read', 'settings:write', 'channels', 'memory', 'admin'] as const;

/** Routes whose success would pull the ground from under the rest of the walk. */
const DESTRUCTIVE = new Set(['POST /api/token/regenerate', 'POST /api/v1/token/regenerate', 'POST /api/auth/logout', 'POST /api/v1/auth/logout']);

let s: TestServer;
let keys: Record<string, CreatedKey>;
let session: string;
let cookieToken: string;

beforeAll(async () => {
  s = await startTestServer({ mode: 'dashboard' });
  keys = {};
  for (const scope of SCOPES) keys[scope] = await createKey(s, { name: `k-${scope}`, scopes: [scope] });
  session = (await s.post('/api/auth/session', undefined, { headers: bearer(s.token) })).body.session_token;
  const login = await s.remote('/api/auth/login', { method: 'POST', json: { token: s.token } });
  cookieToken = /pocketpaw_session=([^;]+)/.exec(String(login.headers['set-cookie']))![1]!;
});
afterAll(() => s.close());

/** A concrete path for a route pattern: parameters and wildcards filled with harmless names. */
function concrete(url: string): string {
  return url.replace(/:[a-z_]+/g, 'no-such-thing').replace(/\*$/, 'no-such-file.js');
}

function call(method: string, url: string, headers: Record<string, string> = {}, query = ''): Promise<HttpResult> {
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  return s.remote(`${concrete(url)}${query}`, { method, headers, ...(withBody ? { json: {} } : {}) });
}

/**
 * Refused by the auth boundary (src/auth/hook.ts). A route may refuse on its own terms after
 * that (login checks the token in its body, `/api/auth/session` wants the master token itself).
 */
const denied = (r: HttpResult) =>
  (r.status === 401 && r.body?.detail === 'Unauthorized') || (r.status === 403 && /^API key missing required scope/.test(r.body?.detail));

function routes() {
  return s.server.app.routeTable.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
}

describe('the live route table', () => {
  it('has exactly the routes this test knows, each with the expected declaration', () => {
    const live = routes().map((r) => `${r.method} ${r.url}`).sort();
    expect(live).toEqual(Object.keys(EXPECTED).sort());
    for (const r of routes()) {
      const want = EXPECTED[`${r.method} ${r.url}`]!;
      if (want === PUBLIC) continue;
      // Undeclared counts as admin (src/auth/access.ts).
      expect(r.scope ?? ['admin'], `${r.method} ${r.url}`).toEqual(want === ANY ? [] : want);
    }
  });
});

describe('every HTTP route against every kind of credential (from 127.0.0.2)', () => {
  it('no credential and a wrong one: 401 everywhere but the public routes', async () => {
    let cases = 0;
    for (const r of routes()) {
      const key = `${r.method} ${r.url}`;
      for (const headers of [{}, bearer('wrong-token'), bearer('pp_wrongwrongwrongwrongwrongwrongwrongwrongwro'), cookie('123:abc')]) {
        const res = await call(r.method, r.url, headers);
        cases++;
        if (EXPECTED[key] === PUBLIC) expect(denied(res), key).toBe(false);
        else expect(res.body, `${key} ${JSON.stringify(headers)}`).toEqual({ detail: 'Unauthorized' });
      }
    }
    expect(cases).toBeGreaterThan(300);
  });

  it('each API-key scope: 403 exactly where the route needs another scope', async () => {
    for (const r of routes()) {
      const key = `${r.method} ${r.url}`;
      const want = EXPECTED[key]!;
      if (want === PUBLIC || r.socket) continue;
      for (const scope of SCOPES) {
        const allowed = want === ANY || scope === 'admin' || want.includes(scope);
        if (allowed && DESTRUCTIVE.has(key) && scope !== 'admin') continue;
        if (allowed && key.endsWith('token/regenerate')) continue; // run once, last
        const res = await call(r.method, r.url, bearer(keys[scope]!.key));
        if (allowed) expect(denied(res), `${key} with ${scope}: ${res.status} ${res.text}`).toBe(false);
        else {
          expect(res.status, `${key} with ${scope}`).toBe(403);
          expect(res.body.detail).toMatch(/^API key missing required scope: /);
        }
      }
    }
  });

  it('master token (bearer and ?token=), session token and cookie: never refused', async () => {
    for (const r of routes()) {
      const key = `${r.method} ${r.url}`;
      if (DESTRUCTIVE.has(key) || r.socket) continue;
      const tries: Array<[string, Record<string, string>, string]> = [
        ['master bearer', bearer(s.token), ''],
        ['master query', {}, `?token=${encodeURIComponent(s.token)}`],
        ['session bearer', bearer(session), ''],
        ['cookie', cookie(cookieToken), ''],
      ];
      for (const [what, headers, query] of tries) {
        const res = await call(r.method, r.url, headers, query);
        expect(denied(res), `${key} with ${what}: ${res.status} ${res.text}`).toBe(false);
      }
    }
  });

  it('the WebSocket: no or wrong credential is closed 4003; master, session, cookie and every key get in', async () => {
    for (const path of ['/ws', '/api/v1/ws', '/v1/ws']) {
      for (const headers of [{}, bearer('wrong'), cookie('1:ab')]) {
        const sock = await connect(`${s.url}${path}`, { headers, localAddress: '127.0.0.2' });
        expect((await sock.closed).code, path).toBe(4003);
      }
      const ok: Array<Record<string, string>> = [
        bearer(s.token), bearer(session), cookie(cookieToken), ...SCOPES.map((sc) => bearer(keys[sc]!.key)),
      ];
      for (const headers of ok) {
        const sock = await connect(`${s.url}${path}`, { headers, localAddress: '127.0.0.2' });
        await sock.waitFor((f) => f.type === 'connection_info');
        sock.close();
      }
    }
  });

  it('regenerating the token: admin key only', async () => {
    for (const path of ['/api/token/regenerate', '/api/v1/token/regenerate']) {
      expect((await call('POST', path, bearer(keys.chat!.key))).status).toBe(403);
      const res = await call('POST', path, bearer(keys.admin!.key));
      expect(res.status).toBe(200);
      expect(res.body.token).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
