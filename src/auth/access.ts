import type { Scope } from './scopes.js';

/**
 * Who may call a route. Decided on the route that matched (after the router decoded and
 * normalised the URL), never on a prefix of the raw URL: `/%61pi/sessions` and
 * `GET http://host/api/sessions` reach the same route, and the same rule.
 *
 * - A route is public only when it is listed in PUBLIC_ROUTES below.
 * - Otherwise it declares `config.scope`: the scopes a scoped credential (API key) needs, any
 *   one of them. `[]` means any credential (the WebSocket, whose actions check their own).
 * - A route that declares nothing is `admin`-only.
 */
export type RouteScope = readonly Scope[];

export const DEFAULT_SCOPE: RouteScope = ['admin'];
/** Any valid credential; the handler checks finer scopes itself (the WebSocket's actions). */
export const ANY_CREDENTIAL: RouteScope = [];

/**
 * Every route that answers without a credential, with the reason. Keyed `METHOD url`, `url` as
 * registered (Fastify's route pattern). Nothing else is public.
 */
export const PUBLIC_ROUTES: Readonly<Record<string, string>> = {
  'GET /': 'the dashboard page (it signs in through the API)',
  'GET /static/*': 'the dashboard\'s built assets',
  'GET /api/health': 'health probe (status and failing check names; details need a credential)',
  'GET /api/v1/health': 'health probe (status and failing check names; details need a credential)',
  'POST /api/auth/login': 'sign-in: takes the credential in its body (own rate limit)',
  'POST /api/v1/auth/login': 'sign-in: takes the credential in its body (own rate limit)',
  'GET /api/v1/openapi.json': 'API description (no data)',
  'GET /api/v1/docs': 'API reference page (no data)',
  'GET /api/v1/docs/json': 'API description (no data)',
  'GET /api/v1/docs/yaml': 'API description (no data)',
  'GET /api/v1/docs/static/*': 'API reference page assets',
  'GET /api/v1/docs/static/index.html': 'API reference page',
  'GET /api/v1/docs/static/swagger-initializer.js': 'API reference page script',
  'GET /api/v1/redoc': 'API reference page (no data)',
  // The authorization server sends the owner's browser here from another site, without our
  // credential. Safe to leave open: it only finishes a sign-in the owner started, named by a
  // 256-bit random state that works once and expires after 10 minutes; the code it carries is
  // useless without the PKCE verifier, which never leaves this process; the page echoes nothing.
  // Platforms and scripts call these without our credential; each proves itself instead, in
  // constant time and before the body is parsed: a webhook by its own secret or HMAC signature
  // (spec §3.12), Meta by the verify token (GET) and the app secret's X-Hub-Signature-256 (POST).
  'POST /webhook/inbound/:name': 'inbound webhook: authenticated by the webhook\'s own secret or HMAC signature',
  'GET /webhook/whatsapp': 'WhatsApp webhook verification: answers only the configured verify token',
  'POST /webhook/whatsapp': 'WhatsApp Cloud API events: authenticated by the app secret\'s signature',
  'GET /api/mcp/oauth/callback': 'MCP sign-in return: completes a pending flow by its single-use, expiring state',
  'GET /api/v1/mcp/oauth/callback': 'MCP sign-in return: completes a pending flow by its single-use, expiring state',
};

/** HEAD is GET without a body: public where GET is. */
export function isPublicRoute(method: string, url: string | undefined): boolean {
  return url !== undefined && Object.hasOwn(PUBLIC_ROUTES, `${method === 'HEAD' ? 'GET' : method} ${url}`);
}

/** The scopes a route requires: its declaration, or `admin` when it declared none. */
export function requiredScope(declared: readonly string[] | undefined): readonly string[] {
  return declared ?? DEFAULT_SCOPE;
}
