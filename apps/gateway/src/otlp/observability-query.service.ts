import { Injectable } from '@nestjs/common';
import { OTLP_ROUTES, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import { keysetPage, SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';

/** The parsed query of `GET /v1/observability-events`. */
export type ObservabilityFilters = RouteQuery<typeof OTLP_ROUTES.listObservabilityEvents>;

type ObservabilityPage = RouteResult<typeof OTLP_ROUTES.listObservabilityEvents>;
type ObservabilityItem = ObservabilityPage['items'][number];

const COLUMNS = `event_id, ts, observed_ts, source, engine_id, service_name, scope_name, severity_number, severity_text, event_name,
                 trace_id, span_id, body_sha256, body_size, attributes, attributes_sha256, attributes_size, attribute_count,
                 ledger_seq, to_json(ts)#>>'{}' AS ts_key`;

type ObservabilityRow = Omit<ObservabilityItem, 'ledger_seq'> & { ts_key: string; event_id: string; ledger_seq: string | number | null };

/** The observability-event list: newest first, keyset-paginated on (ts, event_id), filtered by engine, service and time. */
@Injectable()
export class ObservabilityQueryService {
  constructor(private readonly db: ReadDbService) {}

  async list(f: ObservabilityFilters): Promise<ObservabilityPage> {
    const q = new SqlFilter().add('engine_id = ?', f.engine_id).add('service_name = ?', f.service_name).add('ts >= ?', f.from).add('ts < ?', f.to);
    const { rows, nextCursor } = await keysetPage<ObservabilityRow>(
      (sql, params) => this.db.query<ObservabilityRow>(sql, params),
      { table: 'audit.observability_events', columns: COLUMNS },
      q,
      f,
    );
    return {
      items: rows.map(({ ts_key: _key, ...r }) => ({ ...r, ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq) })),
      next_cursor: nextCursor,
      ...this.db.sourceInfo(),
    };
  }
}
