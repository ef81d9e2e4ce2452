import { Controller, Get, Inject, Optional, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { READINESS_PROBES, runProbes, type ReadinessProbe } from './readiness.util';
import { STORAGE_RETRY_AFTER_SECONDS } from './storage-unavailable.util';

/** Extra facts a service adds to `/ping?details=true` (e.g. the gateway's active storage backend). */
export const PING_DETAILS = Symbol('PING_DETAILS');
export type PingDetails = () => Record<string, unknown>;

@ApiTags('health')
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
  @Public()
  @Get('ping')
  @ApiQuery({ name: 'details', required: false, description: 'true: include service details (e.g. the active storage backend)' })
  @ApiOkResponse({ description: '{"status":"ok"} while the service is up' })
  ping(@Query('details') details?: string): Record<string, unknown> {
    if (details !== 'true' || !this.details) return { status: 'ok' };
    return { status: 'ok', details: this.details() };
  }

  /**
   * Readiness probe; open, no token needed. 200 `{"status":"ready","checks":{…}}`
   * when the service can do its work, else 503 `{"status":"not_ready",…}` with
   * `Retry-After`. Each check is a fixed word (`up`, `down`, `fallback_spooling`…):
   * no host, port, path or error text.
   */
  @Public()
  @Get('ready')
  @ApiOkResponse({ description: '{"status":"ready","checks":{"database":"up",…}}' })
  @ApiServiceUnavailableResponse({ description: '{"status":"not_ready","checks":{"database":"down",…}}' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: 'ready' | 'not_ready'; checks: Record<string, string> }> {
    const { ready, checks } = await runProbes(this.probes ?? []);
    if (!ready) void reply.status(503).header('retry-after', String(STORAGE_RETRY_AFTER_SECONDS));
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
