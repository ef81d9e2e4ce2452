import { Injectable } from '@nestjs/common';
import { SqlFilter } from '../lifecycle/query-params.schema';
import { ReadDbService } from '../storage/read-db.service';
import { afterCondition, tsKeySql, type TimelinePosition } from './timeline-cursor.util';
import type { SourceRow, TimelineSource, TimelineSubject } from './timeline-sources.util';

/** What one domain is asked for: the filters of the request and how many rows at most. */
export interface DomainQuery {
  readonly subjects: Partial<Readonly<Record<TimelineSubject, string>>>;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** Only rows after this position of the merged stream. */
  readonly after: TimelinePosition | null;
  readonly limit: number;
}

/** A row with its sort key: `timeline_ts` (fixed-width UTC text, microseconds) and `timeline_id` (the id as text). */
export type KeyedRow = SourceRow & { timeline_ts: string; timeline_id: string };

/**
 * One domain's newest rows after a timeline position, as a single SQL
 * statement that the domain's `(subject, ts)` (or `ts`) index answers in
 * order: equality on the subject columns, a plain `ts` bound from the cursor
 * (plus the row comparison on the cursor's own domain), `ORDER BY ts DESC,
 * id DESC LIMIT n`. Without a subject filter a `splitWithoutSubject` table is
 * read as one such scan per value of its split column, concatenated.
 */
export function domainSql(source: TimelineSource, q: DomainQuery): { sql: string; params: unknown[] } {
  const f = new SqlFilter();
  let subjectGiven = false;
  for (const [key, value] of Object.entries(q.subjects) as [TimelineSubject, string | undefined][]) {
    if (value === undefined) continue;
    const column = source.subjects[key];
    if (column === undefined) throw new Error(`timeline: subject ${key} does not apply to ${source.domain}`);
    f.add(`${column} = ?`, value);
    subjectGiven = true;
  }
  f.add(`${source.ts} >= ?::timestamptz`, q.from);
  f.add(`${source.ts} < ?::timestamptz`, q.to);
  if (q.after) {
    const at = `${f.bind(q.after.ts)}::timestamptz`;
    const rule = afterCondition(source.domain, q.after);
    if (rule === 'le') f.clauses.push(`${source.ts} <= ${at}`);
    else if (rule === 'lt') f.clauses.push(`${source.ts} < ${at}`);
    else f.clauses.push(`${source.ts} <= ${at}`, `(${source.ts}, ${source.id}) < (${at}, ${f.bind(q.after.id)}::uuid)`);
  }
  const limit = f.bind(q.limit);
  const select = `SELECT ${source.columns}, ${tsKeySql(source.ts)} AS timeline_ts, ${source.id}::text AS timeline_id FROM ${source.table}`;
  const order = `ORDER BY ${source.ts} DESC, ${source.id} DESC LIMIT ${limit}`;
  const split = source.splitWithoutSubject;
  if (split && !subjectGiven) {
    const branches = split.values.map((value) => {
      const clauses = [`${split.column} = ${f.bind(value)}`, ...f.clauses];
      return `(${select} WHERE ${clauses.join(' AND ')} ${order})`;
    });
    return { sql: `SELECT * FROM (${branches.join(' UNION ALL ')}) AS split ${order}`, params: f.params };
  }
  return { sql: `${select} ${f.where} ${order}`, params: f.params };
}

/** The timeline's reads, in plain SQL on the read connection. */
@Injectable()
export class TimelineRepository {
  constructor(private readonly db: ReadDbService) {}

  /** Up to `q.limit` rows of one domain after the position, newest first. */
  async domainPage(source: TimelineSource, q: DomainQuery): Promise<KeyedRow[]> {
    const { sql, params } = domainSql(source, q);
    return this.db.query<KeyedRow>(sql, params);
  }

  /** One lifecycle event by id, or null. */
  async lifecycleEvent(eventId: string): Promise<SourceRow | null> {
    const rows = await this.db.query<SourceRow>(
      `SELECT event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms, ledger_seq
         FROM audit.lifecycle_events WHERE event_id = $1 LIMIT 1`,
      [eventId],
    );
    return rows[0] ?? null;
  }

  /** One tool event by id (only in `workspace` when the caller is scoped to one), or null. */
  async toolEvent(eventId: string, workspace: string | null): Promise<SourceRow | null> {
    const filter = new SqlFilter().add('event_id = ?', eventId).add('workspace_id = ?', workspace ?? undefined);
    const rows = await this.db.query<SourceRow>(
      `SELECT event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash,
              graph_run_id, graph_node, job_id, ledger_seq
         FROM audit.tool_events ${filter.where} LIMIT 1`,
      filter.params,
    );
    return rows[0] ?? null;
  }

  /** Where the answer was read from (see ReadDbService). */
  sourceInfo(): ReturnType<ReadDbService['sourceInfo']> {
    return this.db.sourceInfo();
  }
}
