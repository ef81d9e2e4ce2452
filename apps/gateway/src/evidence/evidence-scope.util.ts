import type { DataSource } from 'typeorm';
import { LEDGER_KINDS } from '@auditstack/audit-core';

/**
 * The workspace of ledger leaf `seq`: the `workspace_id` of the tool event it
 * covers, or null for every other leaf (lifecycle events, runs, config
 * changes, markers, retention tombstones — fleet-wide) and for a seq that does
 * not exist. The tool event is found by its primary key (`event_id` = the
 * leaf's ref) and must carry this leaf's `ledger_seq`.
 */
export async function leafWorkspace(dataSource: DataSource, seq: number): Promise<string | null> {
  const rows: Array<{ workspace_id: string | null }> = await dataSource.query(
    `SELECT t.workspace_id
       FROM audit.ledger l
       JOIN audit.tool_events t
         ON t.event_id = (CASE WHEN l.ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN l.ref::uuid END)
        AND t.ledger_seq = l.seq
      WHERE l.seq = $1 AND l.kind = $2`,
    [String(seq), LEDGER_KINDS.tool],
  );
  return rows[0]?.workspace_id ?? null;
}
