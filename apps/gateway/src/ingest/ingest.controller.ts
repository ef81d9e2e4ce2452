import { Body, Controller, ForbiddenException, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { EventKind } from '../storage/storage.types';
import { IngestService } from './ingest.service';

/** The ingest paths (Fastify body limit raised to 5 MB for them by {@link IngestBodyLimit}). */
export const INGEST_PATHS = ['/v1/lifecycle-events', '/v1/tool-events'] as const;

/**
 * `POST /v1/lifecycle-events` and `POST /v1/tool-events`: one event (object)
 * or a batch (array, ≤ 10,000 events, ≤ 5 MB). Entitlement `events.write`.
 * One event: 200 `{event_id, status, backend}` or 400 naming the field. A
 * batch: 200 with per-index `accepted` / `duplicate` / `rejected` (partial
 * success; a rejected event is never stored, an accepted one is stored whole).
 * A workspace-scoped caller (a scoped token, or an agent named by a trusted
 * proxy) writes tool events of its workspace only, and no lifecycle events (403).
 */
@ApiTags('events')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.eventsWrite)
@Controller('v1')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('lifecycle-events')
  @HttpCode(200)
  @ApiOkResponse({ description: 'per-event outcomes, after the events are durable' })
  lifecycle(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<Record<string, unknown>> {
    return this.handle('lifecycle', body, principal);
  }

  @Post('tool-events')
  @HttpCode(200)
  @ApiOkResponse({ description: 'per-event outcomes, after the events are durable' })
  tool(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<Record<string, unknown>> {
    return this.handle('tool', body, principal);
  }

  private async handle(kind: EventKind, body: unknown, principal: Principal): Promise<Record<string, unknown>> {
    // Lifecycle events belong to no workspace (fleet-wide): only an unscoped writer may add them.
    if (kind === 'lifecycle' && principal.workspaceId !== null) {
      throw new ForbiddenException(`lifecycle events are fleet-wide; a caller scoped to workspace ${principal.workspaceId} cannot write them`);
    }
    const { single, response } = await this.ingest.ingest(kind, body, principal.workspaceId);
    if (single) {
      const only = response.results[0]!;
      return { event_id: only.event_id, status: only.status, backend: response.backend };
    }
    return { ...response };
  }
}
