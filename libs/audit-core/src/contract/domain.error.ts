import type { ProblemFieldError } from './problem.schema';

/**
 * The one error class services throw. `code` is a domain error code defined
 * once per app (its HTTP status and title live in that app's error table);
 * one exception filter maps it to an RFC 9457 problem. Libraries and workers
 * throw it too: it carries no HTTP.
 *
 * @example throw new DomainError('ACTION_NOT_FOUND', `no action ${id}`)
 */
export class DomainError<C extends string = string> extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: C,
    /** Explanation for this occurrence: names the field or the resource, never a secret or a connection detail. */
    readonly detail: string,
    readonly extras: {
      readonly errors?: readonly ProblemFieldError[];
      /** Seconds a client should wait before retrying (sent as `Retry-After`). */
      readonly retryAfterSeconds?: number;
      /** Extra members of the problem body (e.g. `current_state`); must be safe to show the caller. */
      readonly members?: Readonly<Record<string, unknown>>;
    } = {},
  ) {
    super(detail);
  }
}

/** How one domain error code is answered over HTTP. */
export interface DomainErrorSpec {
  readonly status: number;
  readonly title: string;
}

/** An app's error table: every domain error code it throws, defined once. */
export type DomainErrorTable<C extends string = string> = Readonly<Record<C, DomainErrorSpec>>;

/**
 * Codes every service answers with, whatever its domain: validation, auth,
 * routing, rate limiting, load shedding, storage outages and bugs.
 */
export const COMMON_ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'Request validation failed' },
  MALFORMED_BODY: { status: 400, title: 'Malformed request body' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  UNPROCESSABLE: { status: 422, title: 'Request cannot be processed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  RESPONSE_CONTRACT_VIOLATION: { status: 500, title: 'Response did not match its contract' },
  OVERLOADED: { status: 503, title: 'Service overloaded' },
  NOT_READY: { status: 503, title: 'Not ready' },
  STORAGE_UNAVAILABLE: { status: 503, title: 'Storage unavailable' },
} as const satisfies DomainErrorTable;
export type CommonErrorCode = keyof typeof COMMON_ERRORS;
