import type { FastifyInstance, FastifyReply } from 'fastify';
import type { McpOAuth } from '../types.js';
import { CALLBACK_PATH } from './public-url.js';
import { OAuthSignInError } from './service.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A page with no script, no outside resource and nothing from the request in it. */
function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}h1{font-size:1.3rem}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body>
</html>
`;
}

function sendPage(reply: FastifyReply, status: number, title: string, message: string) {
  // The url held the code: no cache keeps the page (the referrer is cut in the route's onSend).
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page(title, message));
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * `GET /api/mcp/oauth/callback?code&state` (and `/api/v1/...`), where the authorization server
 * sends the owner's browser back (spec §3.10). Public: the browser arrives from another site
 * without our credential. It only finishes a flow the owner started, named by an unguessable
 * state that works once and expires (src/mcp/oauth/pending-flows.ts). The page never echoes
 * the request; the route logs at `warn` only, so the url with its code is not in the access log.
 */
export function registerOAuthCallbackRoute(app: FastifyInstance, oauth: Pick<McpOAuth, 'complete'>): void {
  for (const prefix of ['/api', '/api/v1']) {
    app.get(`${prefix}${CALLBACK_PATH.slice('/api'.length)}`, {
      logLevel: 'warn',
      // After the app's security headers (route hooks run after global ones): no referrer, ever.
      onSend: async (_req, reply, payload) => {
        reply.header('referrer-policy', 'no-referrer');
        return payload;
      },
      schema: { tags: ['mcp'], summary: 'Where the browser returns after signing in to a remote MCP server (public)' },
    }, async (req, reply) => {
      const query = (req.query ?? {}) as Record<string, unknown>;
      const code = single(query.code);
      const state = single(query.state);
      if (!code || !state) {
        return sendPage(reply, 400, 'Sign-in not completed', 'The link is missing its code or state. Start the sign-in again from PocketPaw.');
      }
      let server: string | null;
      try {
        server = await oauth.complete(code, state);
      } catch (err) {
        if (!(err instanceof OAuthSignInError)) throw err;
        req.log.warn({ server: err.server }, 'MCP sign-in: the authorization server refused the code');
        return sendPage(reply, 400, 'Sign-in not completed', `The sign-in to ${err.server} could not be completed. Start it again from PocketPaw.`);
      }
      if (server === null) {
        return sendPage(reply, 400, 'Sign-in not completed', 'This sign-in link is unknown, expired or already used. Start the sign-in again from PocketPaw.');
      }
      return sendPage(reply, 200, 'Signed in', `${server} is connected to PocketPaw. You can close this tab.`);
    });
  }
}
