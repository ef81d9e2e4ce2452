import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';

/** Extra facts a service adds to `/ping` (e.g. the gateway's active storage backend). */
export const PING_DETAILS = Symbol('PING_DETAILS');
export type PingDetails = () => Record<string, unknown>;

@ApiTags('health')
@Controller()
export class PingController {
  constructor(@Optional() @Inject(PING_DETAILS) private readonly details?: PingDetails) {}

  /** Liveness and readiness probe; open, no token needed. */
  @Public()
  @Get('ping')
  @ApiOkResponse({ description: '{"status":"ok"} while the service is up' })
  ping(): Record<string, unknown> {
    const details = this.details?.();
    return details ? { status: 'ok', details } : { status: 'ok' };
  }
}
