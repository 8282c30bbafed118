import type { FastifyRequest } from 'fastify';
import { redact } from '../security/redact.js';

/** `token=` query values: a master or session token in a URL must not land in a log file. */
const TOKEN_IN_QUERY = /([?&](?:token|access_token|key)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.includes('=') ? url.replace(TOKEN_IN_QUERY, '$1[REDACTED]') : url;
}

/** Pino's request serializer, with credentials taken out of the URL. */
export function requestForLog(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.headers?.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Pino's error serializer: an error message can quote what a client or a model sent, keys included. */
export function errorForLog(err: Error & { code?: string }) {
  return { type: err?.name ?? 'Error', code: err?.code, message: redact(String(err?.message ?? err)), stack: redact(err?.stack ?? '') };
}
