import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { Limiters } from '../ratelimit/limiters.js';
import { rateLimitHeaders } from '../ratelimit/token-bucket.js';
import { bearerOf, cookieValue, isGenuineLocalhost, type AuthInfo, type CredentialChecker } from './credentials.js';
import { hasScope } from './scopes.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthInfo | null;
  }
  interface FastifyContextConfig {
    /** Scopes an API key needs for this route (any one of them); spec §2.3. */
    scope?: readonly string[];
    /** Use the stricter `auth` limiter (spec §2.6). */
    authLimiter?: boolean;
  }
}

/** Spec §2.2 step 2: no authentication, no rate limit. */
const EXEMPT_PREFIXES = [
  '/static', '/favicon.ico', '/ws', '/v1/ws', '/api/v1/ws', '/api/auth/login', '/api/v1/auth/login',
  '/api/v1/docs', '/api/v1/redoc', '/api/v1/openapi.json', '/webhook/whatsapp', '/webhook/inbound',
  '/api/whatsapp/qr', '/api/v1/whatsapp/qr', '/oauth/callback', '/api/mcp/oauth/callback',
  '/api/v1/mcp/oauth/callback', '/api/v1/oauth/authorize', '/api/v1/oauth/token',
];

export const SESSION_COOKIE = 'pocketpaw_session';

/** Whole path segments only: `/staticx` does not ride on `/static` (PocketPaw matches raw prefixes). */
export function isExemptPath(path: string): boolean {
  return EXEMPT_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

export interface AuthHookDeps {
  settings: () => Settings;
  limiters: Limiters | null;
  credentials: CredentialChecker;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * `?token=` as PocketPaw reads it (the last value when repeated). Any `?token=` counts as given,
 * so a repeated one cannot smuggle the request past spec §2.2 4b onto the bearer.
 */
function queryTokenOf(query: unknown): string | undefined {
  const raw = (query as Record<string, unknown> | undefined)?.token;
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : String(value);
}

function deny(reply: FastifyReply, status: number, detail: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers(headers).send({ detail });
}

/** The HTTP authentication algorithm of spec §2.2, plus the scope check of §2.3. */
export function registerAuth(app: FastifyInstance, deps: AuthHookDeps): void {
  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') return;
    const path = pathOf(request.url);
    if (isExemptPath(path)) return;

    const limiter = request.routeOptions.config?.authLimiter ? deps.limiters?.auth : deps.limiters?.api;
    let limitHeaders: Record<string, string> = {};
    if (limiter) {
      const decision = limiter.take(request.ip);
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) return deny(reply, 429, 'Too many requests', limitHeaders);
    }

    const queryToken = queryTokenOf(request.query);
    let auth = deps.credentials.check({
      queryToken,
      bearer: bearerOf(request.headers),
      cookie: cookieValue(request.headers, SESSION_COOKIE),
    });
    if (auth?.kind === 'api_key' && deps.limiters) {
      const decision = deps.limiters.apiKey.take(auth.keyId!);
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) return deny(reply, 429, 'API key rate limit exceeded', limitHeaders);
    }
    if (!auth && isGenuineLocalhost(request.socket.remoteAddress, request.headers, deps.settings().localhost_auth_bypass)) {
      auth = { kind: 'localhost' };
    }
    reply.headers(limitHeaders);
    request.auth = auth;
    if (!auth && (path.startsWith('/api') || path.startsWith('/ws'))) {
      return deny(reply, 401, 'Unauthorized');
    }
    // Scope check here, before the body is parsed or validated: a key that may not call a route
    // gets 403, never a 400/422 that describes the route's input.
    const required = request.routeOptions.config?.scope;
    if (required && auth?.scopes && !hasScope(auth.scopes, required)) {
      const list = [...required].sort().join(' or ');
      return deny(reply, 403, `API key missing required scope: ${list}`);
    }
  });
}
