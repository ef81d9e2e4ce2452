import { Injectable } from '@nestjs/common';
import { GATEWAY_ROUTES, type RouteQuery, type RouteResult, type StoredClusterAuditEvent } from '@auditstack/audit-core';
import { keysetPage, SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';

/** The parsed query of `GET /v1/cluster-audit-events`. */
export type ClusterAuditFilters = RouteQuery<typeof GATEWAY_ROUTES.listClusterAuditEvents>;

const COLUMNS = `event_id, ts, audit_id, stage, level, cluster_id, verb, username, user_groups, impersonated_user, source_ips, user_agent,
                 api_group, api_version, resource, subresource, namespace, name, request_uri, response_code, request_received_ts,
                 request_object_sha256, request_object_size, response_object_sha256, response_object_size, annotations, ledger_seq,
                 to_json(ts)#>>'{}' AS ts_key`;

/** The cluster audit list: newest first, keyset-paginated on (ts, event_id), each filter on an indexed column. */
@Injectable()
export class ClusterAuditQueryService {
  constructor(private readonly db: ReadDbService) {}

  async list(f: ClusterAuditFilters): Promise<RouteResult<typeof GATEWAY_ROUTES.listClusterAuditEvents>> {
    const q = new SqlFilter()
      .add('username = ?', f.user)
      .add('verb = ?', f.verb)
      .add('resource = ?', f.resource)
      .add('namespace = ?', f.namespace)
      .add('cluster_id = ?', f.cluster_id)
      .add('ts >= ?', f.from)
      .add('ts < ?', f.to);
    type Row = Omit<StoredClusterAuditEvent, 'ts' | 'request_received_ts' | 'ledger_seq'> & {
      ts: Date;
      request_received_ts: Date | null;
      ts_key: string;
      ledger_seq: string | null;
    };
    const { rows, nextCursor } = await keysetPage<Row>(
      (sql, params) => this.db.query<Row>(sql, params),
      { table: 'audit.cluster_audit_events', columns: COLUMNS },
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
