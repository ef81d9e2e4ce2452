import { Controller, Get, Inject, Optional, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';

/** Extra facts a service adds to `/ping?details=true` (e.g. the gateway's active storage backend). */
export const PING_DETAILS = Symbol('PING_DETAILS');
export type PingDetails = () => Record<string, unknown>;

@ApiTags('health')
@Controller()
export class PingController {
  constructor(@Optional() @Inject(PING_DETAILS) private readonly details?: PingDetails) {}

  /**
   * Liveness and readiness probe; open, no token needed. Plain `/ping` answers
   * exactly `{"status":"ok"}` (probes and scripts compare it); `?details=true`
   * adds what the service reports about itself.
   */
  @Public()
  @Get('ping')
  @ApiQuery({ name: 'details', required: false, description: 'true: include service details (e.g. the active storage backend)' })
  @ApiOkResponse({ description: '{"status":"ok"} while the service is up' })
  ping(@Query('details') details?: string): Record<string, unknown> {
    if (details !== 'true' || !this.details) return { status: 'ok' };
    return { status: 'ok', details: this.details() };
  }
}
