import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.js';
import { locateJsonError } from './json-error.js';
import type { ValidationDetail } from './validation.js';

export const BODY_LIMIT = 1024 * 1024;

/**
 * Malformed JSON sent to a typed route (one with a zod `body` schema, i.e. a pydantic model in
 * PocketPaw): FastAPI's 422 `json_invalid` (spec §1.3), answered by the error handler.
 */
export class JsonInvalidError extends Error {
  readonly detail: ValidationDetail[];
  constructor(text: string) {
    const { pos, msg } = locateJsonError(text);
    super('JSON decode error');
    this.detail = [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error: msg } }];
  }
}

/**
 * JSON bodies are read whatever the Content-Type says (PocketPaw's handlers call
 * `request.json()`, so `curl -d` without a header works there too). An empty body is "no body"
 * rather than an error, so POSTs that take nothing accept `Content-Type: application/json`.
 * Malformed JSON: 422 `json_invalid` on typed routes, 400 `Invalid JSON body` on raw-body routes.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(req.routeOptions.schema?.body ? new JsonInvalidError(text) : new HttpError(400, 'Invalid JSON body'));
    }
  };
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, parse);
}
