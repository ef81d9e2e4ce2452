import { randomUUID } from 'node:crypto';
import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { EvidenceService } from '@auditstack/evidence-store';
import { assertLedgerCovers, lifecycleEvent, startGateway, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import { mountTmpfs, newTally, postWithRetries, runVerify, storedCounts, waitFor, type LoadTally, type Tmpfs } from './support/spool-faults';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A small tmpfs: a few hundred spooled events fill it. */
const TMPFS_KIB = 256;
/** Space "comes back". */
const FREED_KIB = 8192;

/**
 * Concurrent clients posting small batches (tool and lifecycle), each batch
 * retried on 503 (honouring Retry-After) until acknowledged; new batches
 * until `stop()`. Resolves once every client's last batch is acknowledged.
 */
function startLoad(url: string, token: string, tally: LoadTally, deadline: number): { stop: () => Promise<void>; sent: () => number } {
  let stopped = false;
  let sent = 0;
  const client = async (c: number): Promise<void> => {
    for (let n = 0; !stopped; n++) {
      const kind = (c + n) % 2 === 0 ? 'tool' : 'lifecycle';
      const events = Array.from({ length: 5 }, (_, i) => {
        const event_id = randomUUID();
        const ts = new Date(Date.UTC(2026, 10, 20, 10, 0, 0, sent * 10 + i)).toISOString();
        return kind === 'tool' ? toolEvent({ event_id, ts, req_id: `c${c}-${n}` }) : lifecycleEvent({ event_id, ts, engine_id: `eng-${c}` });
      });
      sent += events.length;
      await postWithRetries(url, token, kind === 'tool' ? '/v1/tool-events' : '/v1/lifecycle-events', events, kind, tally, deadline);
    }
  };
  const clients = Array.from({ length: 4 }, (_, c) => client(c));
  return {
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await Promise.all(clients);
    },
  };
}

async function pingDetails(url: string): Promise<Json> {
  return ((await (await fetch(`${url}/ping?details=true`)).json()) as Json)['details'] as Json;
}

async function checkpointAndVerify(gw: GatewayHarness, label: string): Promise<number | null> {
  const pool = new Pool({ connectionString: gw.db.url, max: 2 });
  try {
    await new EvidenceService({ db: pool, home: gw.home }).checkpointNow();
  } finally {
    await pool.end();
  }
  const cli = await runVerify(gw.db.url, gw.home);
  process.stdout.write(`${label}: auditstack verify exit ${cli.code}\n`);
  if (cli.code !== 0) process.stdout.write(cli.out);
  return cli.code;
}

/**
 * Disk full (issue 12 §1): the spool on a real 256 KiB tmpfs, PostgreSQL cut
 * off by a proxy, clients retrying 503s. While the disk is full nothing is
 * acknowledged (503 + Retry-After, torn bytes cut); once space comes back and
 * PostgreSQL returns, every acknowledged event is in PostgreSQL exactly once
 * and `auditstack verify` exits 0.
 */
describe('disk full while spooling (auto backend, PostgreSQL down)', () => {
  let tmpfs: Tmpfs;
  let gw: GatewayHarness;
  let proxy: TcpProxy;

  beforeAll(async () => {
    tmpfs = await mountTmpfs(TMPFS_KIB);
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1', AUDIT_JSONL_DIR: join(tmpfs.dir, 'spool') });
    gw = started;
    proxy = started.proxy;
  });
  afterAll(async () => {
    await gw?.close();
    await tmpfs?.unmount();
  });

  it('every acknowledged event is stored exactly once, every refused request got 503 with Retry-After, verify exits 0', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const tally = newTally();
    const deadline = Date.now() + 45_000;
    // One request while PostgreSQL is up (the gateway has then verified the token and can vouch for it during the outage).
    await postWithRetries(gw.url, writer, '/v1/tool-events', [toolEvent({ event_id: randomUUID(), req_id: 'warm-up' })], 'tool', tally, deadline);
    await proxy.cut();

    const load = startLoad(gw.url, writer, tally, deadline);
    // The spool fills: requests are refused with 503 for a while (bounded wait for the signal, not a sleep).
    expect(await waitFor(() => tally.refused >= 20, 20_000)).toBe(true);
    const details = await pingDetails(gw.url);
    expect(details).toMatchObject({ backend: 'jsonl', fallback_active: true });
    const acknowledgedWhileFull = tally.acknowledged.size;
    // Space comes back, then PostgreSQL.
    await tmpfs.resize(FREED_KIB);
    expect(await waitFor(() => tally.acknowledged.size >= acknowledgedWhileFull + 50, 20_000)).toBe(true);
    await proxy.restore();
    expect(await waitFor(async () => (await pingDetails(gw.url))['fallback_active'] === false, 20_000)).toBe(true);
    await load.stop();
    expect(await waitFor(async () => (await pingDetails(gw.url))['spool_bytes'] === 0, 20_000)).toBe(true);

    const ids = [...tally.acknowledged.keys()];
    const counts = await storedCounts(gw.sql, ids);
    process.stdout.write(
      `disk-full: ${ids.length} acknowledged, ${counts.stored} stored, ${counts.duplicates} duplicates, ${tally.refused} refused with 503\n`,
    );
    expect(tally.failures).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.refusedWithRetryAfter).toBe(tally.refused);
    expect(counts.stored).toBe(ids.length);
    expect(counts.total).toBe(ids.length);
    expect(counts.duplicates).toBe(0);
    const markers = (await gw.sql.query<{ marker: string }>('SELECT marker FROM audit.gateway_markers ORDER BY ts')).rows.map((r) => r.marker);
    expect(markers).toEqual(['backend_fallback_started', 'backend_fallback_ended']);
    expect(await assertLedgerCovers(gw.sql)).toBe(ids.length + markers.length);
    const metrics = await (await gw.call('/metrics')).text();
    expect(metrics).toContain('auditstack_gateway_spool_bytes 0');
    expect(await checkpointAndVerify(gw, 'disk-full')).toBe(0);
  });
});

/**
 * The same for `AUDIT_BACKEND=jsonl`: the JSONL files are the store. While
 * the disk is full requests get 503; afterwards every acknowledged event is
 * in the files exactly once (chains intact), and an `auto` gateway replaying
 * those files puts each in PostgreSQL exactly once, verify exit 0.
 */
describe('disk full with the jsonl backend', () => {
  let tmpfs: Tmpfs;
  let gw: GatewayHarness;
  let jsonl: NestFastifyApplication | null = null;
  let auto: NestFastifyApplication | null = null;

  beforeAll(async () => {
    tmpfs = await mountTmpfs(TMPFS_KIB);
    gw = await startGateway();
  });
  afterAll(async () => {
    await jsonl?.close();
    await auto?.close();
    await gw?.close();
    await tmpfs?.unmount();
  });

  it('every acknowledged event is stored once in the JSONL files and, replayed, once in PostgreSQL; refused requests got 503', async () => {
    const dir = join(tmpfs.dir, 'spool');
    jsonl = await gw.boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    const url = await jsonl.getUrl();
    const writer = await gw.token('writer', ['events.write']);
    const tally = newTally();
    const deadline = Date.now() + 45_000;
    const load = startLoad(url, writer, tally, deadline);
    expect(await waitFor(() => tally.refused >= 20, 20_000)).toBe(true);
    const acknowledgedWhileFull = tally.acknowledged.size;
    await tmpfs.resize(FREED_KIB);
    expect(await waitFor(() => tally.acknowledged.size >= acknowledgedWhileFull + 50, 20_000)).toBe(true);
    await load.stop();

    // The files: each acknowledged event exactly once, nothing else.
    const inFiles = new Map<string, number>();
    for (const name of (await readdir(dir)).filter((n) => /^(tool_audit|lifecycle)_.*\.jsonl$/.test(n))) {
      for (const line of (await readFile(join(dir, name), 'utf8')).split('\n')) {
        if (line === '') continue;
        const id = String((JSON.parse(line) as Json)['record']['event_id']);
        inFiles.set(id, (inFiles.get(id) ?? 0) + 1);
      }
    }
    const ids = [...tally.acknowledged.keys()];
    const fileDuplicates = [...inFiles.values()].filter((n) => n > 1).length;
    process.stdout.write(
      `disk-full (jsonl): ${ids.length} acknowledged, ${ids.filter((id) => inFiles.has(id)).length} stored, ${fileDuplicates} duplicates, ${tally.refused} refused with 503\n`,
    );
    expect(tally.failures).toEqual([]);
    expect(tally.refused).toBeGreaterThan(0);
    expect(tally.refusedWithRetryAfter).toBe(tally.refused);
    expect(ids.filter((id) => !inFiles.has(id))).toEqual([]);
    expect(inFiles.size).toBe(ids.length);
    expect(fileDuplicates).toBe(0);

    // Replayed by an auto gateway: exactly once in PostgreSQL, nothing quarantined (no torn or broken line), verify exit 0.
    await jsonl.close();
    jsonl = null;
    auto = await gw.boot({ AUDIT_BACKEND: 'auto', AUDIT_JSONL_DIR: dir });
    const autoUrl = await auto.getUrl();
    expect(await waitFor(async () => (await pingDetails(autoUrl))['spool_bytes'] === 0, 30_000)).toBe(true);
    const counts = await storedCounts(gw.sql, ids);
    process.stdout.write(`disk-full (jsonl → replay): ${ids.length} acknowledged, ${counts.stored} stored, ${counts.duplicates} duplicates\n`);
    expect(counts).toEqual({ stored: ids.length, total: ids.length, duplicates: 0 });
    expect((await gw.sql.query(`SELECT count(*)::int AS n FROM audit.gateway_markers WHERE marker LIKE 'spool_%'`)).rows[0].n).toBe(0);
    expect(await assertLedgerCovers(gw.sql)).toBe(ids.length);
    expect(await checkpointAndVerify(gw, 'disk-full (jsonl)')).toBe(0);
  });
});

/** A read-only spool (EROFS): 503 with Retry-After and nothing acknowledged; writable again, the same request is accepted once. */
describe('read-only spool (jsonl backend)', () => {
  let tmpfs: Tmpfs;
  let gw: GatewayHarness;
  let app: NestFastifyApplication | null = null;

  beforeAll(async () => {
    tmpfs = await mountTmpfs(TMPFS_KIB);
    gw = await startGateway();
  });
  afterAll(async () => {
    await app?.close();
    await gw?.close();
    await tmpfs?.setReadOnly(false).catch(() => undefined);
    await tmpfs?.unmount();
  });

  it('EROFS answers 503 with Retry-After, nothing stored; after remounting read-write the retried event is stored once', async () => {
    const dir = join(tmpfs.dir, 'spool');
    app = await gw.boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    const url = await app.getUrl();
    const writer = await gw.token('writer', ['events.write']);
    const event = toolEvent({ event_id: randomUUID(), req_id: 'ro' });
    const send = (): Promise<Response> =>
      fetch(`${url}/v1/tool-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      });
    // No spool file is open yet, so the folder can be remounted read-only under the running gateway.
    await tmpfs.setReadOnly(true);
    const refused = await send();
    const refusedBody = (await refused.json()) as Json;
    process.stdout.write(`read-only spool: ${refused.status} ${String(refusedBody['detail'])}\n`);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    expect(refusedBody['detail']).toContain('EROFS');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await readdir(dir)).toEqual([]);
    await tmpfs.setReadOnly(false);
    const accepted = await send();
    expect([accepted.status, ((await accepted.json()) as Json)['status']]).toEqual([200, 'accepted']);
    expect(((await (await send()).json()) as Json)['status']).toBe('duplicate');
    const files = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    expect(files).toHaveLength(1);
    expect((await readFile(join(dir, files[0]!), 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });
});

/**
 * PostgreSQL comes back while the disk is still full: replay cannot record
 * its progress and stops; it is retried every fallback period, and once space
 * is freed the spool drains — each event stored exactly once.
 */
describe('PostgreSQL back while the spool disk is still full', () => {
  let tmpfs: Tmpfs;
  let gw: GatewayHarness;
  let proxy: TcpProxy;

  beforeAll(async () => {
    tmpfs = await mountTmpfs(TMPFS_KIB);
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1', AUDIT_JSONL_DIR: join(tmpfs.dir, 'spool') });
    gw = started;
    proxy = started.proxy;
  });
  afterAll(async () => {
    await gw?.close();
    await tmpfs?.unmount();
  });

  it('a replay that cannot write its progress is retried; after space is freed every acknowledged event is stored once', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const tally = newTally();
    const deadline = Date.now() + 40_000;
    await postWithRetries(gw.url, writer, '/v1/tool-events', [toolEvent({ event_id: randomUUID(), req_id: 'warm-up' })], 'tool', tally, deadline);
    await proxy.cut();
    // Spool until the disk refuses, then fill what is left with a filler file (so not even a progress file fits).
    for (let n = 0; tally.refused === 0 && Date.now() < deadline; n++) {
      const events = Array.from({ length: 20 }, () => toolEvent({ event_id: randomUUID(), req_id: `full-${n}` }));
      const res = await fetch(`${gw.url}/v1/tool-events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      if (res.status === 503) tally.refused++;
      else if (res.status === 200) for (const r of ((await res.json()) as Json)['results'] as Json[]) tally.acknowledged.set(String(r['event_id']), 'tool');
      else tally.failures.push(String(res.status));
    }
    const filler = join(tmpfs.dir, 'filler');
    await appendFile(filler, Buffer.alloc(64 * 1024)).catch(() => undefined);
    for (let size = 4096; size >= 1; size = Math.floor(size / 2)) {
      while (
        await appendFile(filler, Buffer.alloc(size)).then(
          () => true,
          () => false,
        )
      );
    }
    await proxy.restore();
    const ids = [...tally.acknowledged.keys()];
    // The replay starts (the spooled fallback-start marker reaches PostgreSQL) but cannot record its progress: the spool stays pending, nothing is lost.
    const replayedMarker = async (): Promise<boolean> =>
      (await gw.sql.query(`SELECT 1 FROM audit.gateway_markers WHERE marker = 'backend_fallback_started'`)).rowCount === 1;
    expect(await waitFor(replayedMarker, 20_000)).toBe(true);
    expect((await pingDetails(gw.url))['spool_bytes']).toBeGreaterThan(0);
    expect((await storedCounts(gw.sql, ids)).stored).toBeLessThan(ids.length);
    await rm(filler);
    expect(await waitFor(async () => (await pingDetails(gw.url))['spool_bytes'] === 0, 20_000)).toBe(true);
    const counts = await storedCounts(gw.sql, ids);
    process.stdout.write(
      `disk still full at recovery: ${ids.length} acknowledged, ${counts.stored} stored, ${counts.duplicates} duplicates, ${tally.refused} refused with 503\n`,
    );
    expect(tally.failures).toEqual([]);
    expect(counts).toEqual({ stored: ids.length, total: ids.length, duplicates: 0 });
    expect(await checkpointAndVerify(gw, 'disk still full at recovery')).toBe(0);
  });
});
