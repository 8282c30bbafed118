import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import { HttpError } from '../http/errors.js';
import type { Limiters } from '../ratelimit/limiters.js';
import { rateLimitHeaders } from '../ratelimit/token-bucket.js';
import { requireObjectBody } from '../http/body.js';
import { ANY_CREDENTIAL } from './access.js';
import type { ApiKeyStore, PublicApiKey } from './api-keys.js';
import { bearerOf, cookieValue, type CredentialChecker } from './credentials.js';
import { SESSION_COOKIE } from './hook.js';
import type { MasterToken } from './master-token.js';
import { pythonSetRepr, VALID_SCOPES, type Scope } from './scopes.js';

export interface AuthRouteDeps {
  settings: () => Settings;
  master: MasterToken;
  apiKeys: ApiKeyStore;
  credentials: CredentialChecker;
  limiters: Limiters | null;
  /** Audit trail for key changes; a later issue writes it to audit.jsonl. */
  audit: (action: string, target: string, context?: Record<string, unknown>) => void;
}

const tags = ['auth'];
const admin = { scope: ['admin'] } as const;
const QR_TOKEN_TTL_HOURS = 1;

const createKeyBody = z.object({
  name: z.string().min(1, 'String should have at least 1 character').max(100, 'String should have at most 100 characters'),
  scopes: z.array(z.string()).optional(),
  expires_at: z.string().refine((s) => /(Z|[+-]\d{2}:?\d{2})$/i.test(s.trim()) && Number.isFinite(Date.parse(s)), {
    message: 'expires_at must be an ISO-8601 time with a UTC offset, e.g. 2027-01-01T00:00:00+00:00',
  }).nullable().optional(),
});

const keyIdParams = z.object({ key_id: z.string() });

function keyResponse(key: string, record: PublicApiKey) {
  return { key, id: record.id, name: record.name, prefix: record.prefix, scopes: record.scopes, created_at: record.created_at, expires_at: record.expires_at };
}

/**
 * Reached over TLS: directly, or through a proxy the owner listed in `trusted_proxies` that says
 * so in X-Forwarded-Proto (anyone else could send that header).
 */
function overTls(request: FastifyRequest, settings: Settings): boolean {
  if (request.protocol === 'https') return true;
  const peer = request.socket.remoteAddress ?? '';
  const proto = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase();
  return proto === 'https' && settings.trusted_proxies.includes(peer.replace(/^::ffff:/, ''));
}

/** Strict: no other site's page or link makes the browser send it. Secure behind TLS. */
function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

function takeAuthLimit(deps: AuthRouteDeps, request: FastifyRequest): void {
  if (!deps.limiters) return;
  const decision = deps.limiters.auth.take(request.ip);
  if (!decision.allowed) throw new HttpError(429, 'Too many requests', rateLimitHeaders(decision));
}

/** Spec §3.2: session tokens, cookie login/logout, token regeneration, QR login, API keys. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthRouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const path of ['/api/auth/session', '/api/v1/auth/session']) {
    r.post(path, {
      config: { authLimiter: path === '/api/auth/session', scope: ['admin'] },
      schema: { tags, summary: 'Exchange the master token for a session token' },
    }, async (req) => {
      const bearer = bearerOf(req.headers);
      if (!bearer || !deps.master.matches(bearer)) throw new HttpError(401, 'Invalid master token');
      const ttl = deps.settings().session_token_ttl_hours;
      return { session_token: deps.credentials.issueSessionToken(ttl), expires_in_hours: ttl };
    });
  }

  for (const path of ['/api/auth/login', '/api/v1/auth/login']) {
    r.post(path, { schema: { tags, summary: 'Log a browser in: credential → HttpOnly session cookie' } }, async (req, reply) => {
      // Login is exempt from the general limiter (spec §2.2), so guessing is throttled here.
      takeAuthLimit(deps, req);
      const body = requireObjectBody(req.body);
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      let accepted = token !== '' && deps.credentials.isOwnerToken(token) !== null;
      const method = token.startsWith('pp_') ? 'api_key' : 'token';
      if (!accepted && token.startsWith('pp_')) {
        // Only an admin key may become a full-access cookie (spec §10 item 3).
        accepted = deps.apiKeys.verify(token)?.scopes.includes('admin') ?? false;
      }
      deps.audit(accepted ? 'login_success' : 'login_failure', 'dashboard_login', { ip: req.ip, method, user_agent: req.headers['user-agent'] ?? '' });
      if (!accepted) throw new HttpError(401, 'Invalid access token');
      const ttl = deps.settings().session_token_ttl_hours;
      reply.header('set-cookie', sessionCookie(deps.credentials.issueSessionToken(ttl), Math.round(ttl * 3600), overTls(req, deps.settings())));
      return { ok: true };
    });
  }

  for (const path of ['/api/auth/logout', '/api/v1/auth/logout']) {
    r.post(path, { config: { scope: ANY_CREDENTIAL }, schema: { tags, summary: 'Log out: revoke the session cookie on the server and delete it' } }, async (req, reply) => {
      // Revoked server-side, so a copy of the cookie (another tab, a stolen one) stops working too.
      const cookie = cookieValue(req.headers, SESSION_COOKIE);
      if (cookie && deps.credentials.revokeSession(cookie)) deps.audit('logout', 'dashboard_login', { ip: req.ip });
      reply.header('set-cookie', sessionCookie('', 0, overTls(req, deps.settings())));
      return { ok: true };
    });
  }

  for (const path of ['/api/qr', '/api/v1/qr']) {
    r.get(path, { config: admin, schema: { tags, summary: 'QR code that logs a phone in for one hour' } }, async (req, reply) => {
      const host = req.headers.host ?? `127.0.0.1:${deps.settings().web_port}`;
      const scheme = host.includes('trycloudflare') ? 'https' : 'http';
      const url = `${scheme}://${host}/?token=${deps.credentials.issueSessionToken(QR_TOKEN_TTL_HOURS)}`;
      const { default: QRCode } = await import('qrcode'); // on first use, not at start-up (issue 14)
      const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
      return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(png);
    });
  }

  for (const path of ['/api/token/regenerate', '/api/v1/token/regenerate']) {
    r.post(path, { config: admin, schema: { tags, summary: 'Replace the master token (signs every session out)' } }, async () => {
      const token = deps.master.regenerate();
      deps.audit('token_regenerated', 'access_token');
      return { token };
    });
  }

  r.post('/api/v1/auth/api-keys', { config: admin, schema: { tags, summary: 'Create an API key (shown once)', body: createKeyBody } }, async (req) => {
    const scopes = req.body.scopes ?? ['chat', 'sessions'];
    const invalid = [...new Set(scopes.filter((s) => !(VALID_SCOPES as readonly string[]).includes(s)))];
    if (invalid.length) throw new HttpError(400, `Invalid scopes: ${pythonSetRepr(invalid)}`);
    const { key, record } = deps.apiKeys.create(req.body.name, scopes as Scope[], req.body.expires_at ?? null);
    deps.audit('api_key_created', `key:${record.id}`, { key_name: record.name, scopes: record.scopes });
    return keyResponse(key, record);
  });

  r.get('/api/v1/auth/api-keys', { config: admin, schema: { tags, summary: 'List API keys (never the keys themselves)' } }, async () =>
    deps.apiKeys.list().map((k) => ({
      id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, created_at: k.created_at,
      last_used_at: k.last_used_at, expires_at: k.expires_at, revoked: k.revoked,
    })));

  r.delete('/api/v1/auth/api-keys/:key_id', { config: admin, schema: { tags, summary: 'Revoke an API key', params: keyIdParams } }, async (req) => {
    const revoked = deps.apiKeys.revoke(req.params.key_id);
    if (!revoked) throw new HttpError(404, 'API key not found or already revoked');
    deps.audit('api_key_revoked', `key:${revoked.id}`, { key_name: revoked.name });
    return { status: 'ok' };
  });

  r.post('/api/v1/auth/api-keys/:key_id/rotate', { config: admin, schema: { tags, summary: 'Revoke a key and issue a new one with the same name and scopes', params: keyIdParams } }, async (req) => {
    const old = deps.apiKeys.revoke(req.params.key_id);
    if (!old) throw new HttpError(404, 'API key not found or already revoked');
    deps.audit('api_key_revoked', `key:${old.id}`, { key_name: old.name, reason: 'rotated' });
    const { key, record } = deps.apiKeys.create(old.name, old.scopes as Scope[], null);
    deps.audit('api_key_created', `key:${record.id}`, { key_name: record.name, scopes: record.scopes });
    return keyResponse(key, record);
  });
}
