/**
 * Domain errors: what services, stores and the CLI throw when a request cannot be done. Each
 * names what went wrong in words safe to show the user; the transports map them once
 * (`server/errors.ts` to HTTP statuses, `ws/errors.ts` to error frames). Anything else thrown is
 * a bug, and its message never reaches a client.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
}

/** The input is wrong; the message says how to fix it. */
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
}

/** The thing named does not exist (or is not visible to this caller). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The caller may not do this with the credential it has. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** The server cannot do it now (an unreadable data file, a missing dependency); the message says what to do. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}
