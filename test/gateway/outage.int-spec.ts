import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { EvidenceService } from '@auditstack/evidence-store';
import { assertLedgerCovers, lifecycleEvent, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The outage test (issue 5): AUDIT_BACKEND=auto with DATABASE_URL through a
 * loopback TCP proxy in front of the real PostgreSQL; the proxy is cut in the
 * middle of a stream of ingests and restored later.
 */
describe('gateway auto backend through a PostgreSQL outage', () => {
  let proxy: TcpProxy;
  let gw: GatewayHarness;
  let writer: string;

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    gw = started;
    proxy = started.proxy;
    writer = await gw.token('writer', ['events.write']);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('every acknowledged event ends up in PostgreSQL exactly once, with fallback markers and a gapless, verifying ledger; zero requests fail', async () => {
    const acknowledged = new Map<string, 'lifecycle' | 'tool'>();
    const failures: string[] = [];
    const backends = new Set<string>();
    let stop = false;
    let seq = 0;

    const worker = async (w: number): Promise<void> => {
      while (!stop) {
        const kind = seq % 2 === 0 ? 'tool' : 'lifecycle';
        const size = 1 + (seq++ % 7);
        const events = Array.from({ length: size }, (_, i) => {
          const event_id = randomUUID();
          const ts = new Date(Date.UTC(2026, 10, 20, 10, 0, 0, seq * 10 + i)).toISOString();
          return kind === 'tool' ? toolEvent({ event_id, ts, req_id: `w${w}` }) : lifecycleEvent({ event_id, ts, engine_id: `eng-${w}` });
        });
        // Every few requests a retry of an already acknowledged event rides along (it must not be stored twice).
        const retry = [...acknowledged].find(([, k]) => k === kind);
        if (retry && seq % 5 === 0) {
          events.push(kind === 'tool' ? toolEvent({ event_id: retry[0], req_id: 'retry' }) : lifecycleEvent({ event_id: retry[0], engine_id: 'retry' }));
        }
        try {
          const res = await gw.call(kind === 'tool' ? '/v1/tool-events' : '/v1/lifecycle-events', writer, { body: events });
          if (res.status !== 200) {
            failures.push(`${res.status} ${await res.text()}`);
            continue;
          }
          const body = (await res.json()) as { results: { status: string; event_id: string }[]; backend: string };
          backends.add(body.backend);
          for (const r of body.results) {
            if (r.status === 'accepted' || r.status === 'duplicate') {
              if (!acknowledged.has(r.event_id)) acknowledged.set(r.event_id, kind);
            } else failures.push(`rejected ${JSON.stringify(r)}`);
          }
        } catch (error) {
          failures.push(String(error));
        }
      }
    };

    const workers = Array.from({ length: 4 }, (_, w) => worker(w));
    await sleep(700);
    await proxy.cut();
    await sleep(1_500);
    const ping = (await (await gw.call('/ping?details=true')).json()) as { details: { backend: string; fallback_active: boolean } };
    expect(ping.details).toMatchObject({ backend: 'jsonl', fallback_active: true });
    const metricsDuring = await (await gw.call('/metrics')).text();
    expect(metricsDuring).toContain('auditstack_gateway_backend_fallback_active 1');
    expect(metricsDuring).toContain('auditstack_gateway_backend{backend="jsonl"} 1');
    await proxy.restore();
    await sleep(1_500);
    stop = true;
    await Promise.all(workers);

    // Wait for the replay to drain the spool.
    for (let i = 0; i < 100; i++) {
      const details = ((await (await gw.call('/ping?details=true')).json()) as { details: { fallback_active: boolean; spool_bytes: number } }).details;
      if (!details.fallback_active && details.spool_bytes === 0) break;
      await sleep(200);
    }

    expect(failures).toEqual([]);
    expect(backends).toEqual(new Set(['postgres', 'jsonl']));
    const ids = [...acknowledged.keys()];
    const inPg = await gw.sql.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM audit.tool_events WHERE event_id = ANY($1::uuid[])) + (SELECT count(*) FROM audit.lifecycle_events WHERE event_id = ANY($1::uuid[])) AS n`,
      [ids],
    );
    const dupes = await gw.sql.query(
      `SELECT event_id FROM (SELECT event_id FROM audit.tool_events UNION ALL SELECT event_id FROM audit.lifecycle_events) e GROUP BY event_id HAVING count(*) > 1`,
    );
    const total = await gw.sql.query<{ n: string }>(`SELECT (SELECT count(*) FROM audit.tool_events) + (SELECT count(*) FROM audit.lifecycle_events) AS n`);
    process.stdout.write(`outage: ${ids.length} acknowledged, ${inPg.rows[0]!.n} in PostgreSQL, ${dupes.rowCount} duplicates\n`);
    expect(Number(inPg.rows[0]!.n)).toBe(ids.length);
    expect(Number(total.rows[0]!.n)).toBe(ids.length);
    expect(dupes.rowCount).toBe(0);

    const markers = await gw.sql.query<{ marker: string }>(`SELECT marker FROM audit.gateway_markers ORDER BY ts`);
    expect(markers.rows.map((m) => m.marker)).toEqual(['backend_fallback_started', 'backend_fallback_ended']);
    expect(await assertLedgerCovers(gw.sql)).toBe(ids.length + 2);

    const metrics = await (await gw.call('/metrics')).text();
    expect(metrics).toMatch(/auditstack_gateway_replayed_events_total [1-9]/);
    expect(metrics).toContain('auditstack_gateway_backend_fallback_active 0');

    // The evidence verifier over the whole database.
    const pool = new Pool({ connectionString: gw.db.url, max: 2 });
    try {
      const evidence = new EvidenceService({ db: pool, home: gw.home });
      await evidence.checkpointNow();
      const report = await evidence.verifyOnline();
      expect(report.problems ?? []).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await pool.end();
    }
    // And the CLI an operator runs: exit 0 only when everything verifies.
    const cli = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(__dirname, '../../tools/bin/auditstack.js'), 'verify'], {
        env: { ...process.env, DATABASE_URL: gw.db.url, AUDITSTACK_HOME: gw.home },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    process.stdout.write(`outage: auditstack verify exit ${cli.code}\n`);
    expect([cli.code, cli.out]).toEqual([0, expect.any(String)]);
  });
});
