import { ApiError, ClientError } from './client.error';

/** How failed calls are retried. */
export interface RetryOptions {
  /** Retries after the first attempt. @defaultValue 2 */
  readonly retries?: number;
  /** First backoff delay; doubles each attempt. @defaultValue 200 */
  readonly baseDelayMs?: number;
  /** Largest backoff delay, and largest `Retry-After` honoured. @defaultValue 30000 */
  readonly maxDelayMs?: number;
}

/** {@link RetryOptions} with every default applied. */
export type ResolvedRetry = Required<RetryOptions>;

/** Applies the defaults of {@link RetryOptions}. */
export function resolveRetry(
  options: RetryOptions | undefined,
  defaults: ResolvedRetry = {
    retries: 2,
    baseDelayMs: 200,
    maxDelayMs: 30_000,
  },
): ResolvedRetry {
  const retries = options?.retries ?? defaults.retries;
  const baseDelayMs = options?.baseDelayMs ?? defaults.baseDelayMs;
  const maxDelayMs = options?.maxDelayMs ?? defaults.maxDelayMs;
  for (const [name, value] of Object.entries({
    retries,
    baseDelayMs,
    maxDelayMs,
  })) {
    if (!Number.isInteger(value) || value < 0) throw new ClientError('INVALID_REQUEST', `retry.${name}: must be a non-negative integer`);
  }
  return { retries, baseDelayMs, maxDelayMs };
}

/** Statuses that say "the request was not acted on, try again later" (RFC 9110 §15.5.9 408, RFC 6585 §4 429, RFC 9110 §15.6.4 503). */
const NOT_PROCESSED_STATUSES = new Set([408, 429, 503]);
/** A proxy lost the upstream's answer (RFC 9110 §15.6.3 502, §15.6.5 504): the request may have been processed. */
const LOST_ANSWER_STATUSES = new Set([502, 504]);

/**
 * Whether an error may be retried. `idempotent`: the request may be sent
 * twice without effect (a GET, or an event batch whose events carry
 * `event_id`), so a lost answer (network error, timeout, 502, 504) is retried
 * too; otherwise only answers that say the request was not acted on (408,
 * 429, 503) are.
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof ApiError) return NOT_PROCESSED_STATUSES.has(error.status) || (idempotent && LOST_ANSWER_STATUSES.has(error.status));
  if (error instanceof ClientError) return idempotent && (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT');
  return false;
}

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an
 * HTTP-date. Attacker-controlled input from the network: anything else is
 * ignored (undefined), and the result is never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The delay before retry number `attempt` (1-based): full-jitter exponential
 * backoff (a random delay in [0, base·2^(attempt-1)], capped at `maxDelayMs`),
 * but never shorter than the `Retry-After` the service asked for (itself
 * capped at `maxDelayMs`, so a hostile header cannot park the client).
 */
export function retryDelay(attempt: number, retry: ResolvedRetry, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const backoff = Math.floor(random() * ceiling);
  if (retryAfterMs === undefined) return backoff;
  return Math.min(retry.maxDelayMs, Math.max(retryAfterMs, backoff));
}

/** The `Retry-After` delay carried by an error, if any. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ApiError ? error.retryAfterMs : undefined;
}

/** Waits `ms`, or rejects with `ABORTED` when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClientError('ABORTED', 'aborted'));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ClientError('ABORTED', 'aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
