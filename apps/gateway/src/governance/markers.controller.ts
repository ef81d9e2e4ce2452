import { Controller, ForbiddenException, Get, Headers, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS, named } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { ApiQueryFrom } from '../lifecycle/openapi-query.util';
import { keysetPage, PageQuerySchema, SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';
import { CallerService } from './caller.service';

const MarkersQuerySchema = PageQuerySchema.extend({
  /** One marker name (`emergency_stop`, `emergency_stop_lifted`, `backend_fallback_started`, `spool_line_quarantined`…). */
  marker: z
    .string(named('must be a marker name: lower-case letters, digits and _'))
    .regex(/^[a-z][a-z0-9_]{0,63}$/, named('must be a marker name: lower-case letters, digits and _'))
    .optional(),
});

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
@ApiTags('governance')
@ApiBearerAuth()
@Controller('v1')
export class MarkersController {
  constructor(
    private readonly db: ReadDbService,
    private readonly callers: CallerService,
  ) {}

  @Get('markers')
  @RequireEntitlements(ENTITLEMENTS.evidenceRead)
  @ApiQueryFrom(MarkersQuerySchema)
  async list(
    @Query(new ZodValidationPipe(MarkersQuerySchema)) q: z.output<typeof MarkersQuerySchema>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: Headers_,
  ): Promise<{ items: Array<Record<string, unknown>>; next_cursor: string | null }> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.evidenceRead);
    if (caller.workspaceId !== null) throw new ForbiddenException(`markers are fleet-wide; a caller scoped to workspace ${caller.workspaceId} cannot read them`);
    const filter = new SqlFilter().add('marker = ?', q.marker).add('ts >= ?::timestamptz', q.from).add('ts < ?::timestamptz', q.to);
    const { rows, nextCursor } = await keysetPage<MarkerRow>((sql, params) => this.db.query<MarkerRow>(sql, params), SOURCE, filter, q);
    return {
      items: rows.map((r) => ({ id: r.event_id, ts: new Date(r.ts).toISOString(), marker: r.marker, details: r.details, ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq) })),
      next_cursor: nextCursor,
    };
  }
}
