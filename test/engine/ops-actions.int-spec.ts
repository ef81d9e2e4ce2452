import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Pool } from 'pg';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import { canonicalJson } from '@auditstack/evidence';
import { EvidenceService, insertLedgeredRows, withTransaction, type SqlPool } from '@auditstack/evidence-store';
import { createHash } from 'node:crypto';
import type { ActionContext, ActionView } from '../../apps/engine/src/actions/action-handler.util';
import { AuditCleanupAction, AuditCleanupConfigSchema } from '../../apps/engine/src/actions/audit-cleanup/audit-cleanup.action';
import { AuditCompactAction, AuditCompactConfigSchema, compactPeriod } from '../../apps/engine/src/actions/audit-compact/audit-compact.action';
import { DailyCostDigestAction, DailyCostDigestConfigSchema } from '../../apps/engine/src/actions/daily-cost-digest/daily-cost-digest.action';
import { DailyPrivacyDigestAction, DailyPrivacyDigestConfigSchema } from '../../apps/engine/src/actions/daily-privacy-digest/daily-privacy-digest.action';
import { RetentionAction, RetentionConfigSchema } from '../../apps/engine/src/actions/retention/retention.action';
import { WeeklyDriftAction, WeeklyDriftConfigSchema } from '../../apps/engine/src/actions/weekly-drift/weekly-drift.action';
import { loadEngineConfig, type EngineConfig } from '../../apps/engine/src/config/engine.config';
import { verifyChain } from '../../apps/engine/src/operations/jsonl-files.util';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { lifecycleRow, prng, runRow, toolRow } from '../evidence/evidence-fixture';

type Json = Record<string, unknown>;
const DAY = 86_400_000;

function ctx(now: Date): ActionContext {
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
  return { signal: new AbortController().signal, now: () => now, scheduledAt: now, logger: quiet, trigger: 'manual' };
}

function view<C>(type: string, config: C): ActionView<C> {
  return { id: randomUUID(), projectId: randomUUID(), name: type, actionType: type, config, timeoutMs: 600_000 };
}

/** A gateway-format JSONL file: each line `{v, type, record, spooled_at, prev_hash, hash}`, hash = SHA-256(JCS(line without hash)). */
function jsonlText(type: string, records: Json[], spooledAt: string): { text: string; hashes: string[] } {
  let prev = '0'.repeat(64);
  const hashes: string[] = [];
  const lines = records.map((record) => {
    const body = { v: 1, type, record, spooled_at: spooledAt, prev_hash: prev };
    const hash = createHash('sha256').update(canonicalJson(body)).digest('hex');
    hashes.push(hash);
    prev = hash;
    return JSON.stringify({ ...body, hash });
  });
  return { text: lines.length ? `${lines.join('\n')}\n` : '', hashes };
}

/** Writes a JSONL file (and, when `replayed`, the gateway's `<file>.replayed` progress saying every line is in PostgreSQL). */
function writeJsonl(dir: string, name: string, type: string, records: Json[], opts: { replayed?: boolean; mtime?: Date } = {}): string {
  const { text, hashes } = jsonlText(type, records, `${name.match(/\d{4}-\d{2}-\d{2}/)![0]}T12:00:00.000Z`);
  writeFileSync(join(dir, name), text);
  if (opts.replayed) writeFileSync(join(dir, `${name}.replayed`), JSON.stringify({ lines: hashes.length, hash: hashes[hashes.length - 1] }));
  if (opts.mtime) utimesSync(join(dir, name), opts.mtime, opts.mtime);
  return text;
}

const dayOf = (d: Date): string => d.toISOString().slice(0, 10);
const toolRecord = (ts: string, over: Json = {}): Json => ({
  event_id: randomUUID(),
  ts,
  req_id: null,
  workspace_id: 'ws-a',
  user_id: null,
  agent_id: 'a1',
  tool: 't-search',
  action: 'call',
  status: 'ok',
  duration_ms: 10,
  in_size: 1,
  out_size: 1,
  input_hash: null,
  graph_run_id: null,
  graph_node: null,
  job_id: null,
  ...over,
});

describe('operations as scheduled actions (real PostgreSQL)', () => {
  let home: string;
  const engineConfig = (db: TestDatabase, extra: Record<string, string> = {}): Readonly<EngineConfig> =>
    loadEngineConfig({ DATABASE_URL: db.url, AUDITSTACK_HOME: home, ...extra });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'auditstack-ops-'));
  });

  describe('retention', () => {
    let db: TestDatabase;
    let pool: Pool;
    beforeAll(async () => {
      db = await createTestDatabase({ migrated: true });
      pool = new Pool({ connectionString: db.url, max: 3 });
    });
    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    it('drops a monthly partition older than 90 days with tombstones, moves old DEFAULT rows out first, and the ledger still verifies', async () => {
      const now = new Date();
      const rand = prng(7);
      const sqlPool = pool as unknown as SqlPool;
      const oldMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, 1));
      const oldMonthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1));
      const part = `tool_events_p${oldMonth.getUTCFullYear()}_${String(oldMonth.getUTCMonth() + 1).padStart(2, '0')}`;
      const lifecyclePart = part.replace('tool_events', 'lifecycle_events');
      // An old monthly partition for tool events; old lifecycle events land in the DEFAULT partition.
      await pool.query(
        `CREATE TABLE audit.${part} PARTITION OF audit.tool_events FOR VALUES FROM ('${oldMonth.toISOString()}') TO ('${oldMonthEnd.toISOString()}')`,
      );
      const oldTs = (): Date => new Date(oldMonth.getTime() + 10 * DAY + Math.floor(rand() * DAY));
      const recentTs = (): Date => new Date(now.getTime() - Math.floor(rand() * 3_600_000));
      // Seqs interleave: old, recent, old again → the dropped tool rows form two ranges of the tool kind.
      await withTransaction(sqlPool, (tx) =>
        insertLedgeredRows(tx, LEDGER_KINDS.tool, [toolRow(rand, oldTs()), toolRow(rand, oldTs()), toolRow(rand, oldTs())]),
      );
      await withTransaction(sqlPool, (tx) => insertLedgeredRows(tx, LEDGER_KINDS.tool, [toolRow(rand, recentTs()), toolRow(rand, recentTs())]));
      await withTransaction(sqlPool, (tx) => insertLedgeredRows(tx, LEDGER_KINDS.tool, [toolRow(rand, oldTs()), toolRow(rand, oldTs())]));
      await withTransaction(sqlPool, (tx) =>
        insertLedgeredRows(tx, LEDGER_KINDS.lifecycle, [lifecycleRow(rand, oldTs()), lifecycleRow(rand, oldTs()), lifecycleRow(rand, oldTs())]),
      );
      // 60 days old: its month is not wholly older than 90 days → kept (in DEFAULT or its month's partition).
      const notYet = new Date(now.getTime() - 60 * DAY);
      await withTransaction(sqlPool, (tx) => insertLedgeredRows(tx, LEDGER_KINDS.lifecycle, [lifecycleRow(rand, notYet), lifecycleRow(rand, recentTs())]));
      // Runs are never dropped by default.
      await withTransaction(sqlPool, (tx) => insertLedgeredRows(tx, LEDGER_KINDS.run, [runRow(rand, oldTs())]));

      const evidence = new EvidenceService({ db: sqlPool, home: mkdtempSync(join(tmpdir(), 'auditstack-ops-ev-')) });
      await evidence.checkpointNow();
      expect((await evidence.verifyOnline()).ok).toBe(true);
      const count = async (sql: string): Promise<number> => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
      expect(await count(`SELECT count(*) AS n FROM audit.${part}`)).toBe(5);
      expect(await count(`SELECT count(*) AS n FROM audit.lifecycle_events_default WHERE ts < '${oldMonthEnd.toISOString()}'`)).toBe(3);

      const action = new RetentionAction(pool, engineConfig(db), evidence);
      const outcome = await action.run(view('retention', RetentionConfigSchema.parse({})), ctx(now));
      expect(outcome.status).toBe('pass');

      const exists = async (name: string): Promise<boolean> => (await pool.query(`SELECT to_regclass($1) AS r`, [`audit.${name}`])).rows[0].r !== null;
      expect(await exists(part)).toBe(false);
      expect(await exists(lifecyclePart)).toBe(false);
      expect(await count(`SELECT count(*) AS n FROM audit.tool_events`)).toBe(2);
      expect(await count(`SELECT count(*) AS n FROM audit.lifecycle_events WHERE ts < '${oldMonthEnd.toISOString()}'`)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM audit.lifecycle_events WHERE ts = '${notYet.toISOString()}'`)).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM audit.runs`)).toBe(1);

      const tombstones = (await pool.query<{ ref: string }>(`SELECT ref FROM audit.ledger WHERE kind = 'retention' ORDER BY seq`)).rows.map((r) => r.ref);
      // Tool leaves were seqs 0–2 (old), 3–4 (recent), 5–6 (old): two ranges; lifecycle 7–9 (old, moved out of DEFAULT): one.
      expect(tombstones.filter((r) => r.startsWith('retention:tool:'))).toEqual(['retention:tool:0-3:90d', 'retention:tool:5-7:90d']);
      expect(tombstones.filter((r) => r.startsWith('retention:lifecycle:'))).toEqual(['retention:lifecycle:7-10:90d']);

      // What `auditstack verify` does: the online verifier, fail-closed.
      await evidence.checkpointNow();
      const report = await evidence.verifyOnline();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);

      // A second run finds nothing more to drop.
      const again = await action.run(view('retention', RetentionConfigSchema.parse({})), ctx(now));
      expect(again.status).toBe('pass');
      expect((again.output as { dropped: unknown[] }).dropped).toEqual([]);
    });
  });

  describe('digests and drift', () => {
    let db: TestDatabase;
    let pool: Pool;
    let costFile: string;
    beforeAll(async () => {
      db = await createTestDatabase({ migrated: true });
      pool = new Pool({ connectionString: db.url, max: 3 });
      costFile = join(home, 'cost-model.json');
      // Round weights so the expected costs below can be computed by hand.
      writeFileSync(
        costFile,
        JSON.stringify({ currency: 'EUR', cost_weights: { per_call: 0.01, per_second: 0.1, per_kb_in: 0.001, per_kb_out: 0.002, per_engine_hour: 1 } }),
      );
    });
    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    // The fixture day D = 2026-07-14 (UTC); the digests run at 2026-07-15 00:15 with day_offset 1.
    const runAt = new Date('2026-07-15T00:15:00.000Z');
    const H = (c: string): string => c.repeat(64);
    const fixture: Json[] = [
      toolRecord('2026-07-14T01:00:00.000Z', {
        tool: 't-search',
        agent_id: 'a1',
        workspace_id: 'ws-a',
        status: 'ok',
        duration_ms: 100,
        in_size: 1024,
        out_size: 2048,
        input_hash: H('1'),
      }),
      toolRecord('2026-07-14T02:00:00.000Z', {
        tool: 't-search',
        agent_id: 'a1',
        workspace_id: 'ws-a',
        status: 'ok',
        duration_ms: 200,
        in_size: 1024,
        out_size: 1024,
        input_hash: H('1'),
      }),
      toolRecord('2026-07-14T03:00:00.000Z', {
        tool: 't-search',
        agent_id: 'a2',
        workspace_id: 'ws-b',
        status: 'error',
        duration_ms: 300,
        in_size: 2048,
        out_size: 0,
        input_hash: null,
      }),
      toolRecord('2026-07-14T04:00:00.000Z', {
        tool: 't-read',
        agent_id: 'a2',
        workspace_id: 'ws-b',
        status: 'ok',
        duration_ms: 1000,
        in_size: 0,
        out_size: 4096,
        input_hash: H('2'),
      }),
      toolRecord('2026-07-14T05:00:00.000Z', {
        tool: 't-read',
        agent_id: 'a2',
        workspace_id: 'ws-b',
        status: 'denied',
        duration_ms: 0,
        in_size: 0,
        out_size: 0,
        input_hash: H('3'),
      }),
      toolRecord('2026-07-14T23:59:59.999Z', {
        tool: 't-search',
        agent_id: 'a1',
        workspace_id: 'ws-a',
        status: 'ok',
        duration_ms: 400,
        in_size: 102400,
        out_size: 1024,
        input_hash: H('4'),
      }),
      // Outside D: the next day's midnight (the window is half-open) and the previous day.
      toolRecord('2026-07-15T00:00:00.000Z', { tool: 't-other', duration_ms: 99999, in_size: 99999 }),
      toolRecord('2026-07-13T23:59:59.999Z', { tool: 't-other', duration_ms: 99999, in_size: 99999 }),
    ];

    /* Expected numbers, by hand (weights: 0.01/call, 0.1/s, 0.001/KB in, 0.002/KB out; 1/engine-hour):
     *   durations of D sorted: [0, 100, 200, 300, 400, 1000]
     *   p50 = percentile_cont(0.5): position 0.5·5 = 2.5 → 200 + 0.5·(300−200) = 250
     *   p95: position 0.95·5 = 4.75 → 400 + 0.75·(1000−400) = 850
     *   bytes_in = 1024+1024+2048+0+0+102400 = 106496; bytes_out = 2048+1024+0+4096+0+1024 = 8192
     *   cost = 6·0.01 + 2000/1000·0.1 + 106496/1024·0.001 + 8192/1024·0.002 = 0.06 + 0.2 + 0.104 + 0.016 = 0.38
     *   t-search (100, 200, 300, 400 ms): p50 pos 1.5 → 250; p95 pos 2.85 → 300 + 0.85·100 = 385;
     *     in 106496, out 4096; cost 0.04 + 0.1 + 0.104 + 0.008 = 0.252
     *   t-read (0, 1000 ms): p50 500, p95 950; in 0, out 4096; cost 0.02 + 0.1 + 0 + 0.008 = 0.128
     *   a1 / ws-a (100, 200, 400 ms): p50 200, p95 pos 1.9 → 200 + 0.9·200 = 380; in 104448, out 4096;
     *     cost 0.03 + 0.07 + 0.102 + 0.008 = 0.21
     *   a2 / ws-b (0, 300, 1000 ms): p50 300, p95 300 + 0.9·700 = 930; in 2048, out 4096; cost 0.03 + 0.13 + 0.002 + 0.008 = 0.17
     *   engine e-1: start 06:00, stop 08:00 → 2 engine-hours → 2; total 2.38
     */
    const expectedByTool = [
      {
        tool: 't-search',
        calls: 4,
        errors: 1,
        denied: 0,
        unrecognised_status: 0,
        error_rate: 0.25,
        p50_duration_ms: 250,
        p95_duration_ms: 385,
        duration_ms_total: 1000,
        bytes_in: 106496,
        bytes_out: 4096,
        cost: 0.252,
      },
      {
        tool: 't-read',
        calls: 2,
        errors: 0,
        denied: 1,
        unrecognised_status: 0,
        error_rate: 0,
        p50_duration_ms: 500,
        p95_duration_ms: 950,
        duration_ms_total: 1000,
        bytes_in: 0,
        bytes_out: 4096,
        cost: 0.128,
      },
    ];
    const expectedByAgent = [
      {
        agent_id: 'a1',
        calls: 3,
        errors: 0,
        denied: 0,
        unrecognised_status: 0,
        error_rate: 0,
        p50_duration_ms: 200,
        p95_duration_ms: 380,
        duration_ms_total: 700,
        bytes_in: 104448,
        bytes_out: 4096,
        cost: 0.21,
      },
      {
        agent_id: 'a2',
        calls: 3,
        errors: 1,
        denied: 1,
        unrecognised_status: 0,
        error_rate: 0.333333,
        p50_duration_ms: 300,
        p95_duration_ms: 930,
        duration_ms_total: 1300,
        bytes_in: 2048,
        bytes_out: 4096,
        cost: 0.17,
      },
    ];
    const expectedToolTotals = {
      calls: 6,
      errors: 1,
      denied: 1,
      unrecognised_status: 0,
      error_rate: 0.166667,
      p50_duration_ms: 250,
      p95_duration_ms: 850,
      duration_ms_total: 2000,
      bytes_in: 106496,
      bytes_out: 8192,
      cost: 0.38,
    };

    it('daily cost and privacy digests match the hand-computed fixture, from PostgreSQL and from the JSONL files', async () => {
      const rowsOf = (records: Json[]): Json[] => records.map((r) => ({ ...r, ts: new Date(String(r['ts'])) }));
      await withTransaction(pool as unknown as SqlPool, async (tx) => {
        await insertLedgeredRows(tx, LEDGER_KINDS.tool, rowsOf(fixture));
        await insertLedgeredRows(tx, LEDGER_KINDS.lifecycle, [
          {
            event_id: randomUUID(),
            ts: new Date('2026-07-14T06:00:00Z'),
            action: 'start',
            actor: 'system',
            product_id: 'p1',
            user_id: null,
            engine_id: 'e-1',
            metadata: {},
            duration_ms: null,
          },
          {
            event_id: randomUUID(),
            ts: new Date('2026-07-14T08:00:00Z'),
            action: 'stop',
            actor: 'system',
            product_id: 'p1',
            user_id: null,
            engine_id: 'e-1',
            metadata: {},
            duration_ms: null,
          },
        ]);
      });
      const reportsDir = join(home, 'reports-pg');
      const config = engineConfig(db, { COST_MODEL_FILE: costFile, AUDIT_REPORTS_DIR: reportsDir });
      const cost = await new DailyCostDigestAction(pool, config).run(view('daily_cost_digest', DailyCostDigestConfigSchema.parse({})), ctx(runAt));
      expect(cost.status).toBe('pass');
      const costJson = JSON.parse(readFileSync(join(reportsDir, 'cost', '2026-07-14.json'), 'utf8')) as Json;
      expect(existsSync(join(reportsDir, 'cost', '2026-07-14.md'))).toBe(true);
      expect(costJson['source']).toBe('postgres');
      expect(costJson['currency']).toBe('EUR');
      expect(costJson['totals']).toEqual({ ...expectedToolTotals, engine_hours: 2, engine_cost: 2, total_cost: 2.38 });
      expect(costJson['by_tool']).toEqual(expectedByTool);
      expect(costJson['by_agent']).toEqual(expectedByAgent);
      expect(costJson['by_workspace']).toEqual(
        expectedByAgent.map(({ agent_id, ...rest }) => ({ workspace_id: agent_id === 'a1' ? 'ws-a' : 'ws-b', ...rest })),
      );

      const privacy = await new DailyPrivacyDigestAction(pool, config).run(view('daily_privacy_digest', DailyPrivacyDigestConfigSchema.parse({})), ctx(runAt));
      expect(privacy.status).toBe('pass');
      const privacyJson = JSON.parse(readFileSync(join(reportsDir, 'privacy', '2026-07-14.json'), 'utf8')) as Json;
      expect(existsSync(join(reportsDir, 'privacy', '2026-07-14.md'))).toBe(true);
      const expectedPrivacy = {
        totals: { calls: 6, bytes_in: 106496, bytes_out: 8192, without_hash: 1, unrecognised_status: 0 },
        // bytes_total: t-search 106496 + 4096 = 110592; t-read 0 + 4096 = 4096.
        volume_by_tool: [
          { tool: 't-search', calls: 4, bytes_in: 106496, bytes_out: 4096, bytes_total: 110592, without_hash: 1 },
          { tool: 't-read', calls: 2, bytes_in: 0, bytes_out: 4096, bytes_total: 4096, without_hash: 0 },
        ],
        // Only H('1') is sent twice.
        repeated_inputs: [
          {
            input_hash: H('1'),
            calls: 2,
            tools: ['t-search'],
            agents: 1,
            workspaces: 1,
            first_at: '2026-07-14T01:00:00.000Z',
            last_at: '2026-07-14T02:00:00.000Z',
          },
        ],
        // t-search in_size median = (1024 + 2048) / 2 = 1536; 102400 > 10 × 1536. out_size median (0, 1024, 1024, 2048) = 1024.
        outliers: [
          {
            ts: '2026-07-14T23:59:59.999Z',
            tool: 't-search',
            agent_id: 'a1',
            workspace_id: 'ws-a',
            in_size: 102400,
            out_size: 1024,
            tool_median_in: 1536,
            tool_median_out: 1024,
          },
        ],
        events_without_hash: [{ tool: 't-search', events: 1, calls: 4 }],
      };
      const checkPrivacy = (j: Json): void => {
        expect(j['totals']).toEqual(expectedPrivacy.totals);
        expect(j['volume_by_tool']).toEqual(expectedPrivacy.volume_by_tool);
        expect(j['repeated_inputs']).toEqual(expectedPrivacy.repeated_inputs);
        expect(((j['size_outliers'] as Json)['events'] as Json[]).map(({ event_id: _id, ...rest }) => rest)).toEqual(expectedPrivacy.outliers);
        expect(j['events_without_hash']).toEqual(expectedPrivacy.events_without_hash);
        expect(j['payloads_stored']).toBe(false);
        expect((j['payload_guarantee'] as Json)['payload_columns_in_table']).toEqual([]);
      };
      checkPrivacy(privacyJson);

      // The same day from the JSONL backend's files (written the day of the event, one late file the day after).
      const jsonlDir = join(home, 'spool-digest');
      mkdirSync(jsonlDir, { recursive: true });
      writeJsonl(jsonlDir, 'tool_audit_2026-07-13.jsonl', 'tool', [fixture[7]!]);
      writeJsonl(jsonlDir, 'tool_audit_2026-07-14.jsonl', 'tool', fixture.slice(0, 5));
      // The last event of D arrives after midnight, plus a retried duplicate (same event_id): counted once.
      writeJsonl(jsonlDir, 'tool_audit_2026-07-15.jsonl', 'tool', [fixture[5]!, fixture[6]!, fixture[5]!]);
      const jsonlReports = join(home, 'reports-jsonl');
      const jsonlConfig = engineConfig(db, { COST_MODEL_FILE: costFile, AUDIT_REPORTS_DIR: jsonlReports, AUDIT_JSONL_DIR: jsonlDir, AUDIT_BACKEND: 'jsonl' });
      expect(
        (await new DailyCostDigestAction(pool, jsonlConfig).run(view('daily_cost_digest', DailyCostDigestConfigSchema.parse({})), ctx(runAt))).status,
      ).toBe('pass');
      const fromFiles = JSON.parse(readFileSync(join(jsonlReports, 'cost', '2026-07-14.json'), 'utf8')) as Json;
      expect(fromFiles['source']).toBe('jsonl');
      // Engine-hours need lifecycle history beyond one day's files: the JSONL digest reports tool costs only.
      expect(fromFiles['totals']).toEqual(expectedToolTotals);
      expect(fromFiles['by_tool']).toEqual(expectedByTool);
      expect(fromFiles['by_agent']).toEqual(expectedByAgent);
      expect(
        (await new DailyPrivacyDigestAction(pool, jsonlConfig).run(view('daily_privacy_digest', DailyPrivacyDigestConfigSchema.parse({})), ctx(runAt))).status,
      ).toBe('pass');
      checkPrivacy(JSON.parse(readFileSync(join(jsonlReports, 'privacy', '2026-07-14.json'), 'utf8')) as Json);
    });

    it('weekly drift finds an unlisted tool, an agent outside its entitlements, new tools/agents and a cost swing', async () => {
      const rbacFile = join(home, 'rbac.json');
      writeFileSync(
        rbacFile,
        JSON.stringify({
          agents: {
            a1: { workspaces: ['ws-a'], tools: { 't-search': ['call'] } },
            a2: { workspaces: ['ws-b'], tools: { 't-read': '*' } },
          },
          rollout: {},
        }),
      );
      // Run on Wednesday 2026-06-10: the reported week is ISO 2026-W23 (Mon 2026-06-01 … Sun 2026-06-07).
      const now = new Date('2026-06-10T01:30:00.000Z');
      const rows = [
        // The week before: a1 used t-search once (10 ms) → known tool t-search, known agent a1.
        toolRecord('2026-05-27T10:00:00.000Z', { agent_id: 'a1', tool: 't-search', duration_ms: 10, in_size: 0, out_size: 0 }),
        // W23: a1 within its grant, twice (cost 2·0.01 + … > 1.5 × last week's), a2 on t-search (not granted), a3 on t-unknown (no policy lists it).
        toolRecord('2026-06-02T10:00:00.000Z', { agent_id: 'a1', tool: 't-search', duration_ms: 10, in_size: 0, out_size: 0 }),
        toolRecord('2026-06-03T10:00:00.000Z', { agent_id: 'a1', tool: 't-search', duration_ms: 10, in_size: 0, out_size: 0 }),
        toolRecord('2026-06-03T11:00:00.000Z', { agent_id: 'a2', workspace_id: 'ws-b', tool: 't-search', duration_ms: 10 }),
        toolRecord('2026-06-04T11:00:00.000Z', { agent_id: 'a2', workspace_id: 'ws-b', tool: 't-read', duration_ms: 10 }),
        toolRecord('2026-06-05T11:00:00.000Z', { agent_id: 'a3', workspace_id: 'ws-c', tool: 't-unknown', duration_ms: 10 }),
        // A call the router already refused is not counted as use outside the entitlements.
        toolRecord('2026-06-05T12:00:00.000Z', { agent_id: 'a1', workspace_id: 'ws-a', tool: 't-read', status: 'denied', duration_ms: 0 }),
      ].map((r) => ({ ...r, ts: new Date(String(r['ts'])) }));
      await withTransaction(pool as unknown as SqlPool, (tx) => insertLedgeredRows(tx, LEDGER_KINDS.tool, rows));
      const reportsDir = join(home, 'reports-drift');
      const config = engineConfig(db, { RBAC_FILE: rbacFile, COST_MODEL_FILE: costFile, AUDIT_REPORTS_DIR: reportsDir });
      const outcome = await new WeeklyDriftAction(pool, config).run(view('weekly_drift', WeeklyDriftConfigSchema.parse({})), ctx(now));
      expect(outcome.status).toBe('fail');
      const byId = Object.fromEntries(outcome.checks.map((c) => [c.check_id, c.status]));
      expect(byId).toEqual({ 'drift.unlisted_tools': 'warn', 'drift.entitlements': 'fail', 'drift.new': 'pass', 'drift.cost': 'warn' });
      const report = JSON.parse(readFileSync(join(reportsDir, 'drift', 'week-2026-23.json'), 'utf8')) as Json;
      expect(report['week']).toBe('2026-23');
      expect(report['unlisted_tools']).toEqual([{ tool: 't-unknown', calls: 1, agents: ['a3'] }]);
      expect((report['out_of_entitlement'] as Json[]).map((o) => [o['agent_id'], o['tool'], o['calls']]).sort()).toEqual([
        ['a2', 't-search', 1],
        ['a3', 't-unknown', 1],
      ]);
      expect(report['new_tools']).toEqual([
        { tool: 't-read', calls: 2 },
        { tool: 't-unknown', calls: 1 },
      ]);
      expect(report['new_agents']).toEqual([
        { agent_id: 'a2', calls: 2 },
        { agent_id: 'a3', calls: 1 },
      ]);
      // t-search: last week 1 call, 10 ms, 0 B → 0.01 + 0.001 = 0.011; this week 3 calls, 30 ms, 1 B in/out (a2's call)
      // → 0.03 + 0.003 + 1/1024·0.001 + 1/1024·0.002 = 0.033003 (rounded to 6 places); change (0.033003 − 0.011) / 0.011 = 2.000273.
      expect(report['cost_changes']).toEqual([{ tool: 't-search', previous_cost: 0.011, cost: 0.033003, change: 2.000273 }]);
    });
  });

  describe('JSONL files: cleanup and compaction', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      // The file actions touch no database; the engine settings still want a URL.
      db = { name: 'unused', url: 'postgres://unused@127.0.0.1:5432/unused', drop: async () => undefined };
    });

    it('gzips files older than 7 days and deletes those older than 30, never today’s, busy, unreplayed or broken ones', async () => {
      const dir = join(home, 'spool-cleanup');
      mkdirSync(dir, { recursive: true });
      const now = new Date('2026-09-20T00:30:00.000Z');
      const idle = new Date(now.getTime() - DAY);
      const day = (n: number): string => dayOf(new Date(now.getTime() - n * DAY));
      const rec = (d: string): Json[] => [toolRecord(`${d}T10:00:00.000Z`), toolRecord(`${d}T11:00:00.000Z`)];
      writeJsonl(dir, `tool_audit_${day(0)}.jsonl`, 'tool', rec(day(0)), { replayed: true, mtime: idle });
      writeJsonl(dir, `tool_audit_${day(3)}.jsonl`, 'tool', rec(day(3)), { replayed: true, mtime: idle });
      const tenDays = writeJsonl(dir, `tool_audit_${day(10)}.jsonl`, 'tool', rec(day(10)), { replayed: true, mtime: idle });
      writeJsonl(dir, `lifecycle_${day(10)}.jsonl`, 'lifecycle', rec(day(10)), { replayed: false, mtime: idle });
      writeJsonl(dir, `gateway_markers_${day(11)}.jsonl`, 'marker', rec(day(11)), { replayed: true });
      writeJsonl(dir, `tool_audit_${day(40)}.jsonl`, 'tool', rec(day(40)), { replayed: true, mtime: idle });
      writeFileSync(join(dir, `lifecycle_${day(45)}.jsonl.gz`), gzipSync(jsonlText('lifecycle', rec(day(45)), `${day(45)}T12:00:00.000Z`).text));
      utimesSync(join(dir, `lifecycle_${day(45)}.jsonl.gz`), idle, idle);
      const broken = jsonlText('tool', rec(day(12)), `${day(12)}T12:00:00.000Z`);
      writeFileSync(join(dir, `tool_audit_${day(12)}.jsonl`), broken.text.replace('"duration_ms":10', '"duration_ms":11'));
      writeFileSync(join(dir, `tool_audit_${day(12)}.jsonl.replayed`), JSON.stringify({ lines: 2, hash: broken.hashes[1] }));
      utimesSync(join(dir, `tool_audit_${day(12)}.jsonl`), idle, idle);

      const config = loadEngineConfig({
        DATABASE_URL: db.url,
        AUDITSTACK_HOME: home,
        AUDIT_JSONL_DIR: dir,
        DATA_GOVERNANCE_FILE: join(__dirname, '..', '..', 'config', 'data-governance.json'),
      });
      const outcome = await new AuditCleanupAction(config).run(view('audit_cleanup', AuditCleanupConfigSchema.parse({})), ctx(now));
      const statuses = Object.fromEntries(outcome.checks.map((c) => [c.check_id, c.status]));
      expect(statuses).toEqual({ 'audit_cleanup.files': 'pass', 'audit_cleanup.chain': 'fail', 'audit_cleanup.replay': 'warn' });
      expect(outcome.status).toBe('fail');
      expect(readdirSync(dir).sort()).toEqual(
        [
          `tool_audit_${day(0)}.jsonl`, // today: never touched
          `tool_audit_${day(0)}.jsonl.replayed`,
          `tool_audit_${day(3)}.jsonl`, // younger than 7 days
          `tool_audit_${day(3)}.jsonl.replayed`,
          `tool_audit_${day(10)}.jsonl.gz`, // gzipped (its replay sidecar went with the original)
          `lifecycle_${day(10)}.jsonl`, // not replayed into PostgreSQL yet
          `gateway_markers_${day(11)}.jsonl`, // modified just now: still being written
          `gateway_markers_${day(11)}.jsonl.replayed`,
          `tool_audit_${day(12)}.jsonl`, // broken chain: kept as evidence
          `tool_audit_${day(12)}.jsonl.replayed`,
        ].sort(),
      );
      expect(gunzipSync(readFileSync(join(dir, `tool_audit_${day(10)}.jsonl.gz`))).toString('utf8')).toBe(tenDays);
      expect((outcome.output as { deleted: string[] }).deleted.sort()).toEqual([`lifecycle_${day(45)}.jsonl.gz`, `tool_audit_${day(40)}.jsonl`].sort());
    });

    it('compacts a closed week into one re-chained file that verifies, and refuses a broken source chain', async () => {
      const dir = join(home, 'spool-compact');
      mkdirSync(dir, { recursive: true });
      const now = new Date('2026-09-21T01:00:00.000Z'); // a Monday
      const { firstDay, lastDay } = compactPeriod(now, 'week', 1);
      expect([firstDay, lastDay]).toEqual(['2026-09-14', '2026-09-20']);
      const idle = new Date(now.getTime() - DAY);
      const days = ['2026-09-14', '2026-09-16', '2026-09-20'];
      for (const d of days)
        writeJsonl(dir, `tool_audit_${d}.jsonl`, 'tool', [toolRecord(`${d}T01:00:00.000Z`), toolRecord(`${d}T02:00:00.000Z`)], { replayed: true, mtime: idle });
      // A file outside the week is left alone.
      writeJsonl(dir, 'tool_audit_2026-09-21.jsonl', 'tool', [toolRecord('2026-09-21T00:10:00.000Z')], { replayed: true, mtime: idle });
      const sourceHashes = days.flatMap((d) =>
        readFileSync(join(dir, `tool_audit_${d}.jsonl`), 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as Json)['hash']),
      );

      const config = loadEngineConfig({ DATABASE_URL: db.url, AUDITSTACK_HOME: home, AUDIT_JSONL_DIR: dir });
      const action = new AuditCompactAction(config);
      const outcome = await action.run(view('audit_compact', AuditCompactConfigSchema.parse({ prefixes: ['tool_audit'] })), ctx(now));
      expect(outcome.status).toBe('pass');
      const target = 'tool_audit_2026-09-14_2026-09-20.compact.jsonl';
      expect(readdirSync(dir).sort()).toEqual([target, 'tool_audit_2026-09-21.jsonl', 'tool_audit_2026-09-21.jsonl.replayed'].sort());
      const text = readFileSync(join(dir, target), 'utf8');
      const chain = verifyChain(text);
      expect(chain.ok).toBe(true);
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Json);
      expect(lines).toHaveLength(6);
      expect(lines.map((l) => l['source_hash'])).toEqual(sourceHashes);
      expect(lines[0]!['prev_hash']).toBe('0'.repeat(64));
      // The fresh chain is a real chain: editing one record breaks it.
      expect(verifyChain(text.replace('"duration_ms":10', '"duration_ms":12')).ok).toBe(false);

      // The week before, with one source file edited after it was written: refused, nothing written, sources kept.
      const bad = ['2026-09-08', '2026-09-09'];
      for (const d of bad)
        writeJsonl(dir, `tool_audit_${d}.jsonl`, 'tool', [toolRecord(`${d}T01:00:00.000Z`), toolRecord(`${d}T02:00:00.000Z`)], { replayed: true, mtime: idle });
      const tampered = join(dir, 'tool_audit_2026-09-09.jsonl');
      writeFileSync(tampered, readFileSync(tampered, 'utf8').replace('"status":"ok"', '"status":"error"'));
      utimesSync(tampered, idle, idle);
      const refused = await action.run(view('audit_compact', AuditCompactConfigSchema.parse({ prefixes: ['tool_audit'], offset: 2 })), ctx(now));
      expect(refused.status).toBe('fail');
      expect(refused.checks[0]!.message).toMatch(/refused — tool_audit_2026-09-09\.jsonl hash chain broken at line 1/);
      expect(existsSync(join(dir, 'tool_audit_2026-09-07_2026-09-13.compact.jsonl'))).toBe(false);
      expect(existsSync(join(dir, 'tool_audit_2026-09-08.jsonl'))).toBe(true);
      expect(existsSync(tampered)).toBe(true);
    });
  });
});
