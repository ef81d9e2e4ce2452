import { SqlMigration } from './sql-migration';

/**
 * Indexes the timeline (`GET /v1/timeline`, issue 14) and the tool-event
 * explorer need to stay index walks on large tables:
 *
 * - `audit.tool_events (graph_run_id, ts)`: "everything of this agent graph
 *   run" was a sequential scan of every partition (100k rows: ~12 ms, linear);
 * - `audit.gateway_markers (ts)`: the unfiltered timeline reads the newest
 *   markers; the only index was (marker, ts).
 *
 * On a partitioned table `CREATE INDEX` builds the index on every partition
 * and blocks writes to the table while it runs (no CONCURRENTLY on a
 * partitioned parent): run it in a quiet window on a large install.
 */
export class TimelineIndexes1795342450000 extends SqlMigration {
  readonly name = 'TimelineIndexes1795342450000';

  readonly upSql = [
    `CREATE INDEX ix_tool_events_graph_run_ts ON audit.tool_events (graph_run_id, ts)`,
    `CREATE INDEX ix_gateway_markers_ts ON audit.gateway_markers (ts)`,
  ];

  readonly downSql = [`DROP INDEX audit.ix_gateway_markers_ts`, `DROP INDEX audit.ix_tool_events_graph_run_ts`];
}
