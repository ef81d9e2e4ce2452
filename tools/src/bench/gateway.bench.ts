import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createGatewayClient } from '@auditstack/client';
import { startChild, stopChild, waitForHttp } from '../process/child-process.util';
import { createScratchDatabase, type BenchRunner } from './bench-runner.util';

const ROOT = join(__dirname, '..', '..', '..');
const REGISTER = join(ROOT, 'tools', 'bin', 'register.js');

/** Issue 5 goals on the reference 2-core machine. */
const GOALS = { batchedRatio: 0.5, singleP99Ms: 50, digestSeconds: 60 };

/** Options of {@link measureGateway}; the defaults are the sizes. */
export interface GatewayBenchOptions {
  /** Server-level PostgreSQL URL; a scratch database is created and dropped. @defaultValue `postgres://postgres@127.0.0.1:5432/postgres` */
  pgAdminUrl?: string;
  /** Events sent in batches of 1,000 through HTTP (and COPYed for the baseline). @defaultValue 200000 */
  batchedEvents?: number;
  /** Batches in flight at once. @defaultValue 4 */
  batchedConcurrency?: number;
  /** Fixed rate of single-event POSTs, per second. @defaultValue 5000 */
  singleRate?: number;
  /** Seconds of single-event POSTs. @defaultValue 15 */
  singleSeconds?: number;
  /** Tool events stored for the digest timing. @defaultValue 10000000 */
  digestEvents?: number;
  log?: (line: string) => void;
}

export interface GatewayBenchReport {
  batchedEventsPerSecond: number;
  /** Tool-call log records per second through `POST /v1/otlp/v1/logs` (OTLP/HTTP protobuf, 1,000 per export, same concurrency). */
  otlpEventsPerSecond: number;
  copyRowsPerSecond: number;
  batchedRatio: number;
  singleRequests: number;
  singleAchievedPerSecond: number;
  singleErrors: number;
  singleP50Ms: number;
  singleP99Ms: number;
  noopP50Ms: number;
  noopP99Ms: number;
  digestEvents: number;
  finopsSeconds: number;
  privacySeconds: number;
}

const TOOLS = ['github', 'jira', 'slack', 'read_file', 'write_file', 'search', 'sql', 'browser'];

function toolEvent(i: number, ts: string): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    ts,
    req_id: `req-${i}`,
    workspace_id: `ws-${i % 10}`,
    user_id: `u-${i % 500}`,
    agent_id: `agent-${i % 20}`,
    tool: TOOLS[i % TOOLS.length],
    action: 'call',
    status: i % 50 === 0 ? 'error' : 'ok',
    duration_ms: (i * 7) % 2000,
    in_size: (i * 13) % 10_000,
    out_size: (i * 17) % 100_000,
    input_hash: randomBytes(32).toString('hex'),
  };
}

const COLUMNS = [
  'event_id',
  'ts',
  'req_id',
  'workspace_id',
  'user_id',
  'agent_id',
  'tool',
  'action',
  'status',
  'duration_ms',
  'in_size',
  'out_size',
  'input_hash',
] as const;

// The OpenTelemetry project's protobufjs root (generated from opentelemetry-proto), as an OTLP exporter encodes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OTLP_ROOT = require('@opentelemetry/otlp-transformer/build/src/generated/root') as {
  opentelemetry: {
    proto: { collector: { logs: { v1: { ExportLogsServiceRequest: { fromObject(o: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } } } } } };
  };
};

/** One OTLP `ExportLogsServiceRequest` (protobuf) of GenAI `execute_tool` log records, the OTLP twin of {@link toolEvent}. */
function otlpToolExport(first: number, count: number, timeUnixNano: string): Buffer {
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const int = (key: string, value: number) => ({ key, value: { intValue: value } });
  const logRecords = Array.from({ length: count }, (_, k) => {
    const i = first + k;
    return {
      timeUnixNano,
      severityNumber: 9,
      attributes: [
        str('gen_ai.operation.name', 'execute_tool'),
        str('gen_ai.tool.name', TOOLS[i % TOOLS.length]!),
        str('gen_ai.tool.call.id', `otlp-req-${i}`),
        str('gen_ai.agent.id', `agent-${i % 20}`),
        str('auditstack.workspace_id', `ws-${i % 10}`),
        str('auditstack.user_id', `u-${i % 500}`),
        int('auditstack.duration_ms', (i * 7) % 2000),
        int('auditstack.tool.in_size', (i * 13) % 10_000),
        int('auditstack.tool.out_size', (i * 17) % 100_000),
        str('auditstack.tool.input_hash', randomBytes(32).toString('hex')),
      ],
    };
  });
  const type = OTLP_ROOT.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
  const message = type.fromObject({
    resourceLogs: [{ resource: { attributes: [str('service.name', 'bench-agents')] }, scopeLogs: [{ scope: { name: 'bench' }, logRecords }] }],
  });
  return Buffer.from(type.encode(message).finish());
}

/** COPY text format of one event (no value here needs escaping). */
function copyLine(e: Record<string, unknown>): string {
  return `${COLUMNS.map((c) => String(e[c])).join('\t')}\n`;
}

interface LoadResult {
  requests: number;
  /** Requests answered per second (below the asked rate when the server cannot keep up). */
  achieved: number;
  errors: number;
  p50: number;
  p99: number;
}

/** Single-event POSTs at a fixed overall rate; latency is from send to the full answer (the acknowledgement). */
async function fixedRate(url: string, token: string | null, rate: number, seconds: number, body: () => string): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    // Enough connections to hold the rate at ~50 ms per answer (autocannon keeps one request in flight per connection).
    connections: Math.max(10, Math.ceil(rate / 20)),
    overallRate: rate,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return {
    requests: result.requests.total,
    achieved: result.requests.total / seconds,
    errors: result.errors + result.timeouts + result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/**
 * `npm run bench -- gateway` (issue 5), in one run on one scratch database:
 *
 * - batched ingest events/s through HTTP (batches of 1,000, ledger on) vs a raw
 *   COPY of the same rows into a table of the same shape and indexes (goal ≥ 0.5×);
 * - the same number of tool calls as OTLP/HTTP protobuf exports (issue 14): events/s
 *   next to the native JSON batches;
 * - single-event POSTs at a fixed 5,000/s (autocannon): p50/p99 acknowledgement
 *   latency (goal p99 ≤ 50 ms) vs a no-op Fastify handler driven the same way;
 * - the FinOps and privacy dashboards over 10 million tool events in their
 *   24-hour window (goal < 60 s each).
 */
export async function measureGateway(options: GatewayBenchOptions = {}): Promise<GatewayBenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const adminUrl = options.pgAdminUrl ?? process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const batchedEvents = Math.max(1000, Math.round((options.batchedEvents ?? 200_000) / 1000) * 1000);
  const concurrency = options.batchedConcurrency ?? 4;
  const singleRate = options.singleRate ?? 5000;
  const singleSeconds = options.singleSeconds ?? 15;
  const digestEvents = options.digestEvents ?? 10_000_000;
  const scratch = await createScratchDatabase(adminUrl);
  const { name: dbName, url, token } = scratch;
  const home = mkdtempSync(join(tmpdir(), 'auditstack-bench-gw-'));
  const pool = new Pool({ connectionString: url, max: 2 });
  let gateway: ChildProcess | null = null;
  let noop: ChildProcess | null = null;
  try {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to the gateway's node: profile what the figures measure.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    gateway = startChild('gateway', process.execPath, [...nodeArgs, '-r', REGISTER, join(ROOT, 'apps/gateway/src/main.ts')], {
      ...process.env,
      DATABASE_URL: url,
      GATEWAY_PORT: String(port),
      AUDIT_BACKEND: 'postgres',
      AUDITSTACK_HOME: home,
      LOG_LEVEL: 'warn',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/ping`, 60_000, gateway);
    log(
      `gateway bench: database ${dbName}; ${batchedEvents} batched events, ${singleRate}/s single POSTs for ${singleSeconds} s, ${digestEvents} events for the digests`,
    );

    // 1. Batched ingest through HTTP vs raw COPY of the same rows.
    const ts = new Date().toISOString();
    const events = Array.from({ length: batchedEvents }, (_, i) => toolEvent(i, ts));
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < events.length; i += 1000) batches.push(events.slice(i, i + 1000));
    // Through the SDK (typed by the gateway contract, the answer parsed with its schema); no retries,
    // so a 429/503 fails the bench instead of being hidden in the figure.
    const gatewayClient = createGatewayClient({ baseUrl: base, token, retry: { retries: 0 }, timeoutMs: 600_000 });
    const post = async (batch: Record<string, unknown>[]): Promise<void> => {
      const answer = await gatewayClient.ingestToolEvents({ body: batch });
      if (!('results' in answer) || answer.rejected > 0) throw new Error(`ingest rejected events: ${JSON.stringify(answer).slice(0, 200)}`);
    };
    await post([toolEvent(batchedEvents, ts)]); // warm-up: connections, JIT
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batches.length) await post(batches[next++]!);
      }),
    );
    const httpSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit.tool_events')).rows[0]!.n);
    if (stored !== batchedEvents + 1) throw new Error(`expected ${batchedEvents + 1} stored events, found ${stored}`);
    const batchedEventsPerSecond = batchedEvents / httpSeconds;

    await pool.query('CREATE TABLE public.copy_baseline (LIKE audit.tool_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
    const copyClient = await pool.connect();
    let copySeconds: number;
    try {
      const lines = events.map(copyLine);
      const copyStarted = process.hrtime.bigint();
      for (let i = 0; i < lines.length; i += 1000) {
        // One COPY per batch of 1,000, committed, like the ingest's batches.
        await pipeline(
          Readable.from([lines.slice(i, i + 1000).join('')]),
          copyClient.query(copyFrom(`COPY public.copy_baseline (${COLUMNS.join(', ')}) FROM STDIN`)),
        );
      }
      copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
    } finally {
      copyClient.release();
    }
    const copyRowsPerSecond = batchedEvents / copySeconds;
    const batchedRatio = batchedEventsPerSecond / copyRowsPerSecond;
    log(
      `batched ingest (HTTP, 1,000/batch, ${concurrency} in flight, ledger on): ${Math.round(batchedEventsPerSecond).toLocaleString('en-US')} events/s; ` +
        `raw COPY of the same rows: ${Math.round(copyRowsPerSecond).toLocaleString('en-US')} rows/s; ratio ${batchedRatio.toFixed(2)} (goal ≥ ${GOALS.batchedRatio})`,
    );

    // 1b. The same number of tool calls as OTLP/HTTP protobuf exports (1,000 log records each, same concurrency):
    // decode, map, validate and store, ledger on — next to the native JSON figure above.
    const otlpBodies: Buffer[] = [];
    const otlpNanos = `${BigInt(Date.parse(ts)) * 1_000_000n}`;
    for (let i = 0; i < batchedEvents; i += 1000) otlpBodies.push(otlpToolExport(i, 1000, otlpNanos));
    const exportOtlp = async (body: Buffer): Promise<void> => {
      const res = await fetch(`${base}/v1/otlp/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` },
        body,
      });
      const answer = Buffer.from(await res.arrayBuffer());
      // An empty ExportLogsServiceResponse encodes to zero bytes; anything else is a partial success or an error.
      if (res.status !== 200 || answer.length > 0) throw new Error(`OTLP export answered ${res.status} with ${answer.length} bytes`);
    };
    await exportOtlp(otlpToolExport(batchedEvents, 1, otlpNanos)); // warm-up
    let nextOtlp = 0;
    const otlpStarted = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (nextOtlp < otlpBodies.length) await exportOtlp(otlpBodies[nextOtlp++]!);
      }),
    );
    const otlpSeconds = Number(process.hrtime.bigint() - otlpStarted) / 1e9;
    const otlpStored = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit.tool_events WHERE req_id LIKE 'otlp-req-%'`)).rows[0]!.n);
    if (otlpStored !== batchedEvents + 1) throw new Error(`expected ${batchedEvents + 1} OTLP tool events stored, found ${otlpStored}`);
    const otlpEventsPerSecond = batchedEvents / otlpSeconds;
    log(
      `OTLP/HTTP protobuf ingest (1,000 log records/export, ${concurrency} in flight, ledger on): ${Math.round(otlpEventsPerSecond).toLocaleString('en-US')} events/s; ` +
        `native JSON batches in the same run: ${Math.round(batchedEventsPerSecond).toLocaleString('en-US')} events/s (ratio ${(otlpEventsPerSecond / batchedEventsPerSecond).toFixed(2)})`,
    );

    // 2. Single-event POSTs at a fixed rate vs a no-op Fastify handler.
    let i = 0;
    const single = await fixedRate(`${base}/v1/tool-events`, token, singleRate, singleSeconds, () => JSON.stringify(toolEvent(i++, new Date().toISOString())));
    const noopPort = port + 1;
    noop = startChild(
      'noop',
      process.execPath,
      [
        '-e',
        `const f=require('fastify')();f.post('/',async()=>({ok:true}));f.get('/ping',async()=>({status:'ok'}));f.listen({port:${noopPort},host:'127.0.0.1'})`,
      ],
      { ...process.env },
      ROOT,
    );
    await waitForHttp(`http://127.0.0.1:${noopPort}/ping`, 30_000, noop);
    const baseline = await fixedRate(`http://127.0.0.1:${noopPort}/`, null, singleRate, singleSeconds, () =>
      JSON.stringify(toolEvent(i++, new Date().toISOString())),
    );
    log(
      `single-event POSTs asked at ${singleRate}/s for ${singleSeconds} s: ${single.requests.toLocaleString('en-US')} answered (${Math.round(single.achieved).toLocaleString('en-US')}/s), ${single.errors} errors, ` +
        `p50 ${single.p50} ms, p99 ${single.p99} ms (goal p99 ≤ ${GOALS.singleP99Ms} ms); no-op Fastify handler: ${Math.round(baseline.achieved).toLocaleString('en-US')}/s, p50 ${baseline.p50} ms, p99 ${baseline.p99} ms`,
    );

    // 3. Digests over N tool events inside the dashboards' 24-hour window.
    const already = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM audit.tool_events')).rows[0]!.n);
    const toAdd = Math.max(0, digestEvents - already);
    const chunk = 1_000_000;
    for (let done = 0; done < toAdd; done += chunk) {
      const n = Math.min(chunk, toAdd - done);
      await pool.query(
        `INSERT INTO audit.tool_events (event_id, ts, req_id, workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash)
         SELECT gen_random_uuid(), now() - (random() * interval '23 hours'), 'r' || g, 'ws-' || (g % 10), 'u-' || (g % 500), 'agent-' || (g % 20),
                ($2::text[])[1 + g % 8], 'call', CASE WHEN g % 50 = 0 THEN 'error' ELSE 'ok' END, (g * 7) % 2000, (g * 13) % 10000, (g * 17) % 100000,
                CASE WHEN g % 100 = 0 THEN NULL ELSE md5((g % 200000)::text) || md5(g::text) END
           FROM generate_series($1::bigint, $1::bigint + $3 - 1) AS g`,
        [already + done, TOOLS, n],
      );
      log(`  digest data: ${(already + done + n).toLocaleString('en-US')} / ${digestEvents.toLocaleString('en-US')} tool events stored`);
    }
    await pool.query('ANALYZE audit.tool_events');
    const timed = async (call: () => Promise<unknown>): Promise<number> => {
      const t = process.hrtime.bigint();
      await call();
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const finopsSeconds = await timed(() => gatewayClient.finopsDashboard({ query: { window_hours: 24 } }));
    const privacySeconds = await timed(() => gatewayClient.privacyDashboard({ query: { window_hours: 24 } }));
    const total = already + toAdd;
    log(
      `digests over ${total.toLocaleString('en-US')} tool events (24 h window): finops ${finopsSeconds.toFixed(1)} s, privacy ${privacySeconds.toFixed(1)} s (goal < ${GOALS.digestSeconds} s each)`,
    );
    return {
      batchedEventsPerSecond,
      otlpEventsPerSecond,
      copyRowsPerSecond,
      batchedRatio,
      singleRequests: single.requests,
      singleAchievedPerSecond: single.achieved,
      singleErrors: single.errors,
      singleP50Ms: single.p50,
      singleP99Ms: single.p99,
      noopP50Ms: baseline.p50,
      noopP99Ms: baseline.p99,
      digestEvents: total,
      finopsSeconds,
      privacySeconds,
    };
  } finally {
    if (noop) await stopChild(noop);
    if (gateway) await stopChild(gateway);
    await pool.end();
    await scratch.drop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** `npm run bench -- gateway [--scale f]`: `--scale 0.1` → 20,000 batched events and 1 million digest events. */
export const runGatewayBench: BenchRunner = async ({ scale }) => {
  await measureGateway({
    batchedEvents: Math.round(200_000 * scale),
    digestEvents: Math.round(10_000_000 * scale),
  });
};
