import { Injectable } from '@nestjs/common';
import { GATEWAY_ROUTES, type RouteQuery, type RouteResult, type StoredToolEvent } from '@auditstack/audit-core';
import { keysetPage, SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';

/** The parsed query of `GET /v1/tool-events`. */
export type ToolFilters = RouteQuery<typeof GATEWAY_ROUTES.listToolEvents>;

const COLUMNS = `event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash,
                 graph_run_id, graph_node, job_id, ledger_seq, to_json(ts)#>>'{}' AS ts_key`;

/** The tool-event list (keyset-paginated, newest first), always confined to the caller's workspace when it has one. */
@Injectable()
export class ToolQueryService {
  constructor(private readonly db: ReadDbService) {}

  async list(f: ToolFilters, workspaceScope: string | null): Promise<RouteResult<typeof GATEWAY_ROUTES.listToolEvents>> {
    const q = new SqlFilter()
      .add('workspace_id = ?', workspaceScope ?? f.workspace_id)
      .add('agent_id = ?', f.agent_id)
      .add('user_id = ?', f.user_id)
      .add('tool = ?', f.tool)
      .add('action = ?', f.action)
      .add('status = ?', f.status)
      .add('req_id = ?', f.req_id)
      .add('graph_run_id = ?', f.graph_run_id)
      .add('ts >= ?', f.from)
      .add('ts < ?', f.to);
    type ToolRow = Omit<StoredToolEvent, 'ts' | 'ledger_seq'> & { ts: Date; ts_key: string; ledger_seq: string | null };
    const { rows, nextCursor } = await keysetPage<ToolRow>(
      (sql, params) => this.db.query<ToolRow>(sql, params),
      { table: 'audit.tool_events', columns: COLUMNS },
      q,
      f,
    );
    return {
      items: rows.map(({ ts_key: _key, ...r }) => ({ ...r, ledger_seq: r.ledger_seq === null ? null : Number(r.ledger_seq) })),
      next_cursor: nextCursor,
      workspace_scope: workspaceScope,
      ...this.db.sourceInfo(),
    };
  }
}
