import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertLedgerCovers, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';
import { runVerify } from './support/spool-faults';

interface EventResult {
  index: number;
  status: string;
  event_id?: string;
  errors?: string[];
  warnings?: string[];
}
interface BatchBody {
  results: EventResult[];
  accepted: number;
  duplicate: number;
  rejected: number;
}

/** An instant `secondsAgo` before now as PostgreSQL writes timestamptz text: `2026-12-01 23:00:00.123456+00`. */
function pgText(secondsAgo: number, fraction = ''): string {
  const iso = new Date(Math.floor(Date.now() / 1000 - secondsAgo) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}+00`;
}

/**
 * Schema evolution without loss (issue 14, item 1), through the real gateway
 * on real PostgreSQL: the rows seed 001's tool-audit backend and seed 002's
 * orchestrator write are accepted as they are and stored as the schema reads
 * them; unknown metadata keys are stored, hashed in the ledger (verify exit
 * 0), flagged in the answer and counted; strict mode refuses them; payload
 * fields stay refused everywhere.
 */
describe('tolerant ingest (seed 001 and seed 002 rows)', () => {
  let gw: GatewayHarness;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('writer', ['events.write']);
    reader = await gw.token('reader', ['events.read', 'tools.cost.read', 'tools.data_gov.read']);
  });
  afterAll(async () => gw?.close());

  const count = async (table: string): Promise<number> => Number((await gw.sql.query(`SELECT count(*) AS n FROM audit.${table}`)).rows[0].n);
  const post = async (path: string, body: unknown, token = writer, url = gw.url): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  // Seed 002's audit_log rows: `timestamp`, no `actor` (the column default), null subject ids, PostgreSQL text times, new metadata keys.
  const seed002 = (): Record<string, unknown>[] => [
    {
      timestamp: pgText(600),
      action: 'policy_register',
      product_id: null,
      user_id: null,
      engine_id: null,
      metadata: { policy_id: 'pol-default', version: 1 },
      duration_ms: null,
    },
    { timestamp: pgText(590, '.123456'), action: 'policy_update', actor: 'admin', product_id: null, metadata: { policy_id: 'pol-default', version: 2 } },
    {
      timestamp: pgText(580).replace(' ', 'T').replace('+00', '+00:00'),
      action: 'provision',
      product_id: 'acme-chat',
      user_id: null,
      engine_id: 'eng-seed-1',
      metadata: { image: 'registry.example/engine:1.5.0', tier: 'gold', port: 8443, labels: { team: 'ml', zones: ['a', 'b'] } },
      duration_ms: 5230,
    },
    { timestamp: pgText(570), action: 'start', engine_id: 'eng-seed-1', metadata: { reason: 'request' } },
    {
      timestamp: pgText(560),
      action: 'health_failed',
      engine_id: 'eng-seed-1',
      metadata: { check: 'http', reason: 'HTTP 503 from /healthz', consecutive_failures: 3, port: 8443 },
    },
    { timestamp: pgText(550), action: 'admit_denied', actor: 'acme-chat', product_id: null, metadata: { reason: 'engine quota', policy_id: 'pol-default' } },
    { timestamp: pgText(540), action: 'provision_denied', product_id: null, user_id: 'u-7', metadata: { reason: 'region at capacity' } },
  ];

  it('every seed-002 row shape is accepted and stored as read: ts from timestamp, actor system, null ids, unknown keys kept and flagged', async () => {
    const rows = seed002();
    const { status, body } = await post('/v1/lifecycle-events', rows);
    expect(status).toBe(200);
    const batch = body as BatchBody;
    expect(batch.results.map((r) => [r.index, r.status, r.errors])).toEqual(rows.map((_, i) => [i, 'accepted', undefined]));
    expect(batch.results.map((r) => r.warnings)).toEqual([
      undefined,
      undefined,
      ['metadata.tier: unknown key, kept', 'metadata.port: unknown key, kept', 'metadata.labels: unknown key, kept'],
      undefined,
      ['metadata.port: unknown key, kept'],
      undefined,
      undefined,
    ]);

    const stored = await gw.sql.query<{
      event_id: string;
      ts: Date;
      action: string;
      actor: string;
      product_id: string | null;
      user_id: string | null;
      engine_id: string | null;
      metadata: Record<string, unknown>;
      duration_ms: number | null;
    }>(
      'SELECT event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms FROM audit.lifecycle_events WHERE event_id = ANY($1::uuid[])',
      [batch.results.map((r) => r.event_id)],
    );
    const byId = new Map(stored.rows.map((r) => [r.event_id, r]));
    rows.forEach((row, i) => {
      const got = byId.get(batch.results[i]!.event_id!)!;
      expect(got.ts.getTime()).toBe(
        Date.parse(
          String(row['timestamp'])
            .replace(' ', 'T')
            .replace(/\+00(:00)?$/, 'Z'),
        ),
      );
      expect(got).toMatchObject({
        action: row['action'],
        actor: row['actor'] ?? 'system',
        product_id: row['product_id'] ?? null,
        user_id: row['user_id'] ?? null,
        engine_id: row['engine_id'] ?? null,
        metadata: row['metadata'],
        duration_ms: row['duration_ms'] ?? null,
      });
    });
    // The unknown keys are in the stored metadata, values intact.
    expect(byId.get(batch.results[2]!.event_id!)!.metadata).toEqual({
      image: 'registry.example/engine:1.5.0',
      tier: 'gold',
      port: 8443,
      labels: { team: 'ml', zones: ['a', 'b'] },
    });

    // Read back through the API: metadata shown whole, unknown keys included.
    const listed = (await (await gw.call('/v1/lifecycle-events?engine_id=eng-seed-1&action=provision', reader)).json()) as { items: { metadata: unknown }[] };
    expect(listed.items.map((e) => e.metadata)).toEqual([rows[2]!['metadata']]);

    const metrics = await (await gw.call('/metrics')).text();
    expect(metrics).toContain('auditstack_gateway_unknown_metadata_keys_total{action="provision"} 3');
    expect(metrics).toContain('auditstack_gateway_unknown_metadata_keys_total{action="health_failed"} 1');
  });

  it('a single event with an unknown key answers its warning; ts and timestamp for different instants is refused naming both', async () => {
    const one = await post('/v1/lifecycle-events', {
      timestamp: pgText(500),
      action: 'stop',
      engine_id: 'eng-seed-1',
      metadata: { reason: 'idle', drain_ms: 120 },
    });
    expect(one).toEqual({
      status: 200,
      body: { event_id: expect.any(String), status: 'accepted', backend: 'postgres', warnings: ['metadata.drain_ms: unknown key, kept'] },
    });
    const clean = await post('/v1/lifecycle-events', { timestamp: pgText(499), action: 'stop', engine_id: 'eng-seed-1', metadata: { reason: 'idle' } });
    expect(clean.body).toEqual({ event_id: expect.any(String), status: 'accepted', backend: 'postgres' });

    const before = await count('lifecycle_events');
    const both = await post('/v1/lifecycle-events', {
      ts: pgText(400),
      timestamp: pgText(401),
      action: 'stop',
      engine_id: 'eng-seed-1',
      metadata: { reason: 'idle' },
    });
    expect(both.status).toBe(400);
    expect((both.body as { detail: string }).detail).toBe(
      'timestamp: a different instant than ts; timestamp is an alias of ts: send one of them, or both with the same instant',
    );
    expect((both.body as { errors: unknown[] }).errors).toEqual([
      { path: 'timestamp', rule: expect.stringMatching(/^a different instant than ts; /), in: 'body' },
    ]);
    expect(await count('lifecycle_events')).toBe(before);
  });

  // Seed 001's tool_audit_events rows: sizes and duration left to the column defaults, input_hash '' (its default), its own status codes.
  const seed001 = (): Record<string, unknown>[] => [
    {
      ts: pgText(300),
      req_id: 'req-s1',
      workspace_id: 'ws-seed',
      user_id: 'u-1',
      agent_id: 'sofiia',
      tool: 'web_search',
      action: 'search',
      status: 'succeeded',
      input_hash: '',
      graph_run_id: null,
      graph_node: null,
      job_id: null,
    },
    {
      ts: pgText(290, '.5'),
      req_id: 'req-s2',
      workspace_id: 'ws-seed',
      user_id: 'u-1',
      agent_id: 'sofiia',
      tool: 'web_search',
      action: 'search',
      status: 'failed',
      duration_ms: 40,
      in_size: 10,
      out_size: 0,
      input_hash: '',
    },
    {
      ts: pgText(280),
      req_id: 'req-s3',
      workspace_id: 'ws-seed',
      user_id: 'u-1',
      agent_id: 'sofiia',
      tool: 'jira',
      action: 'create',
      status: 'ok',
      input_hash: 'b'.repeat(64),
    },
    { ts: pgText(270), req_id: 'req-s4', workspace_id: 'ws-seed', agent_id: 'sofiia', tool: 'jira', action: 'create', status: 'denied' },
  ];

  it('every seed-001 row shape is accepted and stored: sizes 0, "" hash stored as null, statuses as sent (flagged), PostgreSQL text times', async () => {
    const rows = seed001();
    const { status, body } = await post('/v1/tool-events', rows);
    expect(status).toBe(200);
    const batch = body as BatchBody;
    expect(batch.results.map((r) => [r.status, r.errors, r.warnings])).toEqual([
      ['accepted', undefined, ['status: "succeeded" is not one of ok, error, denied, timeout; stored as sent']],
      ['accepted', undefined, ['status: "failed" is not one of ok, error, denied, timeout; stored as sent']],
      ['accepted', undefined, undefined],
      ['accepted', undefined, undefined],
    ]);
    const stored = await gw.sql.query(
      `SELECT req_id, ts, status, duration_ms, in_size, out_size, input_hash, user_id FROM audit.tool_events WHERE workspace_id = 'ws-seed' ORDER BY req_id`,
    );
    expect(stored.rows).toEqual([
      {
        req_id: 'req-s1',
        ts: new Date(Date.parse(String(rows[0]!['ts']).replace(' ', 'T').replace('+00', 'Z'))),
        status: 'succeeded',
        duration_ms: 0,
        in_size: 0,
        out_size: 0,
        input_hash: null,
        user_id: 'u-1',
      },
      { req_id: 'req-s2', ts: expect.any(Date), status: 'failed', duration_ms: 40, in_size: 10, out_size: 0, input_hash: null, user_id: 'u-1' },
      { req_id: 'req-s3', ts: expect.any(Date), status: 'ok', duration_ms: 0, in_size: 0, out_size: 0, input_hash: 'b'.repeat(64), user_id: 'u-1' },
      { req_id: 'req-s4', ts: expect.any(Date), status: 'denied', duration_ms: 0, in_size: 0, out_size: 0, input_hash: null, user_id: null },
    ]);

    // Read APIs serve the stored statuses (filtering by one too), and the digests count every call.
    const listed = (await (await gw.call('/v1/tool-events?workspace_id=ws-seed&status=succeeded', reader)).json()) as {
      items: { req_id: string; status: string }[];
    };
    expect(listed.items.map((e) => [e.req_id, e.status])).toEqual([['req-s1', 'succeeded']]);
    const privacy = (await (await gw.call('/v1/privacy/dashboard?window_hours=1', reader)).json()) as Record<string, Record<string, unknown>>;
    expect(privacy['totals']).toMatchObject({ calls: 4, without_hash: 3, unrecognised_status: 2 });
    const finops = (await (await gw.call('/v1/finops/dashboard?window_hours=1', reader)).json()) as Record<string, unknown>;
    expect(finops['totals']).toMatchObject({ calls: 4, errors: 0, denied: 1, unrecognised_status: 2 });
    expect(finops['unrecognised_statuses']).toEqual([
      { status: 'failed', calls: 1 },
      { status: 'succeeded', calls: 1 },
    ]);
  });

  it('payload fields stay refused: top level of either kind, and unknown metadata keys at any depth; nothing of them is stored', async () => {
    const before = { l: await count('lifecycle_events'), t: await count('tool_events') };
    const tool = await post('/v1/tool-events', { ...seed001()[0], req_id: 'req-p1', prompt: 'my secret prompt' });
    expect(tool.status).toBe(400);
    expect((tool.body as { detail: string }).detail).toMatch(/^payload fields are never stored: "prompt"/);

    const stop = { timestamp: pgText(200), action: 'stop', engine_id: 'eng-seed-1' };
    const { body } = await post('/v1/lifecycle-events', [
      { ...stop, payload: 'my secret prompt', metadata: { reason: 'idle' } },
      { ...stop, metadata: { reason: 'idle', prompt: 'my secret prompt' } },
      { ...stop, metadata: { reason: 'idle', extra: { a: { Body: 'my secret prompt' } } } },
      { ...stop, metadata: { reason: 'idle', list: [{ output: 'my secret prompt' }] } },
      { ...stop, metadata: { reason: 'idle', ...Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) } },
      { ...stop, metadata: { reason: 'idle', note: 'x'.repeat(1025) } },
    ]);
    const batch = body as BatchBody;
    expect(batch.results.map((r) => r.status)).toEqual(Array(6).fill('rejected'));
    expect(batch.results.map((r) => r.errors)).toEqual([
      ['[0] payload fields are never stored: "payload"'],
      [expect.stringMatching(/^\[1\] metadata\.prompt: payload fields are never stored/)],
      [expect.stringMatching(/^\[2\] metadata\.extra\.a\.Body: payload fields are never stored/)],
      [expect.stringMatching(/^\[3\] metadata\.list\[0\]\.output: payload fields are never stored/)],
      ['[4] metadata: at most 32 unknown keys are kept, got 33'],
      ['[5] metadata.note: strings in unknown metadata are at most 1024 characters'],
    ]);
    expect(JSON.stringify(batch)).not.toContain('my secret prompt');
    // A __proto__ key is never silently dropped: the body parser refuses it.
    const proto = await gw.call('/v1/lifecycle-events', writer, {
      raw: `{"timestamp":"${pgText(190)}","action":"stop","engine_id":"eng-seed-1","metadata":{"reason":"idle","extra":{"__proto__":{"x":1}}}}`,
    });
    expect(proto.status).toBe(400);
    expect({ l: await count('lifecycle_events'), t: await count('tool_events') }).toEqual(before);
    for (const table of ['lifecycle_events', 'tool_events']) {
      const leaked = await gw.sql.query(`SELECT 1 FROM audit.${table} t WHERE row_to_json(t)::text LIKE '%secret prompt%'`);
      expect(leaked.rowCount).toBe(0);
    }
  });

  it('strict mode (EVENT_SCHEMA_MODE=strict) refuses unknown metadata keys naming them, and keeps the other tolerances', async () => {
    let strict: NestFastifyApplication | null = null;
    try {
      strict = await gw.boot({ EVENT_SCHEMA_MODE: 'strict' });
      const url = await strict.getUrl();
      const [, , provision] = seed002();
      const refused = await post('/v1/lifecycle-events', { ...provision, engine_id: 'eng-strict' }, writer, url);
      expect(refused.status).toBe(400);
      expect((refused.body as { detail: string }).detail).toMatch(
        /^metadata: unknown field\(s\) "tier", "port", "labels" in provision metadata; allowed: image/,
      );
      expect((await gw.sql.query(`SELECT 1 FROM audit.lifecycle_events WHERE engine_id = 'eng-strict'`)).rowCount).toBe(0);
      const accepted = await post(
        '/v1/lifecycle-events',
        { timestamp: pgText(100), action: 'start', engine_id: 'eng-strict', metadata: { reason: 'request' } },
        writer,
        url,
      );
      expect(accepted).toEqual({ status: 200, body: { event_id: expect.any(String), status: 'accepted', backend: 'postgres' } });
      const seedTool = await post('/v1/tool-events', { ...seed001()[0], req_id: 'req-strict' }, writer, url);
      expect(seedTool.status).toBe(200);
    } finally {
      await strict?.close();
    }
  });

  it('what was kept is what was hashed: every row re-hashes to its ledger leaf and `auditstack verify` exits 0', async () => {
    expect(await assertLedgerCovers(gw.sql)).toBe((await count('lifecycle_events')) + (await count('tool_events')) + (await count('gateway_markers')));
    const verify = await runVerify(gw.db.url, gw.home);
    process.stdout.write(`tolerant ingest: auditstack verify exit ${verify.code}\n`);
    expect({ code: verify.code, out: verify.out }).toMatchObject({ code: 0 });
  });

  it('known fields keep their rules: a status outside the code pattern and a negative size are refused by name', async () => {
    const res = await post('/v1/tool-events', toolEvent({ status: 'Not OK', in_size: -1 }));
    expect(res.status).toBe(400);
    expect((res.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['in_size', 'status']);
  });
});
