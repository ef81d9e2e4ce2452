import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import IORedis from 'ioredis';
import { Pool } from 'pg';
import { createScratchDatabase, type BenchRunner } from './bench-runner.util';
import { seedOverviewData } from './engine.bench';
import { startChild, stopChild, waitForHttp } from '../process/child-process.util';

const ROOT = join(__dirname, '..', '..', '..');
const REGISTER = join(ROOT, 'tools', 'bin', 'register.js');
const DASHBOARD = join(ROOT, 'apps', 'dashboard');
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
/** The dashboard's session cookie (what sign-in sets after the gateway accepted the token). */
const SESSION_COOKIE = 'auditstack_session';

export interface DashboardBenchOptions {
  /** Server-level PostgreSQL URL; a scratch database is created and dropped. @defaultValue `postgres://postgres@127.0.0.1:5432/postgres` */
  pgAdminUrl?: string;
  /** @defaultValue `redis://127.0.0.1:6379` */
  redisUrl?: string;
  /** Data set, the engine bench's overview set: projects × checks, stored runs. @defaultValue 1000 × 8, 1,000,000 */
  projects?: number;
  checksPerProject?: number;
  runs?: number;
  /** Timed requests per page (after 10 warm-up requests). @defaultValue 200 */
  requests?: number;
  log?: (line: string) => void;
}

interface Sample {
  readonly status: number;
  /** Time to the first byte of the answer. */
  readonly ttfbMs: number;
  /** Time to the last byte (the page streams: this is the whole server response). */
  readonly totalMs: number;
  /** Bytes on the wire (body as sent, compressed when the server compressed it). */
  readonly bytes: number;
}

export interface PageFigures {
  readonly path: string;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly ttfbP95Ms: number;
  readonly maxBytes: number;
}

export interface DashboardBenchReport {
  readonly projects: number;
  readonly runs: number;
  readonly baseline: PageFigures;
  readonly pages: readonly PageFigures[];
  readonly largestPage: { readonly path: string; readonly bytes: number };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** One GET as a browser makes it (session cookie, gzip accepted); bytes counted as transferred. */
function timedGet(url: string, cookie: string): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let ttfb = 0;
    let bytes = 0;
    const req = request(url, { headers: { cookie, 'accept-encoding': 'gzip, br', accept: 'text/html' } }, (res) => {
      ttfb = performance.now() - start;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfbMs: ttfb, totalMs: performance.now() - start, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measurePage(base: string, path: string, cookie: string, n: number): Promise<PageFigures> {
  const samples: Sample[] = [];
  for (let i = 0; i < n + 10; i++) {
    const sample = await timedGet(`${base}${path}`, cookie);
    if (sample.status !== 200) throw new Error(`GET ${path} answered ${sample.status}`);
    if (i >= 10) samples.push(sample);
  }
  const totals = samples.map((s) => s.totalMs);
  return {
    path,
    p50Ms: percentile(totals, 50),
    p95Ms: percentile(totals, 95),
    ttfbP95Ms: percentile(
      samples.map((s) => s.ttfbMs),
      95,
    ),
    maxBytes: Math.max(...samples.map((s) => s.bytes)),
  };
}

/**
 * `npm run bench -- dashboard` (issue 6): the built dashboard (`next start`) over a real engine and
 * gateway, on the engine bench's data set (1,000 projects × 8 checks, 1,000,000 runs; seeded by
 * {@link seedOverviewData}). Signed in (the session cookie sign-in sets), it times the overview page
 * and a scorecard page as whole server responses (p50/p95, goal p95 < 200 ms), against the
 * dashboard's own no-op route `/ping` on the same server as the baseline, and reports the largest
 * page as transferred (gzip accepted).
 */
export async function measureDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!existsSync(join(DASHBOARD, '.next', 'BUILD_ID'))) throw new Error('the dashboard is not built: run `npx nx run dashboard:build` first');
  const adminUrl = options.pgAdminUrl ?? process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const nProjects = options.projects ?? 1000;
  const checksPerProject = options.checksPerProject ?? 8;
  const nRuns = options.runs ?? 1_000_000;
  const nRequests = options.requests ?? 200;
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const scratch = await createScratchDatabase(adminUrl);
  const { name: dbName, url, token } = scratch;
  const home = mkdtempSync(join(tmpdir(), 'auditstack-dash-bench-'));
  const children: ChildProcess[] = [];
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    log(`dashboard bench: seeding ${nProjects} projects × ${checksPerProject} checks and ${nRuns} runs in ${dbName}…`);
    const runProjectId = (await pool.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('bench-load') RETURNING id")).rows[0]!.id;
    await seedOverviewData(pool, { projects: nProjects, checksPerProject, runs: nRuns, runProjectId });
    const scorecardProject = (await pool.query<{ id: string }>("SELECT id FROM audit.projects WHERE name = 'bench-1'")).rows[0]!.id;

    const port = (): number => 20_000 + Math.floor(Math.random() * 20_000);
    const enginePort = port();
    const gatewayPort = port();
    const dashboardPort = port();
    const common = { ...process.env, DATABASE_URL: url, REDIS_URL: redisUrl, AUDITSTACK_HOME: home, LOG_LEVEL: 'warn' };
    const engine = startChild('engine', process.execPath, ['-r', REGISTER, join(ROOT, 'apps/engine/src/main.ts')], {
      ...common,
      ENGINE_PORT: String(enginePort),
      ENGINE_QUEUE_PREFIX: prefix,
    });
    children.push(engine);
    const gateway = startChild('gateway', process.execPath, ['-r', REGISTER, join(ROOT, 'apps/gateway/src/main.ts')], {
      ...common,
      GATEWAY_PORT: String(gatewayPort),
      AUDIT_BACKEND: 'postgres',
    });
    children.push(gateway);
    await waitForHttp(`http://127.0.0.1:${enginePort}/ping`, 300_000, engine);
    await waitForHttp(`http://127.0.0.1:${gatewayPort}/ping`, 60_000, gateway);
    const dashboard = startChild(
      'dashboard',
      process.execPath,
      [NEXT_BIN, 'start', '-p', String(dashboardPort), '-H', '127.0.0.1'],
      {
        ...process.env,
        ENGINE_URL: `http://127.0.0.1:${enginePort}`,
        GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
      },
      DASHBOARD,
    );
    children.push(dashboard);
    const base = `http://127.0.0.1:${dashboardPort}`;
    await waitForHttp(`${base}/ping`, 60_000, dashboard);

    // Signed in: the cookie the sign-in form sets once the gateway accepted the token.
    const cookie = `${SESSION_COOKIE}=${token}`;
    const signedIn = await timedGet(`${base}/`, cookie);
    if (signedIn.status !== 200) throw new Error(`the overview answered ${signedIn.status} with the session cookie (not signed in?)`);

    log(`timing ${nRequests} requests per page (after 10 warm-up requests), one at a time…`);
    const baseline = await measurePage(base, '/ping', cookie, nRequests);
    const pages = [await measurePage(base, '/', cookie, nRequests), await measurePage(base, `/projects/${scorecardProject}`, cookie, nRequests)];
    const largest = pages.reduce((a, b) => (b.maxBytes > a.maxBytes ? b : a));
    const report: DashboardBenchReport = { projects: nProjects, runs: nRuns, baseline, pages, largestPage: { path: largest.path, bytes: largest.maxBytes } };

    const ms = (v: number): string => `${v.toFixed(1)} ms`;
    const ratio = (v: number): string => `${(v / baseline.p95Ms).toFixed(1)}× baseline`;
    log(
      [
        '',
        `dashboard bench (next start, signed in; ${nProjects} projects × ${checksPerProject} checks, ${nRuns} runs stored)`,
        `${'  baseline GET /ping (no-op route)'.padEnd(36)} p50 ${ms(baseline.p50Ms)}, p95 ${ms(baseline.p95Ms)}`,
        ...pages.map(
          (p) =>
            `  GET ${p.path === '/' ? '/ (overview)' : '/projects/:id (scorecard)'}`.padEnd(36) +
            ` p50 ${ms(p.p50Ms)}, p95 ${ms(p.p95Ms)} (${ratio(p.p95Ms)}; goal p95 < 200 ms), first byte p95 ${ms(p.ttfbP95Ms)}, ${(p.maxBytes / 1024).toFixed(1)} KiB`,
        ),
        `${'  largest page transferred'.padEnd(36)} ${(report.largestPage.bytes / 1024).toFixed(1)} KiB (${report.largestPage.path === '/' ? 'overview' : 'scorecard'}, gzip accepted)`,
      ].join('\n'),
    );
    return report;
  } finally {
    for (const child of children.reverse()) await stopChild(child, 15_000);
    const redis = new IORedis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    try {
      await redis.connect();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } catch {
      // Redis cleanup is best effort: the queue names are unique to this run.
    } finally {
      redis.disconnect();
    }
    await pool.end();
    await scratch.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- dashboard [--scale f] [--runs N]`: {@link measureDashboard} with the issue's
 * sizes times `scale`; `--runs` (or BENCH_RUNS) sets the stored runs alone, e.g. a small N on a
 * shared machine.
 */
export const runDashboardBench: BenchRunner = async ({ scale, runs }) => {
  const n = (value: number): number => Math.max(1, Math.round(value * scale));
  const envRuns = process.env.BENCH_RUNS ? Number(process.env.BENCH_RUNS) : undefined;
  await measureDashboard({
    projects: process.env.BENCH_PROJECTS ? Number(process.env.BENCH_PROJECTS) : n(1000),
    runs: runs ?? envRuns ?? n(1_000_000),
    ...(process.env.BENCH_REQUESTS ? { requests: Number(process.env.BENCH_REQUESTS) } : {}),
  });
};
