/**
 * Why a collector helper gave up. Collectors themselves turn these into
 * `error`/`fail` checks; only the exported helpers (SPF parser, JSON path
 * parser) let them escape.
 */
export type CollectorErrorCode = 'SPF_SYNTAX' | 'JSON_PATH_SYNTAX' | 'REQUEST_ABORTED' | 'REQUEST_TLS' | 'REQUEST_NETWORK' | 'EGRESS_DENIED' | 'EGRESS_CONFIG';

/** The one error class of `@auditstack/collectors`, discriminated by {@link CollectorErrorCode}. */
export class CollectorError<C extends CollectorErrorCode = CollectorErrorCode> extends Error {
  override readonly name = 'CollectorError';
  constructor(
    readonly code: C,
    message: string,
    /** The underlying system error code (e.g. `ECONNREFUSED`, `CERT_HAS_EXPIRED`), when there is one. */
    readonly systemCode?: string,
  ) {
    super(message);
  }
}

/** True when `err` is a {@link CollectorError}, optionally with one of `codes`. */
export function isCollectorError<C extends CollectorErrorCode>(err: unknown, ...codes: C[]): err is CollectorError<C> {
  return err instanceof CollectorError && (codes.length === 0 || codes.includes(err.code as C));
}
