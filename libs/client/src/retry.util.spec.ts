import { ApiError, ClientError } from './client.error';
import { isRetryable, parseRetryAfter, resolveRetry, retryDelay } from './retry.util';

const problem = (status: number) => ({
  type: 'about:blank',
  title: 't',
  status,
  code: `HTTP_${status}`,
});

describe('parseRetryAfter (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
  });

  it('reads an HTTP-date relative to now, never negative', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });

  it.each(['-1', '1.5', 'soon', '99999999999', '', 'Wed, 02 Dec 2026 10:00:05 UTC'])('hostile or malformed header %p is ignored', (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const retry = resolveRetry({
    retries: 5,
    baseDelayMs: 100,
    maxDelayMs: 1000,
  });

  it('full jitter: within [0, base·2^(n-1)], capped at maxDelayMs', () => {
    expect(retryDelay(1, retry, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(3, retry, undefined, () => 0.999)).toBe(399);
    expect(retryDelay(10, retry, undefined, () => 0.999)).toBe(999);
    expect(retryDelay(3, retry, undefined, () => 0)).toBe(0);
  });

  it('never shorter than Retry-After, but a hostile Retry-After is capped at maxDelayMs', () => {
    expect(retryDelay(1, retry, 700, () => 0)).toBe(700);
    expect(retryDelay(1, retry, 86_400_000, () => 0)).toBe(1000);
  });

  it('refuses negative or fractional settings, naming the field', () => {
    expect(() => resolveRetry({ retries: -1 })).toThrow('retry.retries: must be a non-negative integer');
    expect(() => resolveRetry({ baseDelayMs: 1.5 })).toThrow('retry.baseDelayMs');
  });
});

describe('isRetryable', () => {
  it.each([408, 429, 503])('status %i (not acted on) is retried, idempotent or not', (status) => {
    expect(isRetryable(new ApiError('POST /x', status, problem(status), undefined), false)).toBe(true);
  });

  it.each([502, 504])('status %i (a proxy lost the answer: maybe processed) is retried only for an idempotent request', (status) => {
    expect(isRetryable(new ApiError('GET /x', status, problem(status), undefined), true)).toBe(true);
    expect(isRetryable(new ApiError('POST /x', status, problem(status), undefined), false)).toBe(false);
  });

  it.each([400, 401, 403, 404, 409, 413, 422, 500])('status %i is not retried', (status) => {
    expect(isRetryable(new ApiError('GET /x', status, problem(status), undefined), true)).toBe(false);
  });

  it('a lost answer (network error, timeout) is retried only for an idempotent request', () => {
    for (const code of ['NETWORK_ERROR', 'TIMEOUT'] as const) {
      expect(isRetryable(new ClientError(code, 'x'), true)).toBe(true);
      expect(isRetryable(new ClientError(code, 'x'), false)).toBe(false);
    }
    expect(isRetryable(new ClientError('ABORTED', 'x'), true)).toBe(false);
    expect(isRetryable(new Error('x'), true)).toBe(false);
  });
});
