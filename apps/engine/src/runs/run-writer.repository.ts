import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { LEDGER_KINDS, type Check, type RunStatus, type RunTrigger } from '@auditstack/audit-core';
import type { SqlExecutor } from '@auditstack/evidence';
import { appendLedger } from '@auditstack/evidence-store';
import { DataVersion } from '../database/data-version.service';
import { ENGINE_PG, inTransaction } from '../database/engine-pg.util';

/** A finished run, ready to be stored. */
export interface RunRecord {
  id: string;
  scheduledAt: Date;
  jobId: string;
  actionId: string;
  projectId: string;
  actionType: string;
  trigger: RunTrigger;
  status: RunStatus;
  message: string;
  output: Record<string, unknown>;
  checks: readonly Check[];
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

export interface RunWriteResult {
  /** The run stored for this firing: this one, or the one an earlier attempt wrote. */
  runId: string;
  /** False when the firing already had a run (a retried job after a crash). */
  written: boolean;
  ledgerSeq: number | null;
}

interface Pending {
  record: RunRecord;
  resolve(result: RunWriteResult): void;
  reject(error: unknown): void;
}

/** jsonb keeps only JSON: store and hash exactly what a read-back returns (no undefined, Dates as ISO strings). */
function toJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Longest text column value written from a handler's message. */
const MAX_MESSAGE = 4000;
/** Most runs committed by one transaction. */
const MAX_BATCH = 200;

const firingKey = (jobId: string, scheduledAt: Date): string => `${jobId}\u0000${scheduledAt.getTime()}`;

/** The `audit.runs` row of a record, as inserted and as hashed into its leaf. */
function rowOf(record: RunRecord): Record<string, unknown> & { id: string; scheduled_at: Date } {
  return {
    id: record.id,
    scheduled_at: record.scheduledAt,
    job_id: record.jobId,
    action_id: record.actionId,
    project_id: record.projectId,
    action_type: record.actionType,
    trigger: record.trigger,
    status: record.status,
    message: record.message.length > MAX_MESSAGE ? `${record.message.slice(0, MAX_MESSAGE - 1)}…` : record.message,
    output: toJson(record.output),
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: Math.max(0, Math.round(record.durationMs)),
  };
}

/** Another writer stored one of the batch's firings between our check and our insert. */
class DuplicateFiring extends Error {
  constructor() {
    super('a firing of the batch already has a run');
  }
}

/**
 * Stores runs (ARCHITECTURE §4): in ONE transaction, the `runs` rows with
 * their `ledger_seq`, their ledger leaves and the `check_results` upserts —
 * a crash leaves either all of a run or none of it. Idempotent by
 * (job_id, scheduled_at): a job retried after a worker died writes nothing
 * the second time.
 *
 * Group commit: runs finishing while a transaction is in flight are written
 * together by the next one (up to {@link MAX_BATCH}), so the ledger lock and
 * the commit are paid once per batch, not once per run.
 */
@Injectable()
export class RunWriter {
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    @Inject(ENGINE_PG) private readonly pool: Pool,
    private readonly version: DataVersion,
  ) {}

  write(record: RunRecord): Promise<RunWriteResult> {
    return new Promise<RunWriteResult>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          const results = await this.writeBatch(batch.map((p) => p.record));
          this.version.bump();
          batch.forEach((p, i) => p.resolve(results[i]!));
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          // One bad record (or a race with another replica) must not fail the others: write them one by one.
          for (const p of batch) await this.writeBatch([p.record]).then((r) => p.resolve(r[0]!), p.reject);
          this.version.bump();
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(records: readonly RunRecord[]): Promise<RunWriteResult[]> {
    try {
      return await inTransaction(this.pool, (client) => this.writeIn(client, records));
    } catch (error) {
      if (!(error instanceof DuplicateFiring) || records.length > 1) throw error;
      const record = records[0]!;
      const existing = await this.existing(this.pool as unknown as PoolClient, records);
      return [{ runId: existing.get(firingKey(record.jobId, record.scheduledAt)) ?? record.id, written: false, ledgerSeq: null }];
    }
  }

  private async writeIn(client: PoolClient, records: readonly RunRecord[]): Promise<RunWriteResult[]> {
    const stored = await this.existing(client, records);
    const fresh: RunRecord[] = [];
    const firstOf = new Map<string, string>();
    for (const record of records) {
      const key = firingKey(record.jobId, record.scheduledAt);
      if (stored.has(key) || firstOf.has(key)) continue;
      firstOf.set(key, record.id);
      fresh.push(record);
    }
    const seqOf = new Map<string, number>();
    if (fresh.length > 0) {
      const rows = fresh.map(rowOf);
      // Leaves first, so each row is inserted with its ledger_seq; the append's ledger lock (the head row) orders concurrent writers.
      // Each leaf hashes runPayload(row), exactly what the verifier rebuilds from audit.runs.
      const { entries } = await appendLedger(
        client as unknown as SqlExecutor,
        rows.map((row) => ({ kind: LEDGER_KINDS.run, ref: row.id, ts: row.scheduled_at, row })),
      );
      rows.forEach((row, i) => seqOf.set(row.id, entries[i]!.seq));
      const inserted = await client.query(
        `INSERT INTO audit.runs (id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, output,
                                 started_at, finished_at, duration_ms, ledger_seq)
         SELECT id, scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, output,
                started_at, finished_at, duration_ms, ledger_seq
         FROM json_populate_recordset(NULL::audit.runs, $1::json)
         ON CONFLICT (job_id, scheduled_at) DO NOTHING`,
        [JSON.stringify(rows.map((row) => ({ ...row, ledger_seq: seqOf.get(row.id) })))],
      );
      // Another replica wrote one of these firings meanwhile: undo our leaves with the transaction.
      if (inserted.rowCount !== rows.length) throw new DuplicateFiring();
      // A dry-run is recorded and ledgered, but it is not the target's current status.
      await this.upsertChecks(
        client,
        fresh.filter((r) => r.trigger !== 'dry_run'),
      );
    }
    return records.map((record) => {
      const key = firingKey(record.jobId, record.scheduledAt);
      const earlier = stored.get(key);
      if (earlier) return { runId: earlier, written: false, ledgerSeq: null };
      const first = firstOf.get(key)!;
      return first === record.id
        ? { runId: record.id, written: true, ledgerSeq: seqOf.get(record.id) ?? null }
        : { runId: first, written: false, ledgerSeq: null };
    });
  }

  /** Runs already stored for the records' firings, by firing key. */
  private async existing(db: Pick<PoolClient, 'query'>, records: readonly RunRecord[]): Promise<Map<string, string>> {
    const { rows } = await db.query<{ id: string; job_id: string; scheduled_at: Date }>(
      `SELECT r.id, r.job_id, r.scheduled_at FROM audit.runs r
       JOIN unnest($1::text[], $2::timestamptz[]) AS f(job_id, scheduled_at) ON r.job_id = f.job_id AND r.scheduled_at = f.scheduled_at`,
      [records.map((r) => r.jobId), records.map((r) => r.scheduledAt)],
    );
    return new Map(rows.map((r) => [firingKey(r.job_id, r.scheduled_at), r.id]));
  }

  /** Latest result per (project, target, check_id); an older run never overwrites a newer result. */
  private async upsertChecks(client: PoolClient, records: readonly RunRecord[]): Promise<void> {
    const latest = new Map<string, Record<string, unknown> & { checked_at: string }>();
    for (const record of records) {
      const checkedAt = record.finishedAt.toISOString();
      for (const check of record.checks) {
        const key = `${record.projectId}\u0000${check.target}\u0000${check.check_id}`;
        const previous = latest.get(key);
        if (previous && previous.checked_at > checkedAt) continue;
        latest.set(key, { ...toJson(check), project_id: record.projectId, action_id: record.actionId, run_id: record.id, checked_at: checkedAt });
      }
    }
    if (latest.size === 0) return;
    await client.query(
      `INSERT INTO audit.check_results (project_id, target, check_id, action_id, run_id, status, message, rule, evidence, checked_at)
       SELECT c.project_id, c.target, c.check_id, c.action_id, c.run_id, c.status, COALESCE(c.message, ''), COALESCE(c.rule, '{}'),
              COALESCE(c.evidence, '{}'), c.checked_at
       FROM jsonb_to_recordset($1::jsonb) AS c(project_id uuid, target text, check_id text, action_id uuid, run_id uuid, status text,
                                               message text, rule jsonb, evidence jsonb, checked_at timestamptz)
       ON CONFLICT (project_id, target, check_id) DO UPDATE SET
         action_id = EXCLUDED.action_id, run_id = EXCLUDED.run_id, status = EXCLUDED.status, message = EXCLUDED.message,
         rule = EXCLUDED.rule, evidence = EXCLUDED.evidence, checked_at = EXCLUDED.checked_at
       WHERE audit.check_results.checked_at <= EXCLUDED.checked_at`,
      [JSON.stringify([...latest.values()])],
    );
  }
}
