import { Controller, Headers, Query } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { keysetPage, SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';
import { CallerService } from './caller.service';

interface MarkerRow {
  event_id: string;
  ts_key: string;
  ts: Date;
  marker: string;
  details: Record<string, unknown>;
  ledger_seq: string | null;
}

/** The markers as a keyset-paginated table: `event_id` is the marker id, so the shared pager applies. */
const SOURCE = {
  table: '(SELECT id AS event_id, ts, marker, details, ledger_seq FROM audit.gateway_markers) m',
  columns: 'event_id, ts, ts::text AS ts_key, marker, details, ledger_seq',
};

type Headers_ = Record<string, string | string[] | undefined>;

/**
 * `GET /v1/markers` (`evidence.read`, unscoped): what the gateway recorded
 * about itself — fallback started/ended, emergency stop engaged/lifted,
 * denied tool calls, quarantined spool lines — newest first, as
 * `{items, next_cursor}`. Markers are fleet-wide, so a workspace-scoped
 * caller gets 403.
 */
@Controller()
export class MarkersController {
  constructor(
    private readonly db: ReadDbService,
    private readonly callers: CallerService,
  ) {}

  @ContractRoute(GATEWAY_ROUTES.listMarkers)
  @RequireEntitlements(ENTITLEMENTS.evidenceRead)
  async list(
    @Query() q: RouteQuery<typeof GATEWAY_ROUTES.listMarkers>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<RouteResult<typeof GATEWAY_ROUTES.listMarkers>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.evidenceRead);
    if (caller.workspaceId !== null) {
      throw new DomainError<GatewayErrorCode>(
        'WORKSPACE_FORBIDDEN',
        `markers are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`,
      );
    }
    const filter = new SqlFilter().add('marker = ?', q.marker).add('ts >= ?::timestamptz', q.from).add('ts < ?::timestamptz', q.to);
    const { rows, nextCursor } = await keysetPage<MarkerRow>((sql, params) => this.db.query<MarkerRow>(sql, params), SOURCE, filter, q);
    return {
      items: rows.map((r) => ({
        id: r.event_id,
        ts: new Date(r.ts),
        marker: r.marker,
        details: r.details,
        ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq),
      })),
      next_cursor: nextCursor,
    };
  }
}
