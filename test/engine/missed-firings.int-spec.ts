import type { Client } from 'pg';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ActionRegistry } from '../../apps/engine/src/actions/action-registry.service';
import { ENGINE_CONFIG } from '../../apps/engine/src/config/engine.config';
import { ENGINE_PG } from '../../apps/engine/src/database/engine-pg.util';
import { EngineMetrics } from '../../apps/engine/src/metrics/engine-metrics.service';
import { RunWriter } from '../../apps/engine/src/runs/run-writer.repository';
import { MissedFiringService } from '../../apps/engine/src/scheduling/missed-firing.service';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/services';
import { TcpProxy } from '../gateway/support/tcp-proxy';
import { sql, startEngine, uniqueQueuePrefix, waitFor, type RunningEngine } from './support/engine-harness';

interface RunRow {
  job_id: string;
  scheduled_at: Date;
  status: string;
  message: string;
  output: { error?: { code: string }; missed?: { from: string; to: string; count: number } };
}

const hold = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Faults leave traces, not gaps: an every-second action on two engines
 * (BullMQ), with PostgreSQL and then Redis cut behind proxies. Every firing
 * of each outage ends up with exactly one run — the real one, or an `error`
 * run "missed: …" written after recovery — and an engine restart adds none.
 */
describe('missed firings during PostgreSQL and Redis outages', () => {
  let db: TestDatabase;
  let queue: ReturnType<typeof uniqueQueuePrefix>;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let engines: RunningEngine[] = [];
  let client: Client;
  let actionId: string;
  let createdAt: Date;
  let env: Record<string, string>;
  let proxiedDb: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    queue = uniqueQueuePrefix();
    const pgUrl = new URL(db.url);
    pgProxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
    const redisUrl = new URL(TEST_REDIS_URL);
    redisProxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    pgUrl.port = String(await pgProxy.start());
    proxiedDb = pgUrl.toString();
    env = {
      REDIS_URL: `redis://127.0.0.1:${await redisProxy.start()}`,
      ENGINE_QUEUE_PREFIX: queue.prefix,
      ENGINE_ALLOW_SECOND_SCHEDULES: 'true',
      ENGINE_JOB_ATTEMPTS: '1',
      ENGINE_MISSED_SCAN_SECONDS: '1',
      ENGINE_MISSED_GRACE_SECONDS: '2',
      ENGINE_MISSED_MAX_PER_ACTION: '3',
    };
    engines = [await startEngine(proxiedDb, env), await startEngine(proxiedDb, env)];
    client = await sql(db.url);
    const projectId = (await client.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('missed') RETURNING id")).rows[0]!.id;
    const action = (
      await client.query<{ id: string; updated_at: Date }>(
        `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, timeout_ms)
         VALUES ($1, 'every-second', 'tcp_port', '* * * * * *', $2, 1000) RETURNING id, updated_at`,
        [projectId, JSON.stringify({ host: '127.0.0.1', port: Number(new URL(engines[0]!.url).port) })],
      )
    ).rows[0]!;
    actionId = action.id;
    createdAt = action.updated_at;
  }, 60_000);

  afterAll(async () => {
    await pgProxy?.restore().catch(() => undefined);
    await redisProxy?.restore().catch(() => undefined);
    await Promise.all(engines.map((e) => e.close()));
    await client?.end();
    await pgProxy?.cut();
    await redisProxy?.cut();
    await queue?.cleanup();
    await db?.drop();
  });

  const runs = async (): Promise<RunRow[]> =>
    (await client.query<RunRow>('SELECT job_id, scheduled_at, status, message, output FROM audit.runs WHERE action_id = $1 ORDER BY scheduled_at', [actionId]))
      .rows;

  /** Every whole second in [from, to] is covered by exactly one run (its own, or a summary's range). */
  const coverage = (rows: RunRow[], from: number, to: number): { uncovered: number[]; doubled: number[] } => {
    const count = new Map<number, number>();
    for (const row of rows) {
      const at = row.scheduled_at.getTime();
      const end = row.output.missed ? Date.parse(row.output.missed.to) : at;
      for (let ms = at; ms <= end; ms += 1000) count.set(ms, (count.get(ms) ?? 0) + 1);
    }
    const uncovered: number[] = [];
    const doubled: number[] = [];
    for (let ms = Math.ceil(from / 1000) * 1000; ms <= to; ms += 1000) {
      const n = count.get(ms) ?? 0;
      if (n === 0) uncovered.push(ms);
      if (n > 1) doubled.push(ms);
    }
    return { uncovered, doubled };
  };

  /** The scanner a freshly booted engine has (no previous scan: the full lookback), on engine `i`'s pool. */
  const freshScanner = (i: number): MissedFiringService => {
    const app = engines[i]!.app;
    return new MissedFiringService(
      app.get(ENGINE_CONFIG),
      app.get(ENGINE_PG),
      app.get(ActionRegistry),
      app.get(RunWriter),
      app.get(EngineMetrics),
      app.get(SchedulerRegistry),
    );
  };

  const outage = async (proxy: TcpProxy, seconds: number): Promise<{ from: number; to: number }> => {
    const from = Date.now();
    await proxy.cut();
    await hold(seconds * 1000); // the fault's duration, not a synchronisation
    await proxy.restore();
    return { from, to: Date.now() };
  };

  const report = (what: string, rows: RunRow[], window: { from: number; to: number }): void => {
    const inWindow = rows.filter((r) => r.scheduled_at.getTime() >= window.from - 1000 && r.scheduled_at.getTime() <= window.to);
    const missed = inWindow.filter((r) => r.message.startsWith('missed: '));
    const firings = missed.reduce((n, r) => n + (r.output.missed?.count ?? 1), 0);
    console.log(
      `${what}: ${Math.round((window.to - window.from) / 1000)} s outage, ${missed.length} missed-firing runs covering ${firings} firings, ${inWindow.length - missed.length} real runs`,
    );
  };

  it('a PostgreSQL outage: every missed firing becomes one "missed: …" error run after recovery, none twice across two engines', async () => {
    await waitFor('first runs', async () => ((await runs()).length >= 2 ? true : undefined), 20_000, 200);
    const window = await outage(pgProxy, 6);
    const rows = await waitFor(
      'every firing of the outage covered',
      async () => {
        const all = await runs();
        return coverage(all, window.from, window.to).uncovered.length === 0 ? all : undefined;
      },
      30_000,
      250,
    );
    const { doubled } = coverage(rows, window.from - 3000, window.to);
    expect(doubled).toEqual([]);
    const missed = rows.filter((r) => r.message.startsWith('missed: '));
    expect(missed.length).toBeGreaterThan(0);
    for (const run of missed) {
      expect(run).toMatchObject({ status: 'error', output: { error: { code: 'missed' } } });
      expect(run.job_id).toBe(`repeat:${actionId}:${run.scheduled_at.getTime()}`);
    }
    report('PostgreSQL cut', rows, window);
  }, 60_000);

  it('a Redis outage: the firings the queue never produced are recorded too', async () => {
    const window = await outage(redisProxy, 5);
    const rows = await waitFor(
      'every firing of the Redis outage covered',
      async () => {
        const all = await runs();
        return coverage(all, window.from, window.to).uncovered.length === 0 ? all : undefined;
      },
      30_000,
      250,
    );
    expect(coverage(rows, window.from - 3000, window.to).doubled).toEqual([]);
    expect(rows.filter((r) => r.scheduled_at.getTime() >= window.from && r.message.startsWith('missed: ')).length).toBeGreaterThan(0);
    report('Redis cut', rows, window);
  }, 60_000);

  it('a restarted engine (fresh scanner state) rescanning both outages adds no trace: idempotent by firing key', async () => {
    await client.query("UPDATE audit.actions SET status = 'paused', updated_at = now() WHERE id = $1", [actionId]);
    const pausedAt = Date.now();
    const before = (await runs()).filter((r) => r.message.startsWith('missed: ')).length;
    // Active with its original version, and one scanner per engine as a freshly booted process has (full lookback).
    await client.query("UPDATE audit.actions SET status = 'active', updated_at = $2 WHERE id = $1", [actionId, createdAt]);
    const results = await Promise.all([freshScanner(0).scan(pausedAt), freshScanner(1).scan(pausedAt)]);
    await client.query("UPDATE audit.actions SET status = 'paused', updated_at = now() WHERE id = $1", [actionId]);
    expect(results.filter((r) => r !== null).length).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + (r?.runs ?? 0), 0)).toBe(0);
    const rows = await runs();
    expect(rows.filter((r) => r.message.startsWith('missed: ')).length).toBe(before);
    const perFiring = new Map<number, number>();
    for (const row of rows) perFiring.set(row.scheduled_at.getTime(), (perFiring.get(row.scheduled_at.getTime()) ?? 0) + 1);
    expect([...perFiring.values()].filter((n) => n > 1)).toEqual([]);
    console.log(`rescan by 2 fresh scanners: ${rows.length} runs, ${before} missed-firing runs before and after, 0 firings with two runs`);
  }, 60_000);

  it('a long gap (every engine down for a minute) leaves bounded traces: 3 runs, then one summary; a second scanner adds none', async () => {
    const projectId = (await client.query<{ project_id: string }>('SELECT project_id FROM audit.actions WHERE id = $1', [actionId])).rows[0]!.project_id;
    const since = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const longGap = (
      await client.query<{ id: string }>(
        `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, timeout_ms, updated_at)
         VALUES ($1, 'long-gap', 'tcp_port', '* * * * * *', $2, 1000, $3) RETURNING id`,
        [projectId, JSON.stringify({ host: '127.0.0.1', port: Number(new URL(engines[0]!.url).port) }), since],
      )
    ).rows[0]!.id;
    const insertedAt = Date.now();
    const first = await waitFor('a scan holding the lock', async () => (await freshScanner(0).scan(insertedAt)) ?? undefined, 10_000, 100);
    const second = await waitFor('a scan holding the lock', async () => (await freshScanner(1).scan(insertedAt)) ?? undefined, 10_000, 100);
    await client.query("UPDATE audit.actions SET status = 'paused', updated_at = now() WHERE id = $1", [longGap]);
    const traces = (
      await client.query<RunRow>(
        "SELECT job_id, scheduled_at, status, message, output FROM audit.runs WHERE action_id = $1 AND output ? 'missed' AND scheduled_at <= $2 ORDER BY scheduled_at",
        [longGap, new Date(insertedAt - 3000)],
      )
    ).rows;
    const summaries = traces.filter((r) => r.output.missed!.count > 1);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.message).toMatch(/^missed: \d+ firings from /);
    expect(traces.length).toBeLessThanOrEqual(3 + 1 + 6); // the engines' own 1-second scans may have written the newest few first
    expect(coverage(traces, since.getTime() + 1000, insertedAt - 3000)).toEqual({ uncovered: [], doubled: [] });
    expect(second.runs).toBe(0);
    const firings = traces.reduce((n, r) => n + r.output.missed!.count, 0);
    console.log(
      `long gap: ${firings} firings missed, ${traces.length} trace runs (1 summary of ${summaries[0]!.output.missed!.count}); first scan wrote ${first.runs}, second ${second.runs}`,
    );
  }, 60_000);
});
