import { Inject } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { ACTION_TYPES, LEDGER_KINDS, type Check, type CheckRule } from '@auditstack/audit-core';
import { LEDGER_LOCK_SQL, type SqlExecutor } from '@auditstack/evidence';
import { type EvidenceService, recordRetention } from '@auditstack/evidence-store';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine.config';
import { ENGINE_PG, inTransaction } from '../../database/engine-pg.util';
import { operationsSettings, readPolicy } from '../../operations/operations-settings.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { ENGINE_EVIDENCE } from '../evidence.provider';

export const RetentionConfigSchema = z
  .object({
    /** Report what would be dropped, change nothing. @defaultValue false */
    dry_run: z.boolean().default(false),
    /** Longest wait for a table lock before giving up until the next run (ms); ingest waits meanwhile. @defaultValue 10000 */
    lock_timeout_ms: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict();
export type RetentionConfig = z.infer<typeof RetentionConfigSchema>;

/** One event class: a ledger kind and its monthly-partitioned table. */
interface EventClass {
  readonly kind: 'lifecycle' | 'tool' | 'run' | 'observability' | 'cluster';
  readonly table: string;
  readonly column: string;
}

export const RETENTION_CLASSES: readonly EventClass[] = [
  { kind: LEDGER_KINDS.lifecycle, table: 'lifecycle_events', column: 'ts' },
  { kind: LEDGER_KINDS.tool, table: 'tool_events', column: 'ts' },
  { kind: LEDGER_KINDS.observability, table: 'observability_events', column: 'ts' },
  { kind: LEDGER_KINDS.cluster, table: 'cluster_audit_events', column: 'ts' },
  { kind: LEDGER_KINDS.run, table: 'runs', column: 'scheduled_at' },
];

const RULE: CheckRule = {
  id: 'retention.partitions',
  description:
    'Whole monthly partitions older than the data-governance policy are dropped; each dropped range of ledger leaves gets a retention tombstone in the same transaction, so the evidence still verifies.',
  reference: 'ARCHITECTURE §3 (event tables partitioned by month), §4 Evidence (retention tombstones)',
};

export interface DroppedPartition {
  table: string;
  partition: string;
  from: string;
  to: string;
  rows: number;
  tombstones: { seq: number; from_seq: number; to_seq: number }[];
}

interface PartitionRow {
  relname: string;
  lo: Date;
  hi: Date;
}

/** Partition names follow `audit.ensure_partitions()`: `<table>_pYYYY_MM`. */
const partitionName = (table: string, monthStart: Date): string =>
  `${table}_p${monthStart.getUTCFullYear()}_${String(monthStart.getUTCMonth() + 1).padStart(2, '0')}`;

const executor = (client: PoolClient): SqlExecutor => client as unknown as SqlExecutor;

/**
 * `retention`: drops whole monthly partitions of `audit.lifecycle_events`,
 * `audit.tool_events` (and `audit.runs` only when the policy sets `run`)
 * whose whole month is older than the policy (`DATA_GOVERNANCE_FILE`
 * `retention`), and writes a ledger tombstone (`recordRetention`) for each
 * contiguous range of dropped leaves in the same transaction as the DROP.
 *
 * Rows of such months still in the DEFAULT partition are first moved into a
 * monthly partition of their own (as `audit.ensure_partitions()` does), which
 * is then dropped like any other. Each table is handled in one transaction
 * that holds the ledger lock (the head row), the lock every writer takes before
 * inserting rows: no row can land in a partition while it is being dropped.
 * It needs the table owner's privileges: the engine's `DATABASE_URL` role, not
 * `auditstack_ingest`.
 */
@ActionType({
  type: ACTION_TYPES.retention,
  config: RetentionConfigSchema,
  description: 'Drops monthly event partitions older than the data-governance policy, with a ledger tombstone for each.',
})
export class RetentionAction implements ActionHandler<RetentionConfig> {
  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    @Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>,
    @Inject(ENGINE_EVIDENCE) private readonly evidence: EvidenceService,
  ) {}

  /** The pinned retention floor: `verify` calls a tombstone under it a RETENTION_VIOLATION, so nothing is dropped below it. */
  private retentionFloor(): number {
    try {
      return this.evidence.trustRoot().retentionFloorDays;
    } catch {
      // No trust file yet (nothing signed yet): the floor that first start will pin.
      return this.config.EVIDENCE_RETENTION_FLOOR_DAYS;
    }
  }

  async run(action: ActionView<RetentionConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const policy = await readPolicy(operationsSettings(this.config));
    const now = ctx.now();
    const checks: Check[] = [];
    const dropped: DroppedPartition[] = [];
    const floor = this.retentionFloor();
    for (const cls of RETENTION_CLASSES) {
      const days = policy.retention[cls.kind];
      const checkId = `${RULE.id}.${cls.kind}`;
      if (days === null) {
        checks.push({
          check_id: checkId,
          target: `audit.${cls.table}`,
          status: 'pass',
          message: `audit.${cls.table}: kept forever (policy retention.${cls.kind} = null)`,
          rule: RULE,
          evidence: { days: null },
        });
        continue;
      }
      if (days < floor) {
        checks.push({
          check_id: checkId,
          target: `audit.${cls.table}`,
          status: 'error',
          message: `audit.${cls.table}: policy retention.${cls.kind} = ${days} days is below the pinned retention floor of ${floor} days (trust file ${this.evidence.trustFile}); nothing dropped`,
          rule: RULE,
          evidence: { days, floor },
        });
        continue;
      }
      const cutoff = new Date(now.getTime() - days * 86_400_000);
      try {
        const result = await this.applyClass(cls, cutoff, action.config, now, days);
        dropped.push(...result);
        const rows = result.reduce((s, d) => s + d.rows, 0);
        checks.push({
          check_id: checkId,
          target: `audit.${cls.table}`,
          status: 'pass',
          message: `audit.${cls.table}: ${action.config.dry_run ? 'would drop' : 'dropped'} ${result.length} partition(s), ${rows} row(s) older than ${days} days (before ${cutoff.toISOString()})`,
          rule: RULE,
          evidence: { days, cutoff: cutoff.toISOString(), dry_run: action.config.dry_run, dropped: result },
        });
      } catch (error) {
        checks.push({
          check_id: checkId,
          target: `audit.${cls.table}`,
          status: 'error',
          message: `audit.${cls.table}: ${(error as Error).message.slice(0, 500)}`,
          rule: RULE,
          evidence: { days, cutoff: cutoff.toISOString() },
        });
      }
    }
    return outcomeFromChecks(checks, { dry_run: action.config.dry_run, dropped });
  }

  /** Every partition of `cls` whose upper bound is at or before `cutoff`, after moving old DEFAULT rows into monthly partitions. */
  private async applyClass(cls: EventClass, cutoff: Date, config: RetentionConfig, now: Date, days: number): Promise<DroppedPartition[]> {
    if (!config.dry_run) await this.materializeOldMonths(cls, cutoff, config);
    const partitions = (
      await this.pool.query<PartitionRow>(
        `SELECT c.relname, (b.m)[1]::timestamptz AS lo, (b.m)[2]::timestamptz AS hi
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') AS m) b
          WHERE i.inhparent = $1::regclass AND (b.m) IS NOT NULL
          ORDER BY 2`,
        [`audit.${cls.table}`],
      )
    ).rows.filter((p) => p.hi.getTime() <= cutoff.getTime());
    const out: DroppedPartition[] = [];
    for (const p of partitions) {
      if (config.dry_run) {
        const rows = Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit.${ident(p.relname)}`)).rows[0]!.n);
        out.push({ table: cls.table, partition: p.relname, from: p.lo.toISOString(), to: p.hi.toISOString(), rows, tombstones: [] });
        continue;
      }
      out.push(await this.dropPartition(cls, p, config, now, days));
    }
    if (config.dry_run) {
      // Rows of old months still in DEFAULT would be moved and dropped too.
      const months = await this.oldDefaultMonths(this.pool, cls, cutoff);
      for (const m of months)
        out.push({
          table: cls.table,
          partition: `${cls.table}_default (${partitionName(cls.table, m.month)})`,
          from: m.month.toISOString(),
          to: m.end.toISOString(),
          rows: m.rows,
          tombstones: [],
        });
    }
    return out;
  }

  private async oldDefaultMonths(db: Pick<Pool, 'query'> | PoolClient, cls: EventClass, cutoff: Date): Promise<{ month: Date; end: Date; rows: number }[]> {
    const rows = (
      await db.query<{ month: Date; end: Date; rows: string }>(
        `SELECT month, month + interval '1 month' AS "end", rows FROM (
           SELECT (date_trunc('month', ${ident(cls.column)} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS month, count(*) AS rows
             FROM audit.${ident(`${cls.table}_default`)} WHERE ${ident(cls.column)} < $1 GROUP BY 1) m
          WHERE month + interval '1 month' <= $1 ORDER BY month`,
        [cutoff],
      )
    ).rows;
    return rows.map((r) => ({ month: r.month, end: r.end, rows: Number(r.rows) }));
  }

  /** Moves rows of whole months older than `cutoff` out of the DEFAULT partition into `<table>_pYYYY_MM` partitions. */
  private async materializeOldMonths(cls: EventClass, cutoff: Date, config: RetentionConfig): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = ${config.lock_timeout_ms}`);
      await client.query(LEDGER_LOCK_SQL);
      for (const m of await this.oldDefaultMonths(client, cls, cutoff)) {
        const part = partitionName(cls.table, m.month);
        const exists = (await client.query(`SELECT to_regclass($1) AS r`, [`audit.${part}`])).rows[0]!.r !== null;
        if (exists) continue;
        await client.query(`CREATE TABLE audit.${ident(part)} (LIKE audit.${ident(cls.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
        await client.query(
          `WITH moved AS (DELETE FROM audit.${ident(`${cls.table}_default`)} WHERE ${ident(cls.column)} >= $1 AND ${ident(cls.column)} < $2 RETURNING *)
           INSERT INTO audit.${ident(part)} SELECT * FROM moved`,
          [m.month, m.end],
        );
        await client.query(
          `ALTER TABLE audit.${ident(cls.table)} ATTACH PARTITION audit.${ident(part)} FOR VALUES FROM ('${m.month.toISOString()}') TO ('${m.end.toISOString()}')`,
        );
      }
    });
  }

  /**
   * Drops one partition and records its leaves as deleted, in one transaction
   * under the ledger lock. The tombstones cover exactly the dropped rows:
   * among the leaves of this kind between the partition's lowest and highest
   * seq, each maximal run of leaves whose rows were in the partition is one
   * range (a row of the same kind stored elsewhere in between splits it).
   */
  private async dropPartition(cls: EventClass, p: PartitionRow, config: RetentionConfig, now: Date, days: number): Promise<DroppedPartition> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = ${config.lock_timeout_ms}`);
      await client.query(LEDGER_LOCK_SQL);
      const part = `audit.${ident(p.relname)}`;
      const rows = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${part}`)).rows[0]!.n);
      const ranges = (
        await client.query<{ from_seq: string; to_seq: string }>(
          `WITH gone AS (SELECT ledger_seq AS seq FROM ${part} WHERE ledger_seq IS NOT NULL),
                b AS (SELECT min(seq) AS lo, max(seq) AS hi FROM gone),
                l AS (SELECT l.seq, (g.seq IS NOT NULL) AS gone
                        FROM b JOIN audit.ledger l ON l.seq BETWEEN b.lo AND b.hi AND l.kind = $1
                        LEFT JOIN gone g ON g.seq = l.seq),
                r AS (SELECT seq, gone, row_number() OVER (ORDER BY seq) - row_number() OVER (PARTITION BY gone ORDER BY seq) AS grp FROM l)
           SELECT min(seq) AS from_seq, max(seq) + 1 AS to_seq FROM r WHERE gone GROUP BY grp ORDER BY 1`,
          [cls.kind],
        )
      ).rows;
      await client.query(`DROP TABLE ${part}`);
      const tombstones: DroppedPartition['tombstones'] = [];
      for (const r of ranges) {
        // The tombstone names the period applied: verify checks every pruned leaf is older than it at `now`.
        const entry = await recordRetention(executor(client), { kind: cls.kind, fromSeq: Number(r.from_seq), toSeq: Number(r.to_seq), days, ts: now });
        tombstones.push({ seq: entry.seq, from_seq: Number(r.from_seq), to_seq: Number(r.to_seq) });
      }
      return { table: cls.table, partition: p.relname, from: p.lo.toISOString(), to: p.hi.toISOString(), rows, tombstones };
    });
  }
}

/** A quoted identifier (partition names come from the catalog, but are quoted all the same). */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
