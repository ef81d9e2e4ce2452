import { Controller, Inject, Optional, Query } from '@nestjs/common';
import { COMMON_ROUTES, DomainError, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import { ContractRoute } from '../contract/contract-route.decorator';
import { READINESS_PROBES, runProbes, type ReadinessProbe } from './readiness.util';
import { STORAGE_RETRY_AFTER_SECONDS } from './storage-unavailable.util';

/** Extra facts a service adds to `/ping?details=true` (e.g. the gateway's active storage backend). */
export const PING_DETAILS = Symbol('PING_DETAILS');
export type PingDetails = () => Record<string, unknown>;

@Controller()
export class PingController {
  constructor(
    @Optional() @Inject(PING_DETAILS) private readonly details?: PingDetails,
    @Optional() @Inject(READINESS_PROBES) private readonly probes?: readonly ReadinessProbe[],
  ) {}

  /**
   * Liveness probe; open, no token needed. Plain `/ping` answers exactly
   * `{"status":"ok"}` while the process serves HTTP (probes and scripts
   * compare it), whatever its dependencies; `?details=true` adds what the
   * service reports about itself.
   */
  @ContractRoute(COMMON_ROUTES.ping)
  ping(@Query() query: RouteQuery<typeof COMMON_ROUTES.ping>): RouteResult<typeof COMMON_ROUTES.ping> {
    if (query.details !== 'true' || !this.details) return { status: 'ok' };
    return { status: 'ok', details: this.details() };
  }

  /**
   * Readiness probe; open, no token needed. 200 `{"status":"ready","checks":{…}}`
   * when the service can do its work, else a 503 problem (`code: NOT_READY`)
   * with `Retry-After` and the same `checks`. Each check is a fixed word
   * (`up`, `down`, `fallback_spooling`…): no host, port, path or error text.
   */
  @ContractRoute(COMMON_ROUTES.ready)
  async ready(): Promise<RouteResult<typeof COMMON_ROUTES.ready>> {
    const { ready, checks } = await runProbes(this.probes ?? []);
    if (!ready) {
      const down = Object.entries(checks)
        .filter(([, verdict]) => verdict !== 'up')
        .map(([name, verdict]) => `${name} ${verdict}`);
      throw new DomainError('NOT_READY', `not ready: ${down.join(', ')}`, { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS, members: { checks } });
    }
    return { status: 'ready', checks };
  }
}
