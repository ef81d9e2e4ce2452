import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import { TEMPLATE_DB_ENV, testDatabaseUrl, type TestDatabase } from '../support/db';
import { TEST_PG_ADMIN_URL } from '../support/services';
import { EvidenceService, insertLedgeredRows, withTransaction, type SqlPool } from '@auditstack/evidence-store';

/** A small deterministic PRNG (mulberry32), so a failing fuzz case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LIFECYCLE_ACTIONS = ['provision', 'start', 'stop', 'wake', 'destroy', 'rotate_key', 'health_check', 'health_failed'];
const TOOLS = ['search', 'read_file', 'write_file', 'http_get', 'sql_query'];

/** A lifecycle row as a writer would store it. */
export function lifecycleRow(rand: () => number, ts: Date): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    ts,
    action: LIFECYCLE_ACTIONS[Math.floor(rand() * LIFECYCLE_ACTIONS.length)],
    actor: rand() < 0.5 ? 'system' : 'admin',
    product_id: rand() < 0.7 ? `prod-${Math.floor(rand() * 50)}` : null,
    user_id: rand() < 0.5 ? `user-${Math.floor(rand() * 500)}` : null,
    engine_id: `eng-${Math.floor(rand() * 8)}`,
    metadata: { reason: `r${Math.floor(rand() * 1000)}`, attempt: Math.floor(rand() * 5), nested: { ok: rand() < 0.5, note: 'é ☃ "q"' } },
    duration_ms: Math.floor(rand() * 5000),
  };
}

/** A tool-call row (sizes and hashes only). */
export function toolRow(rand: () => number, ts: Date): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    ts,
    req_id: `req-${Math.floor(rand() * 1e6)}`,
    workspace_id: `ws-${Math.floor(rand() * 10)}`,
    user_id: `user-${Math.floor(rand() * 500)}`,
    agent_id: `agent-${Math.floor(rand() * 20)}`,
    tool: TOOLS[Math.floor(rand() * TOOLS.length)],
    action: 'call',
    status: rand() < 0.9 ? 'ok' : 'error',
    duration_ms: Math.floor(rand() * 2000),
    in_size: Math.floor(rand() * 10_000),
    out_size: Math.floor(rand() * 100_000),
    input_hash: null,
    graph_run_id: null,
    graph_node: null,
    job_id: null,
  };
}

/** A check run row. */
export function runRow(rand: () => number, ts: Date): Record<string, unknown> {
  const started = new Date(ts.getTime() + 5);
  const duration = Math.floor(rand() * 3000);
  return {
    id: randomUUID(),
    scheduled_at: ts,
    job_id: `job-${randomUUID()}`,
    action_id: randomUUID(),
    project_id: randomUUID(),
    action_type: 'http_ping',
    trigger: 'schedule',
    status: rand() < 0.8 ? 'pass' : 'fail',
    message: rand() < 0.5 ? '' : 'HTTP 503 from https://example.test/',
    output: { checks: [{ id: 'status', ok: rand() < 0.8 }], latency_ms: duration },
    started_at: started,
    finished_at: new Date(started.getTime() + duration),
    duration_ms: duration,
  };
}

/** One writer transaction: a few batches of mixed kinds, rows inserted with their leaves. */
export async function writeMixedBatch(pool: SqlPool, rand: () => number, count: number, baseTime: number): Promise<number> {
  return withTransaction(pool, async (tx) => {
    let left = count;
    let written = 0;
    while (left > 0) {
      const n = Math.min(left, 1 + Math.floor(rand() * 60));
      const pick = rand();
      const ts = (): Date => new Date(baseTime + Math.floor(rand() * 60_000));
      if (pick < 0.45)
        await insertLedgeredRows(
          tx,
          LEDGER_KINDS.lifecycle,
          Array.from({ length: n }, () => lifecycleRow(rand, ts())),
        );
      else if (pick < 0.85)
        await insertLedgeredRows(
          tx,
          LEDGER_KINDS.tool,
          Array.from({ length: n }, () => toolRow(rand, ts())),
        );
      else
        await insertLedgeredRows(
          tx,
          LEDGER_KINDS.run,
          Array.from({ length: n }, () => runRow(rand, ts())),
        );
      left -= n;
      written += n;
    }
    return written;
  });
}

/** A temporary AUDITSTACK_HOME. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'auditstack-evidence-'));
}

/**
 * Builds a ledger of `events` mixed rows in transactions of `perTx`, making
 * checkpoints on cadence (every 1000 leaves) and a final one at the end.
 */
export async function buildLedger(pool: SqlPool, service: EvidenceService, events: number, seed = 1, perTx = 500): Promise<void> {
  const rand = prng(seed);
  const base = Date.now() - 10 * 60_000;
  for (let done = 0; done < events;) {
    done += await writeMixedBatch(pool, rand, Math.min(perTx, events - done), base);
    await service.maybeCheckpoint('tick');
  }
  await service.maybeCheckpoint('shutdown');
}

/** A pg pool on `url` (bytea → Buffer, bigint → string, timestamptz → Date, jsonb parsed). */
export function poolFor(url: string, max = 4): Pool {
  return new Pool({ connectionString: url, max });
}

/**
 * A copy of the migrated template under a prefix of its own. The shared global
 * setup drops every `auditstack_t_*` database when any jest run starts, which
 * would pull a long fuzz run's database away under it when someone else starts
 * tests on the same server; this prefix is left alone.
 */
export async function createEvidenceDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_DB_ENV];
  if (!template) throw new Error(`${TEMPLATE_DB_ENV} is not set: run integration specs through jest's integration project`);
  const name = `auditstack_ev_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (error) {
        // 55006: the template is being copied by another worker right now.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    name,
    url: testDatabaseUrl(name),
    drop: async () => {
      const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** What one `auditstack` CLI run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `auditstack` CLI (tools/bin/auditstack.js) with `env` added to this process's environment; never rejects. */
export function auditstack(args: string[], env: Record<string, string>): Promise<CliRun> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'tools', 'bin', 'auditstack.js'), ...args],
      { cwd: root, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
