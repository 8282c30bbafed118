import { DomainError } from '../lib/errors.js';

/** What a client sees when an action fails for a reason that is not its own (a bug): no internals. */
export const SERVER_FAILURE = 'That request failed on the server; see the server log.';

/**
 * The one place a failed action becomes the `content` of an error frame: a domain error's own
 * words, or, for anything else, a message that hides internals as the HTTP handler does.
 */
export function errorContent(err: unknown): { content: string; bug: boolean } {
  return err instanceof DomainError ? { content: err.message, bug: false } : { content: SERVER_FAILURE, bug: true };
}
