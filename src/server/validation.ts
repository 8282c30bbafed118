import type { FastifySchemaValidationError } from 'fastify';
import type { ZodError } from 'zod';

/** FastAPI's 422 body (spec §1.3), so PocketPaw clients parse our validation errors. */
export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
  /** Only on `json_invalid` (malformed JSON on a typed body): `{}` and `{"error": <reason>}`. */
  input?: unknown;
  ctx?: Record<string, unknown>;
}

const TYPE_BY_CODE: Record<string, string> = {
  invalid_type: 'type_error',
  too_small: 'value_error',
  too_big: 'value_error',
  invalid_format: 'value_error',
  invalid_value: 'enum',
  unrecognized_keys: 'extra_forbidden',
  custom: 'value_error',
};

export function zodIssuesToDetail(where: string, error: ZodError): ValidationDetail[] {
  return error.issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return {
      loc: [where, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
      msg: missing ? 'Field required' : issue.message,
      type: missing ? 'missing' : (TYPE_BY_CODE[issue.code] ?? issue.code),
    };
  });
}

/** Converts fastify-type-provider-zod's validation errors into FastAPI's shape. */
export function fastifyValidationToDetail(context: string | undefined, errors: FastifySchemaValidationError[]): ValidationDetail[] {
  const where = context === 'querystring' ? 'query' : context === 'params' ? 'path' : (context ?? 'body');
  return errors.map((e) => {
    const params = e.params as { issue?: { path?: PropertyKey[]; code?: string; message?: string } } | undefined;
    const issue = params?.issue;
    const path = issue?.path ?? e.instancePath.split('/').filter(Boolean);
    const message = issue?.message ?? e.message ?? 'Invalid value';
    const missing = /received undefined/.test(message);
    return {
      loc: [where, ...path.map((p) => (typeof p === 'symbol' ? String(p) : (p as string | number)))],
      msg: missing ? 'Field required' : message,
      type: missing ? 'missing' : (TYPE_BY_CODE[issue?.code ?? ''] ?? issue?.code ?? 'value_error'),
    };
  });
}
