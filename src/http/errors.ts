/**
 * A refusal that only HTTP has words for (401, 429 with its headers), thrown by routes. Services
 * throw the domain errors of `lib/errors.ts` instead.
 */
export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}
