import { z } from 'zod';
import { AUTHENTICATED_ERRORS, defineRoute, PUBLIC_ERRORS } from './route.contract';

/** Routes both services answer: the probes, the metrics scrape and `whoami`. */

/** A readiness check's verdict: a fixed word, never a host, path or error text. */
export const ReadinessCheckSchema = z
  .string()
  .regex(/^[a-z_]{1,32}$/)
  .meta({ description: 'A fixed word: up, down, fallback_spooling, …', example: 'up' });

export const PingResponseSchema = z
  .object({
    status: z.literal('ok'),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'What the service reports about itself (with `?details=true`).' }),
  })
  .meta({ id: 'Ping' });

export const ReadyResponseSchema = z
  .object({ status: z.literal('ready'), checks: z.record(z.string(), ReadinessCheckSchema) })
  .meta({ id: 'Ready', example: { status: 'ready', checks: { database: 'up', redis: 'up' } } });

export const WhoamiResponseSchema = z
  .object({
    name: z.string().meta({ description: 'The token name.' }),
    principal: z.string().meta({ description: 'Who the token acts for.' }),
    entitlements: z.array(z.string()).meta({ description: 'What the token may do.' }),
    workspace_id: z.string().nullable().meta({ description: 'The workspace the token is scoped to; null for fleet-wide tokens.' }),
  })
  .meta({ id: 'Whoami' });
export type WhoamiResponse = z.output<typeof WhoamiResponseSchema>;

export const COMMON_ROUTES = {
  ping: defineRoute({
    operationId: 'ping',
    method: 'GET',
    path: '/ping',
    summary: 'Liveness probe',
    description:
      'Answers `{"status":"ok"}` while the process serves HTTP, whatever its dependencies; `?details=true` adds what the service reports about itself. No token needed.',
    tags: ['health'],
    auth: 'public',
    query: z.object({ details: z.enum(['true', 'false']).optional().meta({ description: 'true: include service details.' }) }),
    response: { description: 'The service is up.', schema: PingResponseSchema },
    errors: [400, ...PUBLIC_ERRORS],
  }),
  ready: defineRoute({
    operationId: 'ready',
    method: 'GET',
    path: '/ready',
    summary: 'Readiness probe',
    description:
      'Ready when the service can do its work; otherwise a 503 problem (`code: NOT_READY`) with `Retry-After` and the `checks` member. Each check is a fixed word. No token needed.',
    tags: ['health'],
    auth: 'public',
    response: { description: 'Ready.', schema: ReadyResponseSchema },
    errors: [...PUBLIC_ERRORS],
  }),
  metrics: defineRoute({
    operationId: 'metrics',
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics',
    description: 'Prometheus text exposition format 0.0.4. No token needed, like every scrape target.',
    tags: ['health'],
    auth: 'public',
    response: { description: 'The service metrics.', contentType: 'text/plain; version=0.0.4; charset=utf-8' },
    errors: [...PUBLIC_ERRORS],
  }),
  whoami: defineRoute({
    operationId: 'whoami',
    method: 'GET',
    path: '/v1/whoami',
    summary: 'Who the bearer token is',
    description: 'The token name, principal, entitlements and workspace scope: lets a client decide what to offer. Any valid token.',
    tags: ['auth'],
    auth: 'bearer',
    response: { description: 'The token holder.', schema: WhoamiResponseSchema },
    errors: [...AUTHENTICATED_ERRORS],
  }),
} as const;
