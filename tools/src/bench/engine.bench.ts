import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { QUEUES } from '@auditstack/audit-core';
import { createEngineClient, type FetchLike } from '@auditstack/client';
import { createScratchDatabase, type BenchRunner } from './bench-runner.util';
import { startChild, stopChild, waitForHttp } from '../process/child-process.util';

const ROOT = join(__dirname, '..', '..', '..');
const REGISTER = join(ROOT, 'tools', 'bin', 'register.js');

/** Options of {@link runEngineBench}; every figure has a default that matches the goals. */
export interface EngineBenchOptions {
  /** Server-level PostgreSQL URL; a scratch database is created and dropped. @defaultValue `postgres://postgres@127.0.0.1:5432/postgres` */
  pgAdminUrl?: string;
  /** @defaultValue `redis://127.0.0.1:6379` */
  redisUrl?: string;
  /** Active actions on the engine. @defaultValue 10000 */
  actions?: number;
  /** Seconds of scheduled firings measured. @defaultValue 60 */
  seconds?: number;
  /** Engine worker concurrency. @defaultValue 50 */
  concurrency?: number;
  /** Overview data set: projects × checks per project, and stored runs. @defaultValue 1000 × 8, 1,000,000 */
  projects?: number;
  checksPerProject?: number;
  runs?: number;
  /** Overview requests timed. @defaultValue 200 */
  overviewRequests?: number;
  log?: (line: string) => void;
}

export interface EngineBenchReport {
  actions: number;
  bootSyncSeconds: number;
  firings: number;
  lagP50Ms: number;
  lagP99Ms: number;
  updateToRescheduledP50Ms: number;
  updateToRescheduledP99Ms: number;
  engineRunsPerCpuSecond: number;
  loopRequestsPerCpuSecond: number;
  /** engine ÷ loop: the share of a plain loop's throughput per core the engine keeps (1 = no overhead). */
  ratio: number;
  overviewP50Ms: number;
  overviewP95Ms: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** CPU seconds (user + system) a Linux process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat (1-based), i.e. 11 and 12 after the comm field.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The overview data set of the engine bench (shared with the dashboard bench): `projects` projects
 * named `bench-1…` with `checksPerProject` latest check results each (mixed pass/warn/fail), and
 * `runs` stored runs of `runProjectId`, one per second back from now. Ends with ANALYZE.
 */
export async function seedOverviewData(
  pool: Pick<Pool, 'query'>,
  options: { readonly projects: number; readonly checksPerProject: number; readonly runs: number; readonly runProjectId: string },
): Promise<void> {
  await pool.query(`INSERT INTO audit.projects (name) SELECT 'bench-' || i FROM generate_series(1, $1) AS i`, [options.projects]);
  await pool.query(
    `INSERT INTO audit.check_results (project_id, target, check_id, action_id, run_id, status, message, checked_at)
     SELECT p.id, 'example-' || p.name || '.test', 'check.' || c, gen_random_uuid(), gen_random_uuid(),
            (ARRAY['pass','pass','pass','warn','fail'])[1 + (abs(hashtext(p.name || c)) % 5)], 'bench', now() - (c || ' minutes')::interval
     FROM audit.projects p CROSS JOIN generate_series(1, $1) AS c WHERE p.name LIKE 'bench-%' AND p.name <> 'bench-load'`,
    [options.checksPerProject],
  );
  await pool.query(
    `INSERT INTO audit.runs (scheduled_at, job_id, action_id, project_id, action_type, trigger, status, message, output,
                             started_at, finished_at, duration_ms)
     SELECT ts, 'bench:' || i, $2::uuid, $2::uuid, 'http', 'schedule', 'pass', '', '{}'::jsonb, ts, ts, 1
     FROM (SELECT i, now() - (i || ' seconds')::interval AS ts FROM generate_series(1, $1) AS i) s`,
    [options.runs, options.runProjectId],
  );
  await pool.query('ANALYZE audit.runs; ANALYZE audit.check_results; ANALYZE audit.projects');
}

/**
 * `npm run bench -- engine` (ARCHITECTURE §6, issue 4): one engine in service
 * mode with N active actions against a local HTTP target.
 *
 * - schedule lag p50/p99 (goal p99 < 1 s): `started_at − scheduled_at` of the runs written;
 * - UPDATE → re-scheduled p50/p99 (goal < 2 s): an SQL schedule change until the BullMQ job scheduler shows it;
 * - runs per engine CPU-second vs the same HTTP requests from a plain loop;
 * - overview API p95 at 1,000 projects × 8 checks with 1,000,000 runs stored (goal < 50 ms).
 */
export async function measureEngine(options: EngineBenchOptions = {}): Promise<EngineBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const adminUrl = options.pgAdminUrl ?? process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const nActions = options.actions ?? 10_000;
  const seconds = options.seconds ?? 60;
  const concurrency = options.concurrency ?? 50;
  const nProjects = options.projects ?? 1000;
  const checksPerProject = options.checksPerProject ?? 8;
  const nRuns = options.runs ?? 1_000_000;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const scratch = await createScratchDatabase(adminUrl);
  const { name: dbName, url, token } = scratch;
  let engine: ChildProcess | null = null;
  let target: Server | null = null;
  const pool = new Pool({ connectionString: url, max: 4 });
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.checks, { connection: redis, prefix });
  try {
    target = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    await new Promise<void>((r) => target!.listen(0, '127.0.0.1', () => r()));
    const targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}/`;

    // N actions, each once a minute at second i mod 60: an even load of N/60 firings per second.
    log(`engine bench: ${nActions} actions, ${seconds} s, concurrency ${concurrency}, database ${dbName}`);
    const projectId = (await pool.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('bench-load') RETURNING id")).rows[0]!.id;
    await pool.query(
      `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, timeout_ms)
       SELECT $1, 'a' || i, 'http', (i % 60) || ' * * * * *', $2::jsonb, 10000 FROM generate_series(0, $3 - 1) AS i`,
      [projectId, JSON.stringify({ url: targetUrl, evidence_headers: [] }), nActions],
    );

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const bootAt = Date.now();
    engine = startChild('engine', process.execPath, ['-r', REGISTER, join(ROOT, 'apps/engine/src/main.ts')], {
      ...process.env,
      DATABASE_URL: url,
      REDIS_URL: redisUrl,
      ENGINE_QUEUE_PREFIX: prefix,
      ENGINE_PORT: String(port),
      ENGINE_CONCURRENCY: String(concurrency),
      ENGINE_ALLOW_SECOND_SCHEDULES: 'true',
      DATABASE_POOL_MAX: '20',
      // Time the overview's query, not the engine's short-lived card cache.
      ENGINE_OVERVIEW_CACHE_MS: '0',
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`http://127.0.0.1:${port}/ping`, 600_000, engine);
    const bootSyncSeconds = (Date.now() - bootAt) / 1000;
    log(`engine up with ${await queue.getJobSchedulersCount()} job schedulers after ${bootSyncSeconds.toFixed(1)} s`);

    // Schedule lag and throughput over the window.
    const windowStart = new Date();
    const cpu0 = cpuSeconds(engine.pid!);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = cpuSeconds(engine.pid!);
    const windowEnd = new Date();
    const { rows: lagRows } = await pool.query<{ lag_ms: number }>(
      `SELECT EXTRACT(EPOCH FROM (started_at - scheduled_at)) * 1000 AS lag_ms FROM audit.runs
       WHERE trigger = 'schedule' AND scheduled_at >= $1 AND scheduled_at < $2`,
      [windowStart, windowEnd],
    );
    const lags = lagRows.map((r) => Number(r.lag_ms));
    const { rows: doneRows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.runs WHERE finished_at >= $1 AND finished_at < $2', [
      windowStart,
      windowEnd,
    ]);
    const engineRunsPerCpuSecond = doneRows[0]!.n / Math.max(0.01, cpu1 - cpu0);
    log(`firings measured: ${lags.length}; runs finished: ${doneRows[0]!.n}; engine CPU ${(cpu1 - cpu0).toFixed(1)} s`);

    // Time from an SQL UPDATE to the job scheduler showing the new schedule.
    const { rows: sample } = await pool.query<{ id: string }>('SELECT id FROM audit.actions ORDER BY random() LIMIT 20');
    const reschedule: number[] = [];
    for (const [i, { id }] of sample.entries()) {
      const pattern = `${(i * 7) % 60} ${(i * 11) % 60} * * * *`;
      const t = Date.now();
      await pool.query('UPDATE audit.actions SET schedule = $2, updated_at = now() WHERE id = $1', [id, pattern]);
      for (;;) {
        const scheduler = await queue.getJobScheduler(id);
        if (scheduler?.pattern === pattern) break;
        if (Date.now() - t > 30_000) throw new Error(`action ${id} was not re-scheduled within 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      reschedule.push(Date.now() - t);
    }
    await pool.query("UPDATE audit.actions SET status = 'paused'");
    // Let the engine drain what is queued (paused actions are skipped), so the overview is timed on an idle engine.
    const drainUntil = Date.now() + 180_000;
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) === 0 || Date.now() > drainUntil) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    // The same HTTP requests from a plain loop, per CPU-second of this process.
    const loopCount = Math.max(2000, doneRows[0]!.n);
    const loopCpu0 = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < loopCount) await (await fetch(targetUrl)).text();
      }),
    );
    const loopCpu = process.cpuUsage(loopCpu0);
    const loopRequestsPerCpuSecond = loopCount / Math.max(0.01, (loopCpu.user + loopCpu.system) / 1e6);

    // Overview at scale: projects × checks of latest results and a million stored runs.
    log(`loading ${nProjects} projects × ${checksPerProject} checks and ${nRuns} runs for the overview…`);
    await seedOverviewData(pool, { projects: nProjects, checksPerProject, runs: nRuns, runProjectId: projectId });
    const overview: number[] = [];
    const nRequests = options.overviewRequests ?? 200;
    // Timed from send to the last byte of the answer, as before: the SDK's parse of the body
    // through the overview's response schema (which also checks the contract) happens after.
    let received = 0;
    const receivedAt: FetchLike = async (input, init) => {
      const res = await fetch(input, init);
      const body = await res.arrayBuffer();
      received = performance.now();
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
    const engineClient = createEngineClient({ baseUrl: `http://127.0.0.1:${port}`, token, fetch: receivedAt, retry: { retries: 0 } });
    for (let i = 0; i < nRequests + 10; i++) {
      const t = performance.now();
      await engineClient.getOverview();
      if (i >= 10) overview.push(received - t);
    }

    const report: EngineBenchReport = {
      actions: nActions,
      bootSyncSeconds,
      firings: lags.length,
      lagP50Ms: percentile(lags, 50),
      lagP99Ms: percentile(lags, 99),
      updateToRescheduledP50Ms: percentile(reschedule, 50),
      updateToRescheduledP99Ms: percentile(reschedule, 99),
      engineRunsPerCpuSecond,
      loopRequestsPerCpuSecond,
      ratio: engineRunsPerCpuSecond / loopRequestsPerCpuSecond,
      overviewP50Ms: percentile(overview, 50),
      overviewP95Ms: percentile(overview, 95),
    };
    const ms = (v: number): string => `${v.toFixed(1)} ms`;
    log(
      [
        '',
        `engine bench (${nActions} active actions, service mode, local HTTP target)`,
        `  boot + initial sync          ${report.bootSyncSeconds.toFixed(1)} s`,
        `  schedule lag                 p50 ${ms(report.lagP50Ms)}, p99 ${ms(report.lagP99Ms)} over ${report.firings} firings (goal p99 < 1 s)`,
        `  UPDATE → re-scheduled        p50 ${ms(report.updateToRescheduledP50Ms)}, p99 ${ms(report.updateToRescheduledP99Ms)} (goal < 2 s)`,
        `  runs per engine CPU-second   ${report.engineRunsPerCpuSecond.toFixed(1)} vs plain loop ${report.loopRequestsPerCpuSecond.toFixed(1)} requests/CPU-s (ratio ${report.ratio.toFixed(3)})`,
        `  GET /v1/overview             p50 ${ms(report.overviewP50Ms)}, p95 ${ms(report.overviewP95Ms)} at ${nProjects} projects × ${checksPerProject} checks, ${nRuns} runs (uncached; goal p95 < 50 ms)`,
      ].join('\n'),
    );
    return report;
  } finally {
    if (engine) await stopChild(engine, 15_000);
    await new Promise((r) => (target ? target.close(r) : r(undefined)));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await pool.end();
    await scratch.drop();
  }
}

/**
 * `npm run bench -- engine [--scale f]`: {@link measureEngine} with the issue's
 * sizes times `scale` (the window stays 60 s; BENCH_SECONDS overrides it).
 */
export const runEngineBench: BenchRunner = async ({ scale }) => {
  const n = (value: number): number => Math.max(1, Math.round(value * scale));
  await measureEngine({
    actions: n(10_000),
    projects: n(1000),
    runs: n(1_000_000),
    ...(process.env.BENCH_SECONDS ? { seconds: Number(process.env.BENCH_SECONDS) } : {}),
  });
};

if (require.main === module) {
  const n = (key: string): number | undefined => (process.env[key] ? Number(process.env[key]) : undefined);
  measureEngine({
    actions: n('BENCH_ACTIONS'),
    seconds: n('BENCH_SECONDS'),
    concurrency: n('BENCH_CONCURRENCY'),
    projects: n('BENCH_PROJECTS'),
    runs: n('BENCH_RUNS'),
  }).catch((error: unknown) => {
    console.error(`engine bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
