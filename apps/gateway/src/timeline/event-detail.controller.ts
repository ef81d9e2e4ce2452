import { Controller, Headers, Param } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, unknownMetadataKeys, type RouteParams, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService } from '../governance/caller.service';
import { TimelineRepository } from './timeline.repository';

type Headers_ = Record<string, string | string[] | undefined>;
const R = GATEWAY_ROUTES;

const notFound = (what: string): DomainError<GatewayErrorCode> => new DomainError<GatewayErrorCode>('EVENT_NOT_FOUND', `no ${what} with this event_id`);

const seq = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * `GET /v1/lifecycle-events/{event_id}` and `GET /v1/tool-events/{event_id}`
 * (`events.read`): one stored event. Lifecycle events are fleet-wide (a
 * workspace-scoped caller gets 403); a scoped caller finds only its own
 * workspace's tool events (another workspace's is 404, not 403, so ids of
 * other workspaces cannot be probed).
 */
@RequireEntitlements(ENTITLEMENTS.eventsRead)
@Controller()
export class EventDetailController {
  constructor(
    private readonly repo: TimelineRepository,
    private readonly callers: CallerService,
  ) {}

  @ContractRoute(R.getLifecycleEvent)
  async lifecycleEvent(
    @Param() p: RouteParams<typeof R.getLifecycleEvent>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.getLifecycleEvent>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    if (caller.workspaceId !== null) {
      throw new DomainError<GatewayErrorCode>(
        'WORKSPACE_FORBIDDEN',
        `lifecycle events are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`,
      );
    }
    const row = await this.repo.lifecycleEvent(p.event_id);
    if (!row) throw notFound('lifecycle event');
    const metadata = (row['metadata'] ?? {}) as Record<string, unknown>;
    return {
      event_id: row['event_id'] as string,
      ts: row['ts'] as Date,
      action: row['action'] as RouteResult<typeof R.getLifecycleEvent>['action'],
      actor: row['actor'] as string,
      product_id: row['product_id'] as string | null,
      user_id: row['user_id'] as string | null,
      engine_id: row['engine_id'] as string | null,
      metadata,
      duration_ms: row['duration_ms'] as number | null,
      ledger_seq: seq(row['ledger_seq']),
      unknown_metadata_keys: unknownMetadataKeys(row['action'] as string, metadata),
    };
  }

  @ContractRoute(R.getToolEvent)
  async toolEvent(
    @Param() p: RouteParams<typeof R.getToolEvent>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof R.getToolEvent>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.eventsRead);
    const row = await this.repo.toolEvent(p.event_id, caller.workspaceId);
    if (!row) throw notFound('tool event');
    return { ...(row as unknown as RouteResult<typeof R.getToolEvent>), ledger_seq: seq(row['ledger_seq']) };
  }
}
