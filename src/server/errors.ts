import type { FastifyError, FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { DomainError, type DomainErrorKind } from '../lib/errors.js';
import type { ErrorLog } from '../health/error-log.js';
import { JsonInvalidError } from './body.js';
import { fastifyValidationToDetail } from './validation.js';

/** The one place a domain error becomes an HTTP status. */
const DOMAIN_STATUS: Record<DomainErrorKind, number> = { invalid: 400, not_found: 404, forbidden: 403, unavailable: 500 };

const BODY_TOO_LARGE = 'Request body too large (limit 1 MB)';

/**
 * Every error leaves as `{"detail": …}` (spec §1.3). Client mistakes keep their 4xx; anything
 * else is a bug: logged with its stack, recorded for /api/health/errors, and answered without
 * internals.
 */
export function registerErrorHandling(app: FastifyInstance, errorLog: ErrorLog): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ detail: error.message });
    }
    if (error instanceof DomainError) {
      return reply.code(DOMAIN_STATUS[error.kind]).send({ detail: error.message });
    }
    if (error instanceof JsonInvalidError) {
      return reply.code(422).send({ detail: error.detail });
    }
    if (error.validation) {
      return reply.code(422).send({ detail: fastifyValidationToDetail(error.validationContext, error.validation) });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send({ detail: 'Invalid JSON body' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send({ detail: BODY_TOO_LARGE });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send({ detail: 'Unsupported Content-Type; send application/json' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.code(400).send({ detail: 'Content-Length does not match the body' });
    }
    if (error instanceof SyntaxError || error.statusCode === 400) {
      return reply.code(400).send({ detail: 'Invalid JSON body' });
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ detail: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    errorLog.record({ source: `${request.method} ${request.routeOptions.url ?? request.url}`, message: error.message, stack: error.stack });
    return reply.code(500).send({ detail: 'Internal server error — see the server log and /api/health/errors' });
  });
}

const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers too large'],
  HPE_URI_TOO_LONG: [414, 'Request URI too long'],
};

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (malformed request line, headers
 * too large) still get the `{"detail": …}` shape rather than Node's bare 400.
 */
export function answerClientError(err: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (!socket.writable) return;
  const [status, detail] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Malformed HTTP request'];
  const body = JSON.stringify({ detail });
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 414 ? 'URI Too Long' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
