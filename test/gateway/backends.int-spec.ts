import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { canonicalJson } from '@auditstack/evidence';
import { assertLedgerCovers, lifecycleEvent, startGateway, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function post(base: string, token: string, path: string, body: unknown): Promise<{ status: number; body: Json; retryAfter: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json, retryAfter: res.headers.get('retry-after') };
}

/** Checks a JSONL file's hash chain line by line; returns the parsed lines. */
async function readChain(file: string): Promise<Json[]> {
  const lines = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
  let prev = '0'.repeat(64);
  for (const line of lines) {
    const { hash, ...body } = line;
    expect(body['prev_hash']).toBe(prev);
    expect(createHash('sha256').update(canonicalJson(body)).digest('hex')).toBe(hash);
    prev = hash as string;
  }
  return lines;
}

/** The `jsonl`, `null` and `postgres` backends, and the `auto` spool replayed at boot (crash-safe, idempotent, tamper-evident). */
describe('gateway storage backends', () => {
  let gw: GatewayHarness;
  let writer: string;
  let spoolDir: string;
  const apps: NestFastifyApplication[] = [];
  const boot = async (env: Record<string, string>): Promise<string> => {
    const app = await gw.boot(env);
    apps.push(app);
    return app.getUrl();
  };

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('writer', ['events.write']);
    spoolDir = join(gw.home, 'spool-test');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await gw?.close();
  });

  const rows = async (): Promise<number> =>
    Number((await gw.sql.query(`SELECT (SELECT count(*) FROM audit.tool_events) + (SELECT count(*) FROM audit.lifecycle_events) AS n`)).rows[0].n);

  it('jsonl: daily hash-chained files in a 0700 folder, fsync before ack, nothing in PostgreSQL', async () => {
    const url = await boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: spoolDir });
    const tools = Array.from({ length: 5 }, (_, i) => toolEvent({ event_id: randomUUID(), req_id: `j-${i}` }));
    const res = await post(url, writer, '/v1/tool-events', tools);
    expect(res.body).toMatchObject({ accepted: 5, backend: 'jsonl' });
    expect((await post(url, writer, '/v1/lifecycle-events', lifecycleEvent({ event_id: randomUUID() }))).body).toMatchObject({
      status: 'accepted',
      backend: 'jsonl',
    });
    expect((await stat(spoolDir)).mode & 0o777).toBe(0o700);
    const day = new Date().toISOString().slice(0, 10);
    expect((await readdir(spoolDir)).sort()).toEqual([`lifecycle_${day}.jsonl`, `tool_audit_${day}.jsonl`]);
    const lines = await readChain(join(spoolDir, `tool_audit_${day}.jsonl`));
    expect(lines.map((l) => l['record']['event_id'])).toEqual(tools.map((t) => t['event_id']));
    expect(lines[0]!['record']).not.toHaveProperty('input');
    await readChain(join(spoolDir, `lifecycle_${day}.jsonl`));
    expect(await rows()).toBe(0);
    const ping = (await (await fetch(`${url}/ping?details=true`)).json()) as Json;
    expect(ping['details']).toMatchObject({ backend: 'jsonl', backend_setting: 'jsonl' });
  });

  it('jsonl: a retried event is reported duplicate and stored once, also after a restart', async () => {
    const dir = join(gw.home, 'spool-idempotent');
    const event = toolEvent({ req_id: 'retry-me' });
    const first = await boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    expect((await post(first, writer, '/v1/tool-events', event)).body).toMatchObject({ status: 'accepted', backend: 'jsonl' });
    expect((await post(first, writer, '/v1/tool-events', event)).body).toMatchObject({ status: 'duplicate', backend: 'jsonl' });
    expect(
      (await post(first, writer, '/v1/tool-events', [event, toolEvent({ req_id: 'other' }), toolEvent({ req_id: 'other' })])).body['results'].map(
        (r: Json) => r['status'],
      ),
    ).toEqual(['duplicate', 'accepted', 'duplicate']);
    const second = await boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    expect((await post(second, writer, '/v1/tool-events', event)).body).toMatchObject({ status: 'duplicate', backend: 'jsonl' });
    const lines = await readChain(join(dir, `tool_audit_${new Date().toISOString().slice(0, 10)}.jsonl`));
    expect(lines.map((l) => l['record']['req_id'])).toEqual(['retry-me', 'other']);
  });

  it('jsonl: the FinOps and privacy dashboards read the JSONL files; the PostgreSQL views say plainly they cannot show these events', async () => {
    const dir = join(gw.home, 'spool-dashboards');
    const url = await boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    const reader = await gw.token('reader', ['tools.cost.read', 'events.read', 'tools.data_gov.read']);
    const ts = new Date(Date.now() - 3_600_000).toISOString();
    const events = [
      toolEvent({ ts, req_id: 'd-1', tool: 'github' }),
      toolEvent({ ts, req_id: 'd-2', tool: 'jira' }),
      toolEvent({ ts, req_id: 'd-3', tool: 'jira', status: 'error' }),
    ];
    expect((await post(url, writer, '/v1/tool-events', events)).body).toMatchObject({ accepted: 3 });
    expect((await post(url, writer, '/v1/tool-events', events[0])).body).toMatchObject({ status: 'duplicate' });
    const get = async (path: string): Promise<Json> => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${reader}` } });
      expect([path, res.status]).toEqual([path, 200]);
      return (await res.json()) as Json;
    };
    const finops = await get('/v1/finops/dashboard?window_hours=24');
    expect(finops).toMatchObject({ source_backend: 'jsonl', read_from: 'jsonl', complete: true, totals: { calls: 3, errors: 1 } });
    expect(finops['by_tool'].map((t: Json) => [t['tool'], t['calls']]).sort()).toEqual([
      ['github', 1],
      ['jira', 2],
    ]);
    expect(await get('/v1/privacy/dashboard?window_hours=24')).toMatchObject({ source_backend: 'jsonl', read_from: 'jsonl', complete: true });
    const list = await get('/v1/tool-events');
    expect(list).toMatchObject({ source_backend: 'jsonl', read_from: 'postgres', complete: false, note: expect.stringContaining('cannot show them') });
  });

  it('auto at boot replays a spool into PostgreSQL exactly once, also after a crash lost the replay progress', async () => {
    const url = await boot({ AUDIT_BACKEND: 'auto', AUDIT_JSONL_DIR: spoolDir });
    for (let i = 0; i < 100 && (await rows()) < 6; i++) await sleep(50);
    expect(await rows()).toBe(6);
    const drained = async (base: string): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        if ((((await (await fetch(`${base}/ping?details=true`)).json()) as Json)['details'] as Json)['spool_bytes'] === 0) return;
        await sleep(50);
      }
    };
    await drained(url);
    const sidecars = (await readdir(spoolDir)).filter((n) => n.endsWith('.replayed'));
    expect(sidecars).toHaveLength(2);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('auditstack_gateway_replayed_events_total 6');
    expect(metrics).toContain('auditstack_gateway_spool_bytes 0');
    // Simulate a crash after the rows committed but before the progress was recorded: the next boot replays again.
    for (const s of sidecars) await rm(join(spoolDir, s));
    const again = await boot({ AUDIT_BACKEND: 'auto', AUDIT_JSONL_DIR: spoolDir });
    await drained(again);
    expect((await readdir(spoolDir)).filter((n) => n.endsWith('.replayed'))).toHaveLength(2);
    expect(await (await fetch(`${again}/metrics`)).text()).toContain('auditstack_gateway_replayed_events_total 6');
    expect(await rows()).toBe(6);
    expect(await assertLedgerCovers(gw.sql)).toBe(6);
  });

  it('auto replays a spool file with an edited line: that line is quarantined with a ledgered marker, the rest replayed exactly once', async () => {
    const dir = join(gw.home, 'spool-tampered');
    const jsonlUrl = await boot({ AUDIT_BACKEND: 'jsonl', AUDIT_JSONL_DIR: dir });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await post(
      jsonlUrl,
      writer,
      '/v1/tool-events',
      ids.map((event_id, i) => toolEvent({ event_id, req_id: `t-${i + 1}` })),
    );
    const name = `tool_audit_${new Date().toISOString().slice(0, 10)}.jsonl`;
    const file = join(dir, name);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"t-1"', '"t-X"'));
    const url = await boot({ AUDIT_BACKEND: 'auto', AUDIT_JSONL_DIR: dir });
    const marker = async (): Promise<Json[]> =>
      (await gw.sql.query(`SELECT marker, details FROM audit.gateway_markers WHERE marker = 'spool_line_quarantined' AND details->>'file' = $1`, [name])).rows;
    for (let i = 0; i < 100 && (await marker()).length === 0; i++) await sleep(50);
    const stored = await gw.sql.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM audit.tool_events WHERE event_id = ANY($1::uuid[])', [ids]);
    expect(stored.rows.map((r) => r.event_id).sort()).toEqual([ids[1], ids[2]].sort());
    expect(await marker()).toEqual([
      { marker: 'spool_line_quarantined', details: expect.objectContaining({ file: name, line: 1, reason: 'hash does not match the line' }) },
    ]);
    const quarantined = (await readFile(join(dir, 'quarantine', name), 'utf8')).split('\n').filter(Boolean);
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]).toContain('t-X');
    // A second boot (progress lost) replays nothing twice: same rows, one marker.
    for (const s of (await readdir(dir)).filter((n) => n.endsWith('.replayed'))) await rm(join(dir, s));
    const again = await boot({ AUDIT_BACKEND: 'auto', AUDIT_JSONL_DIR: dir });
    for (let i = 0; i < 100; i++) {
      if ((((await (await fetch(`${again}/ping?details=true`)).json()) as Json)['details'] as Json)['spool_bytes'] === 0) break;
      await sleep(50);
    }
    expect((await gw.sql.query('SELECT count(*)::int AS n FROM audit.tool_events WHERE event_id = ANY($1::uuid[])', [ids])).rows[0].n).toBe(2);
    expect(await marker()).toHaveLength(1);
    expect(url).toBeTruthy();
  });

  it('null: acknowledged and discarded', async () => {
    const url = await boot({ AUDIT_BACKEND: 'null' });
    const before = await rows();
    expect((await post(url, writer, '/v1/tool-events', [toolEvent({ req_id: 'n-1' })])).body).toMatchObject({ accepted: 1, backend: 'null' });
    expect(await rows()).toBe(before);
  });
});

describe('gateway postgres backend with PostgreSQL down', () => {
  let proxy: TcpProxy;
  let gw: GatewayHarness;

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'postgres' });
    gw = started;
    proxy = started.proxy;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('fails the request with 503 (nothing acknowledged), and works again once PostgreSQL is back', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const reader = await gw.token('reader', ['events.read']);
    expect((await post(gw.url, writer, '/v1/tool-events', toolEvent({ req_id: 'before' }))).status).toBe(200);
    expect((await fetch(`${gw.url}/v1/tool-events`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    await proxy.cut();
    const down = await post(gw.url, writer, '/v1/tool-events', toolEvent({ req_id: 'during' }));
    expect(down.status).toBe(503);
    expect(down.retryAfter).toBe('5');
    expect(down.body['detail']).toContain('PostgreSQL is unavailable');
    expect(down.body['code']).toBe('STORAGE_UNAVAILABLE');
    expect((await fetch(`${gw.url}/v1/tool-events`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(503);
    await proxy.restore();
    expect((await post(gw.url, writer, '/v1/tool-events', toolEvent({ req_id: 'after' }))).status).toBe(200);
    const stored = await gw.sql.query<{ req_id: string }>('SELECT req_id FROM audit.tool_events ORDER BY ts, req_id');
    expect(stored.rows.map((r) => r.req_id).sort()).toEqual(['after', 'before']);
  });
});

describe('gateway ingest through the restricted auditstack_ingest role', () => {
  let gw: GatewayHarness;
  const role = `auditstack_ingest_t${process.pid}`;

  beforeAll(async () => {
    gw = await startGateway();
    await gw.sql.query(`DROP ROLE IF EXISTS ${role}`);
    await gw.sql.query(`CREATE ROLE ${role} LOGIN IN ROLE auditstack_ingest`);
    const ingestUrl = new URL(gw.db.url);
    ingestUrl.username = role;
    await gw.app.close();
    gw.app = await gw.boot({ AUDIT_INGEST_DATABASE_URL: ingestUrl.toString() });
    gw.url = await gw.app.getUrl();
  });
  afterAll(async () => {
    await gw?.app.close();
    await gw?.sql.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    await gw?.close();
  });

  it('stores events and ledger leaves (insert only) and can neither update nor delete a stored event', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const id = randomUUID();
    const first = await post(gw.url, writer, '/v1/tool-events', [toolEvent({ event_id: id }), toolEvent({ event_id: id })]);
    expect(first.body['results'].map((r: Json) => r['status'])).toEqual(['accepted', 'duplicate']);
    expect((await post(gw.url, writer, '/v1/lifecycle-events', lifecycleEvent())).body['status']).toBe('accepted');
    expect(await assertLedgerCovers(gw.sql)).toBe(2);
    const who = await gw.sql.query(
      `SELECT usename FROM pg_stat_activity WHERE application_name = 'auditstack-gateway-ingest' AND datname = current_database()`,
    );
    expect(new Set(who.rows.map((r) => r.usename))).toEqual(new Set([role]));
    await gw.sql.query('BEGIN');
    try {
      await gw.sql.query(`SET LOCAL ROLE ${role}`);
      await expect(gw.sql.query(`UPDATE audit.tool_events SET status = 'ok'`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await gw.sql.query('ROLLBACK');
    }
    await gw.sql.query('BEGIN');
    try {
      await gw.sql.query(`SET LOCAL ROLE ${role}`);
      await expect(gw.sql.query(`DELETE FROM audit.lifecycle_events`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await gw.sql.query('ROLLBACK');
    }
  });
});
