import { HttpError } from './errors.js';

/** For raw-body routes (spec §1.3): the body must be a JSON object. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'Invalid JSON body');
  }
  return body as Record<string, unknown>;
}
