import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError, PROBLEM_CONTENT_TYPE, problemType } from '@auditstack/audit-core';

/** Paths never rate limited or shed: probes must tell the truth under load. */
const PROBE_PATHS = new Set(['/ping', '/ready', '/metrics']);

/** Seconds a shed request is told to wait. */
export const SHED_RETRY_AFTER_SECONDS = 2;

function pathOf(request: FastifyRequest): string {
  return (request.url ?? '').split('?')[0] ?? '';
}

/**
 * The key a request is counted under: the API token (hashed: the limiter's
 * store never holds a credential) or, without one, the client address.
 * Hostile callers sending random tokens only fill the limiter's bounded LRU.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0)
    return `token:${createHash('sha256').update(authorization).digest('base64url').slice(0, 32)}`;
  return `ip:${request.ip}`;
}

/**
 * Registers the per-token rate limit (429 + Retry-After) and load shedding
 * (503 + Retry-After when the event loop lags), both answering RFC 9457
 * problems, both skipping the probes. Must run before the app's routes are
 * registered (i.e. before `listen`/`init`).
 */
export async function registerHttpProtection(
  app: NestFastifyApplication,
  options: {
    rateLimitPerMinute: number;
    shedEventLoopDelayMs: number;
    /** How often the event-loop delay is sampled. @defaultValue 1000 */ shedSampleIntervalMs?: number;
  },
): Promise<void> {
  if (options.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      cache: 10_000,
      keyGenerator: rateLimitKey,
      allowList: (request) => PROBE_PATHS.has(pathOf(request)),
      errorResponseBuilder: (_request, context) =>
        new DomainError(
          'RATE_LIMITED',
          `more than ${context.max} requests per minute for this token; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))} s`,
          {
            retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
          },
        ),
    });
  }
  if (options.shedEventLoopDelayMs > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: options.shedEventLoopDelayMs,
      sampleInterval: options.shedSampleIntervalMs ?? 1000,
      retryAfter: SHED_RETRY_AFTER_SECONDS,
      pressureHandler: (request, reply) => {
        if (PROBE_PATHS.has(pathOf(request))) return; // a probe is answered normally
        const instance = pathOf(request);
        void reply
          .code(503)
          .header('retry-after', String(SHED_RETRY_AFTER_SECONDS))
          .header('content-type', PROBLEM_CONTENT_TYPE)
          .send(
            JSON.stringify({
              type: problemType('OVERLOADED'),
              title: 'Service overloaded',
              status: 503,
              detail: `the service is shedding load; retry in ${SHED_RETRY_AFTER_SECONDS} s`,
              code: 'OVERLOADED',
              retry_after_seconds: SHED_RETRY_AFTER_SECONDS,
              instance,
            }),
          );
      },
    });
  }
}
