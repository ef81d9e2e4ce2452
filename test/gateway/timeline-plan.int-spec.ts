import { Client } from 'pg';
import { encodeTimelineCursor, decodeTimelineCursor } from '../../apps/gateway/src/timeline/timeline-cursor.util';
import { domainSql, type DomainQuery } from '../../apps/gateway/src/timeline/timeline.repository';
import { TIMELINE_SOURCES } from '../../apps/gateway/src/timeline/timeline-sources.util';
import { createTestDatabase, type TestDatabase } from '../support/db';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
/** The plan as one line per node type (repeated partition scans collapsed): what the report quotes. */
const shape = (plan: PlanNode, depth = 0): string[] => {
  const children = plan.Plans ?? [];
  const distinct = children.filter((c, i) => children.findIndex((o) => o['Node Type'] === c['Node Type']) === i);
  const line = `${'  '.repeat(depth)}${plan['Node Type']}${plan['Index Name'] ? ` using ${plan['Index Name']}` : ''}${children.length > distinct.length ? ` (×${children.length} children)` : ''}`;
  return [line, ...distinct.flatMap((c) => shape(c, depth + 1))];
};

const source = (domain: string) => TIMELINE_SOURCES.find((s) => s.domain === domain)!;

/**
 * The timeline stays an index walk on large tables: 100,000 tool events, lifecycle events and
 * runs over two monthly partitions, and 100,000 markers (inserted with SQL: only the plan is under
 * test here, not ingest), then each domain's statement is EXPLAINed as the service runs it — a first page and a
 * page after a cursor — and must read its rows through an index (no sequential scan of the big
 * table) and touch about `limit + 1` rows, not the table.
 */
describe('timeline query plans on 100k-row tables', () => {
  let db: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query(`
      INSERT INTO audit.tool_events (event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, graph_run_id)
      SELECT gen_random_uuid(), date_trunc('month', now()) - interval '20 days' + g * interval '30 seconds', 'r' || g, 'ws-' || (g % 100), 'u-' || (g % 500),
             'agent-' || (g % 50), 'tool-' || (g % 20), 'search', 'ok', g % 1000, 100, 200, 'run-' || (g / 10)
        FROM generate_series(1, 100000) AS g`);
    await sql.query(`
      INSERT INTO audit.lifecycle_events (event_id, ts, action, actor, product_id, user_id, engine_id, metadata)
      SELECT gen_random_uuid(), date_trunc('month', now()) - interval '20 days' + g * interval '30 seconds', 'health_check', 'system', 'p-' || (g % 10),
             'u-' || (g % 500), 'e-' || (g % 1000), '{}'
        FROM generate_series(1, 100000) AS g`);
    await sql.query(`
      INSERT INTO audit.runs (id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, started_at, finished_at, duration_ms)
      SELECT gen_random_uuid(), t, 'job-' || g, gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad((g % 20)::text, 12, '0'))::uuid, 'http', 'schedule',
             (ARRAY['pass', 'fail', 'error'])[1 + g % 3], t, t, 10
        FROM generate_series(1, 100000) AS g, LATERAL (SELECT date_trunc('month', now()) - interval '20 days' + g * interval '30 seconds' AS t) AS x`);
    await sql.query(`
      INSERT INTO audit.gateway_markers (id, ts, marker, details)
      SELECT gen_random_uuid(), date_trunc('month', now()) - interval '20 days' + g * interval '30 seconds', 'tool_call_denied',
             jsonb_build_object('agent_id', 'agent-' || (g % 50), 'workspace_id', 'ws-' || (g % 100), 'tool', 'github', 'action', 'delete')
        FROM generate_series(1, 100000) AS g`);
    await sql.query('SELECT audit.ensure_partitions(1)');
    await sql.query('ANALYZE audit.runs');
    await sql.query('ANALYZE audit.gateway_markers');
    await sql.query('ANALYZE audit.tool_events');
    await sql.query('ANALYZE audit.lifecycle_events');
  }, 120_000);
  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** Tables and partitions without a row (ANALYZEd). */
  let empty: Set<string>;
  beforeAll(async () => {
    const { rows } = await sql.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit' AND c.relkind = 'r' AND c.reltuples <= 0`,
    );
    empty = new Set(rows.map((r) => r.relname));
  });

  const explain = async (domain: string, q: DomainQuery): Promise<PlanNode> => {
    const { sql: text, params } = domainSql(source(domain), q);
    const { rows } = await sql.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params);
    return rows[0]!['QUERY PLAN'][0]!.Plan;
  };
  const lastKey = async (domain: string, q: DomainQuery) => {
    const { sql: text, params } = domainSql(source(domain), q);
    const { rows } = await sql.query<{ timeline_ts: string; timeline_id: string }>(text, params);
    const last = rows[rows.length - 1]!;
    return decodeTimelineCursor(encodeTimelineCursor({ ts: last.timeline_ts, domain: domain as 'tool', id: last.timeline_id }));
  };

  it.each([
    ['tool', { workspace_id: 'ws-7' }],
    ['tool', {}],
    ['tool', { graph_run_id: 'run-77' }],
    ['lifecycle', { engine_id: 'e-42' }],
    ['lifecycle', { user_id: 'u-42' }],
    ['run', {}],
    ['marker', {}],
    ['run', { project_id: '00000000-0000-4000-8000-000000000007' }],
  ] as const)('%s %j: index scans only, about limit + 1 rows read, first page and after a cursor', async (domain, subjects) => {
    const first: DomainQuery = { subjects, after: null, limit: 51 };
    const after = await lastKey(domain, first);
    for (const q of [first, { ...first, after }, { ...first, after: after && { ...after, domain: 'cluster' as const } }]) {
      const plan = await explain(domain, q);
      const all = nodes(plan);
      // An empty partition (next month's) may be read sequentially: that costs nothing.
      expect(all.filter((n) => n['Node Type'] === 'Seq Scan' && !empty.has(n['Relation Name']!)).map((n) => n['Relation Name'])).toEqual([]);
      expect(all.some((n) => /Index( Only)? Scan/.test(n['Node Type']))).toBe(true);
      const scanned = all.filter((n) => /Index/.test(n['Node Type'])).reduce((sum, n) => sum + (n['Actual Rows'] ?? 0), 0);
      expect(scanned).toBeLessThanOrEqual(200);
      if (q === first) process.stdout.write(`plan ${domain} ${JSON.stringify(subjects)}:\n${shape(plan).join('\n')}\n`);
    }
  });
});
