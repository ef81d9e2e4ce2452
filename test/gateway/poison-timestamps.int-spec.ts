import { createHash, randomUUID } from 'node:crypto';
import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { canonicalJson } from '@auditstack/evidence';
import { EvidenceService } from '@auditstack/evidence-store';
import { PostgresEventStore } from '../../apps/gateway/src/storage/postgres-event.store';
import { assertLedgerCovers, lifecycleEvent, startGateway, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import { runVerify, storedCounts, waitFor } from './support/spool-faults';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Valid ISO-8601 with a zone, outside what every layer can hold (both ends, with offsets). */
const POISON = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:30:00+01:00',
  '9999-12-31T23:59:59-05:00',
  '9999-12-31T23:59:59Z',
];
const RANGE_RULE = /^ts: must be between 1970-01-01T00:00:00Z and now \+ 86400 s/;

async function post(url: string, token: string, path: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('poison timestamps at the edge', () => {
  let gw: GatewayHarness;
  let writer: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('writer', ['events.write']);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('a single event with a poison ts gets 400 naming ts, for tool and lifecycle events; nothing stored', async () => {
    const future = new Date(Date.now() + 25 * 3_600_000).toISOString();
    for (const ts of [...POISON, future]) {
      for (const [path, event] of [
        ['/v1/tool-events', toolEvent({ ts })],
        ['/v1/lifecycle-events', lifecycleEvent({ ts })],
      ] as const) {
        const res = await post(gw.url, writer, path, event);
        expect([path, ts, res.status, res.body['errors'], res.body['detail']]).toEqual([
          path,
          ts,
          400,
          [expect.objectContaining({ path: 'ts', in: 'body' })],
          expect.stringMatching(RANGE_RULE),
        ]);
      }
    }
    expect((await storedCounts(gw.sql, [])).total).toBe(0);
    // The bounds themselves are accepted.
    for (const ts of ['1970-01-01T00:00:00Z', '1970-01-01T01:00:00+01:00', new Date(Date.now() + 23 * 3_600_000).toISOString()]) {
      expect((await post(gw.url, writer, '/v1/tool-events', toolEvent({ ts }))).status).toBe(200);
    }
  });

  it('in a batch, each poison event is rejected on its own (naming its index and ts), the others are stored', async () => {
    const good = [randomUUID(), randomUUID()];
    const res = await post(gw.url, writer, '/v1/tool-events', [
      toolEvent({ event_id: good[0] }),
      toolEvent({ ts: '9999-12-31T23:59:59-05:00' }),
      toolEvent({ event_id: good[1] }),
      toolEvent({ ts: '0000-01-01T00:00:00Z' }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body['results'].map((r: Json) => r['status'])).toEqual(['accepted', 'rejected', 'accepted', 'rejected']);
    expect(res.body['results'][1]['errors']).toEqual([expect.stringMatching(/^\[1\] ts: must be between/)]);
    expect((await storedCounts(gw.sql, good)).stored).toBe(2);
  });
});

/**
 * Isolation inside a group commit: with the future bound lifted
 * (EVENT_MAX_FUTURE_SKEW_SECONDS ≈ 12,700 years) `9999-12-31T23:59:59-05:00`
 * (year 10000 in UTC) passes validation but cannot be stored. Concurrent
 * requests are coalesced (INGEST_GROUP_COMMIT_MS=50): the poison request
 * fails alone (400), every other client's request is stored.
 */
describe('poison timestamps inside concurrent group commits', () => {
  let gw: GatewayHarness;
  let writer: string;
  let spy: jest.SpyInstance;
  const batchSizes: number[] = [];

  beforeAll(async () => {
    gw = await startGateway({ EVENT_MAX_FUTURE_SKEW_SECONDS: '400000000000', INGEST_GROUP_COMMIT_MS: '50' });
    writer = await gw.token('writer', ['events.write']);
    // Observe (not replace) the flushes, to prove poison and good events shared a transaction attempt.
    const original = PostgresEventStore.prototype.store;
    spy = jest.spyOn(PostgresEventStore.prototype, 'store').mockImplementation(function (this: PostgresEventStore, events, markers) {
      batchSizes.push(events.length);
      return original.call(this, events, markers);
    });
  });
  afterAll(async () => {
    spy?.mockRestore();
    await gw?.close();
  });

  it('one bad row never fails another client: 190 requests, the 38 poison ones refused alone, the 152 others stored', async () => {
    const statuses = new Map<number, number>();
    const good: string[] = [];
    const poisonResults: Json[] = [];
    for (let round = 0; round < 19; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          if (i % 5 === 0) {
            const single = i === 0;
            const body = single
              ? toolEvent({ ts: '9999-12-31T23:59:59-05:00', req_id: `poison-${round}` })
              : [lifecycleEvent({ ts: '9999-12-31T23:59:59-05:00', engine_id: `poison-${round}` })];
            const res = await post(gw.url, writer, single ? '/v1/tool-events' : '/v1/lifecycle-events', body);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            poisonResults.push({ status: res.status, single, body: res.body });
            return;
          }
          const events = Array.from({ length: 3 }, () => toolEvent({ event_id: randomUUID(), req_id: `good-${round}-${i}` }));
          const res = await post(gw.url, writer, '/v1/tool-events', events);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200 && res.body['accepted'] === 3) good.push(...events.map((e) => String(e['event_id'])));
        }),
      );
    }
    const counts = await storedCounts(gw.sql, good);
    process.stdout.write(
      `poison group commit: 190 requests, ${good.length / 3} good requests stored (${counts.stored} events), ${poisonResults.length} poison requests refused alone, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    expect(good).toHaveLength(152 * 3);
    expect(counts).toEqual({ stored: 152 * 3, total: 152 * 3, duplicates: 0 });
    expect(statuses.get(500)).toBeUndefined();
    expect(statuses.get(503)).toBeUndefined();
    for (const p of poisonResults) {
      if (p['single']) expect([p['status'], p['body']['detail']]).toEqual([400, expect.stringMatching(/^event could not be stored: /)]);
      else expect([p['status'], p['body']['results'][0]['status']]).toEqual([200, 'rejected']);
    }
    // The coalescing really happened: some flush carried several requests' events at once.
    expect(Math.max(...batchSizes)).toBeGreaterThan(3);
    expect(await assertLedgerCovers(gw.sql)).toBe(152 * 3);
  });
});

/**
 * Poison lines already in the spool (written by a gateway that accepted them,
 * or planted): replay quarantines each with a ledgered marker, replays every
 * other line exactly once, and verify exits 0.
 */
describe('poison timestamps inside the spool', () => {
  let gw: GatewayHarness;
  let proxy: TcpProxy;
  const extra: NestFastifyApplication[] = [];

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    gw = started;
    proxy = started.proxy;
  });
  afterAll(async () => {
    for (const app of extra) await app.close();
    await gw?.close();
  });

  it('planted poison lines are quarantined, the rest replayed once (also after the replay progress is lost), verify exit 0', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const acknowledged: string[] = [];
    const send = async (n: number): Promise<void> => {
      const events = Array.from({ length: n }, () => toolEvent({ event_id: randomUUID() }));
      const res = await post(gw.url, writer, '/v1/tool-events', events);
      expect([res.status, res.body['accepted']]).toEqual([200, n]);
      acknowledged.push(...events.map((e) => String(e['event_id'])));
    };
    await send(1);
    await proxy.cut();
    await send(10);
    const spool = join(gw.home, 'spool');
    const name = `tool_audit_${new Date().toISOString().slice(0, 10)}.jsonl`;
    const file = join(spool, name);
    // Chained lines an older gateway would have written for events it accepted.
    for (const ts of ['0000-01-01T00:00:00.000Z', '+010000-01-01T04:59:59.000Z', '9999-12-31T23:59:59.000Z']) {
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      const prev = (JSON.parse(lines[lines.length - 1]!) as Json)['hash'] as string;
      const record = { ...toolEvent({ event_id: randomUUID(), req_id: 'poison' }), ts };
      const body = { v: 1, type: 'tool', record, spooled_at: new Date().toISOString(), prev_hash: prev };
      await appendFile(file, `${JSON.stringify({ ...body, hash: createHash('sha256').update(canonicalJson(body)).digest('hex') })}\n`);
    }
    await send(10);
    await proxy.restore();
    const details = async (url: string): Promise<Json> => ((await (await fetch(`${url}/ping?details=true`)).json()) as Json)['details'] as Json;
    expect(await waitFor(async () => (await details(gw.url))['fallback_active'] === false && (await details(gw.url))['spool_bytes'] === 0, 20_000)).toBe(true);

    const quarantined = async (): Promise<Json[]> =>
      (
        await gw.sql.query<{ details: Json }>(
          `SELECT details FROM audit.gateway_markers WHERE marker = 'spool_line_quarantined' ORDER BY (details->>'line')::int`,
        )
      ).rows.map((r) => r.details);
    expect(await quarantined()).toEqual(
      [11, 12, 13].map((line) => expect.objectContaining({ file: name, line, reason: expect.stringMatching(/^ts: must be between 1970/) })),
    );
    expect((await readFile(join(spool, 'quarantine', name), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
    let counts = await storedCounts(gw.sql, acknowledged);
    process.stdout.write(`poison spool: ${acknowledged.length} acknowledged, ${counts.stored} stored, ${counts.duplicates} duplicates, 3 quarantined\n`);
    expect(counts).toEqual({ stored: acknowledged.length, total: acknowledged.length, duplicates: 0 });

    // Replay progress lost (crash): a new gateway replays the file again — nothing stored or quarantined twice.
    for (const s of (await readdir(spool)).filter((n) => n.endsWith('.replayed'))) await rm(join(spool, s));
    const again = await gw.boot({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    extra.push(again);
    const againUrl = await again.getUrl();
    expect(await waitFor(async () => (await details(againUrl))['spool_bytes'] === 0, 20_000)).toBe(true);
    counts = await storedCounts(gw.sql, acknowledged);
    expect(counts).toEqual({ stored: acknowledged.length, total: acknowledged.length, duplicates: 0 });
    expect(await quarantined()).toHaveLength(3);
    expect((await readFile(join(spool, 'quarantine', name), 'utf8')).split('\n').filter(Boolean)).toHaveLength(3);
    const markers = Number((await gw.sql.query('SELECT count(*) AS n FROM audit.gateway_markers')).rows[0].n);
    expect(await assertLedgerCovers(gw.sql)).toBe(acknowledged.length + markers);

    const pool = new Pool({ connectionString: gw.db.url, max: 2 });
    try {
      await new EvidenceService({ db: pool, home: gw.home }).checkpointNow();
    } finally {
      await pool.end();
    }
    const cli = await runVerify(gw.db.url, gw.home);
    process.stdout.write(`poison spool: auditstack verify exit ${cli.code}\n`);
    expect([cli.code, cli.code === 0 ? '' : cli.out]).toEqual([0, '']);
  });
});
