import type { Problem } from '@auditstack/audit-core';

/** What went wrong in the SDK; each code is stable and machine-readable. */
export type ClientErrorCode =
  /** The service answered with an error status (see {@link ApiError}). */
  | 'HTTP_ERROR'
  /** No answer: connection refused or reset, DNS failure. */
  | 'NETWORK_ERROR'
  /** No answer within `timeoutMs`. */
  | 'TIMEOUT'
  /** The caller aborted the request. */
  | 'ABORTED'
  /** A 2xx body that does not match the route's response schema (a contract mismatch between SDK and service). */
  | 'INVALID_RESPONSE'
  /** The request could not be built (e.g. a path parameter is missing). */
  | 'INVALID_REQUEST'
  /** The emitter's buffer is full and its overflow policy is `throw`. */
  | 'BUFFER_FULL'
  /** The emitter was closed. */
  | 'CLOSED';

/**
 * The one error class the SDK throws: a stable `code`, a message that names
 * the route and the cause, never the token.
 */
export class ClientError<C extends ClientErrorCode = ClientErrorCode> extends Error {
  override readonly name: string = 'ClientError';

  constructor(
    readonly code: C,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/**
 * An error answer of a service, parsed as an RFC 9457 problem. When the body
 * is not a problem document (a proxy's HTML page), `problem` is synthesised
 * from the status with `code: HTTP_<status>`.
 */
export class ApiError extends ClientError<'HTTP_ERROR'> {
  override readonly name = 'ApiError';

  constructor(
    /** `GET /v1/whoami`: which call failed. */
    readonly operation: string,
    readonly status: number,
    readonly problem: Problem,
    /** Delay the service asked for (`Retry-After` header, else `retry_after_seconds`), in milliseconds. */
    readonly retryAfterMs: number | undefined,
  ) {
    super('HTTP_ERROR', `${operation} → ${status} ${problem.code}${problem.detail ? `: ${problem.detail}` : ''}`);
  }
}
