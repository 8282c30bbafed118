import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake saw, for tests to assert on. */
export interface AuthServerLog {
  registrations: { client_id: string; redirect_uris: string[] }[];
  authorizations: URLSearchParams[];
  /** Token requests, with the outcome. */
  tokenRequests: { params: URLSearchParams; ok: boolean; reason?: string }[];
}

export interface FakeAuthServer {
  url: string;
  log: AuthServerLog;
  /** Access tokens issued so far (the resource server accepts these). */
  isValidToken(token: string): boolean;
  close(): Promise<void>;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  resource: string | null;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * An OAuth 2.1 authorization server written from the specs (RFC 8414 metadata, RFC 7591
 * dynamic registration, RFC 7636 PKCE with S256): `/authorize` signs the user in at once and
 * redirects back with a code; `/token` checks the code's client, redirect uri and verifier,
 * and spends the code.
 */
export async function startFakeAuthServer(): Promise<FakeAuthServer> {
  const clients = new Map<string, string[]>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Set<string>();
  const log: AuthServerLog = { registrations: [], authorizations: [], tokenRequests: [] };
  let base = '';

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    try {
      if (req.method === 'GET' && url.pathname === '/.well-known/oauth-authorization-server') {
        return json(res, 200, {
          issuer: base,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          registration_endpoint: `${base}/register`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code', 'refresh_token'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      }
      if (req.method === 'POST' && url.pathname === '/register') {
        const meta = JSON.parse(await readBody(req)) as { redirect_uris?: string[] };
        if (!Array.isArray(meta.redirect_uris) || meta.redirect_uris.length === 0) return json(res, 400, { error: 'invalid_redirect_uri' });
        const clientId = `client-${crypto.randomBytes(8).toString('hex')}`;
        clients.set(clientId, meta.redirect_uris);
        log.registrations.push({ client_id: clientId, redirect_uris: meta.redirect_uris });
        return json(res, 201, { ...meta, client_id: clientId, client_id_issued_at: Math.floor(Date.now() / 1000) });
      }
      if (req.method === 'GET' && url.pathname === '/authorize') {
        const q = url.searchParams;
        log.authorizations.push(q);
        const redirectUri = q.get('redirect_uri') ?? '';
        const registered = clients.get(q.get('client_id') ?? '');
        if (!registered?.includes(redirectUri)) return json(res, 400, { error: 'invalid_request', error_description: 'unknown client or redirect_uri' });
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
          return json(res, 400, { error: 'invalid_request', error_description: 'PKCE S256 required' });
        }
        const code = crypto.randomBytes(16).toString('hex');
        codes.set(code, { clientId: q.get('client_id')!, redirectUri, challenge: q.get('code_challenge')!, resource: q.get('resource') });
        const back = new URL(redirectUri);
        back.searchParams.set('code', code);
        if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
        res.writeHead(302, { location: back.href }).end();
        return;
      }
      if (req.method === 'POST' && url.pathname === '/token') {
        const params = new URLSearchParams(await readBody(req));
        const refuse = (reason: string) => {
          log.tokenRequests.push({ params, ok: false, reason });
          return json(res, 400, { error: 'invalid_grant', error_description: reason });
        };
        if (params.get('grant_type') !== 'authorization_code') return refuse('unsupported grant');
        const issued = codes.get(params.get('code') ?? '');
        if (!issued) return refuse('unknown or used code');
        codes.delete(params.get('code')!);
        if (issued.clientId !== params.get('client_id')) return refuse('client mismatch');
        if (issued.redirectUri !== params.get('redirect_uri')) return refuse('redirect_uri mismatch');
        const verifier = params.get('code_verifier') ?? '';
        if (crypto.createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) return refuse('PKCE verifier mismatch');
        const accessToken = `at-${crypto.randomBytes(16).toString('hex')}`;
        tokens.add(accessToken);
        log.tokenRequests.push({ params, ok: true });
        return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: `rt-${crypto.randomBytes(16).toString('hex')}` });
      }
      json(res, 404, { error: 'not_found' });
    } catch (err) {
      json(res, 500, { error: 'server_error', error_description: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    log,
    isValidToken: (t) => tokens.has(t),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
