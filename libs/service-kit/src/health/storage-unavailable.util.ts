/**
 * Errors that mean "the storage cannot answer right now" rather than "this
 * request is wrong": PostgreSQL unreachable or shutting down, out of disk or
 * connections, an I/O error; Redis unreachable; a full or read-only disk.
 * They answer 503 with `Retry-After`, never 500.
 */

/** SQLSTATE classes and codes of an unavailable PostgreSQL: connection (08), resources (53), operator intervention (57P), system (58). */
const PG_UNAVAILABLE = /^(08|53|58)|^57P0[1-4]$/;
/** Node/libuv codes of an unreachable peer or an unusable disk. */
const SYSTEM_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EROFS',
]);
/** Messages of `pg` and ioredis errors that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Connection is closed/,
  /^Cannot use a pool after calling end/,
  /^Reached the max retries per request limit/,
];

/** Names of errors our own layers throw for the same condition. */
const UNAVAILABLE_NAMES = new Set(['StorageUnavailableError']);

/** True when `error` (or what it wraps: TypeORM's `driverError`, `cause`) means storage is unavailable. */
export function isStorageUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.name === 'string' && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && (SYSTEM_UNAVAILABLE.has(e.code) || (e.code.length === 5 && PG_UNAVAILABLE.test(e.code)))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(e.message as string))) return true;
  // An AggregateError (e.g. every address of a host refused the connection).
  if (Array.isArray(e.errors) && e.errors.some((inner) => isStorageUnavailable(inner, depth + 1))) return true;
  return isStorageUnavailable(e.driverError, depth + 1) || isStorageUnavailable(e.cause, depth + 1);
}

/** Seconds a client should wait before retrying after a 503. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;
