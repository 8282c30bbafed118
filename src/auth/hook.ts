import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { Limiters } from '../ratelimit/limiters.js';
import { rateLimitHeaders } from '../ratelimit/token-bucket.js';
import { isPublicRoute, requiredScope } from './access.js';
import { checkBrowserOrigin, hasForwardingHeader, isOwnerPeer, isOwnHost } from './browser-boundary.js';
import { bearerOf, cookieValue, isAmbient, type AuthInfo, type CredentialChecker } from './credentials.js';
import { hasScope } from './scopes.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthInfo | null;
  }
  interface FastifyContextConfig {
    /** Scopes an API key needs for this route (any one of them); none declared means `admin` (src/auth/access.ts). */
    scope?: readonly string[];
    /** Use the stricter `auth` limiter (spec §2.6). */
    authLimiter?: boolean;
    /** A public route that still wants to know whether a valid credential came with the request. */
    identify?: boolean;
    /** A WebSocket endpoint: its own limiter, its own 4003 close, and per-action scopes (spec §2.5). */
    socket?: boolean;
  }
}

export const SESSION_COOKIE = 'pocketpaw_session';

export interface AuthHookDeps {
  settings: () => Settings;
  limiters: Limiters | null;
  credentials: CredentialChecker;
  /** The address the server was told to listen on: a `Host` naming it is this server. */
  listenHost?: string;
}

/**
 * A WebSocket handshake on a WebSocket route. Only there is a request without a credential
 * left to the socket handler (which closes it with 4003); anywhere else it is an ordinary request.
 */
export function isSocketHandshake(request: FastifyRequest): boolean {
  return request.routeOptions.config?.socket === true && request.ws === true;
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

/** The first `pp_`/`ppat_` entry of Sec-WebSocket-Protocol: a credential some clients send there. */
export function subprotocolCredential(header: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? header.join(',') : header ?? '';
  return raw.split(',').map((p) => p.trim()).find((p) => p.startsWith('pp_') || p.startsWith('ppat_'));
}

export class AuthRefusal extends Error {
  constructor(readonly status: 401 | 403, message: string) {
    super(message);
  }
}

/**
 * Who sent this request: a credential it carries, or the localhost bypass. Ambient credentials
 * (cookie, bypass) count only when no page on another origin could have sent the request
 * (src/auth/browser-boundary.ts). Returns null when there is no credential at all; throws
 * AuthRefusal when one was refused for a reason the caller should say.
 */
export function authenticate(request: FastifyRequest, deps: AuthHookDeps): AuthInfo | null {
  const settings = deps.settings();
  const auth = deps.credentials.check({
    queryToken: queryTokenOf(request.query),
    bearer: bearerOf(request.headers),
    cookie: cookieValue(request.headers, SESSION_COOKIE),
    subprotocol: isSocketHandshake(request) ? subprotocolCredential(request.headers['sec-websocket-protocol']) : undefined,
  });
  if (auth) {
    if (isAmbient(auth)) {
      const verdict = checkBrowserOrigin(request.headers, settings.api_cors_allowed_origins);
      if (!verdict.ok) throw new AuthRefusal(403, verdict.detail);
    }
    return auth;
  }
  // Spec §2.4, tightened: the owner's loopback address, nothing relayed, a Host that names this
  // server (DNS rebinding), and no page on another origin behind it.
  if (!settings.localhost_auth_bypass || !isOwnerPeer(request.socket.remoteAddress) || hasForwardingHeader(request.headers)) {
    return null;
  }
  if (!isOwnHost(request.headers.host, deps.listenHost)) {
    throw new AuthRefusal(403, `Host '${String(request.headers.host ?? '')}' does not name this server, so the localhost sign-in does not apply (DNS rebinding protection). Open PocketPaw at http://127.0.0.1 or http://localhost, or send the access token`);
  }
  const verdict = checkBrowserOrigin(request.headers, settings.api_cors_allowed_origins);
  if (!verdict.ok) throw new AuthRefusal(403, verdict.detail);
  return { kind: 'localhost', via: 'localhost' };
}

function deny(reply: FastifyReply, status: number, detail: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers(headers).send({ detail });
}

/**
 * The HTTP authentication algorithm of spec §2.2 and the scope check of §2.3, decided on the
 * route that matched (src/auth/access.ts). WebSocket upgrades are authenticated here too, before
 * the upgrade; a request without any credential is left for the socket to close with 4003
 * (spec §2.5), and its actions check their own scopes.
 */
export function registerAuth(app: FastifyInstance, deps: AuthHookDeps): void {
  app.decorateRequest('auth', null);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') return;
    if (isPublicRoute(request.method, request.routeOptions.url)) {
      // No credential needed. A route that answers more to a known caller (the health probe)
      // asks for `identify`; the rest (static assets) skip the credential check altogether.
      if (request.routeOptions.config?.identify) {
        try {
          request.auth = authenticate(request, deps);
        } catch {
          request.auth = null;
        }
      }
      return;
    }

    const socket = isSocketHandshake(request);
    const limiter = socket ? null : request.routeOptions.config?.authLimiter ? deps.limiters?.auth : deps.limiters?.api;
    let limitHeaders: Record<string, string> = {};
    if (limiter) {
      const decision = limiter.take(request.ip);
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) return deny(reply, 429, 'Too many requests', limitHeaders);
    }

    let auth: AuthInfo | null;
    try {
      auth = authenticate(request, deps);
    } catch (err) {
      if (err instanceof AuthRefusal) return deny(reply, err.status, err.message, limitHeaders);
      throw err;
    }
    if (auth?.kind === 'api_key' && deps.limiters && !socket) {
      const decision = deps.limiters.apiKey.take(auth.keyId!);
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed) return deny(reply, 429, 'API key rate limit exceeded', limitHeaders);
    }
    reply.headers(limitHeaders);
    request.auth = auth;
    if (!auth) {
      if (socket) return; // closed with 4003 by the socket handler (spec §2.5)
      return deny(reply, 401, 'Unauthorized');
    }
    // Before the body is parsed or validated: a key that may not call a route gets 403, never a
    // 400/422 that describes the route's input.
    const required = requiredScope(request.routeOptions.config?.scope);
    if (auth.scopes && !hasScope(auth.scopes, required)) {
      return deny(reply, 403, `API key missing required scope: ${[...required].sort().join(' or ')}`);
    }
  });
}
