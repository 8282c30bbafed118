import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';

export const BODY_LIMIT = 1024 * 1024;

/**
 * JSON bodies are read whatever the Content-Type says (PocketPaw's handlers call
 * `request.json()`, so `curl -d` without a header works there too). An empty body is "no body"
 * rather than an error, so POSTs that take nothing accept `Content-Type: application/json`.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = (_req: unknown, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HttpError(400, 'Invalid JSON body'));
    }
  };
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, parse);
}

/** For raw-body routes (spec §1.3): the body must be a JSON object. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'Invalid JSON body');
  }
  return body as Record<string, unknown>;
}
