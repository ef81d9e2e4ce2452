import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, expectProblem, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The `workbook` action type and the workbooks API on a real database, with
 * the steps reaching an HTTP server on loopback (embedded mode: the
 * in-process queue runs the jobs).
 */
describe('workbooks', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;
  let projectId: string;
  let server: Server;
  let base: string;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    // /session returns a JSON document a later step takes values from; /items/<id> echoes the id it was asked for.
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/session') return send(200, { item: { id: 'item 42/x' }, port, state: 'ready' });
      const item = /^\/items\/([^/?]+)$/.exec(req.url ?? '');
      if (item) return send(200, { id: decodeURIComponent(item[1]!), status: 'open' });
      return send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;

    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url);
    tokens = await createTokens(db.url, { writer: ['actions.read', 'actions.write'], reader: ['actions.read'] });
    const project = await api<Json>(engine.url, '/v1/projects', tokens.writer, { method: 'POST', body: { name: 'workbooks' } });
    projectId = project.body.id;
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** Three steps: a session document, an item fetched by the id extracted from it, the port it names (tcp) and a SQL lookup. */
  const spec = (over: { itemStatus?: string; name?: string } = {}): Json => ({
    name: over.name ?? 'item-flow',
    description: 'session → item → port → sql',
    steps: [
      {
        id: 'session',
        kind: 'http',
        url: `${base}/session`,
        assert: [
          { path: '$.status_code', op: 'eq', value: 200 },
          { path: '$.json.state', op: 'in', value: ['ready', 'warming'] },
        ],
        extract: { item_id: '$.json.item.id', app_port: '$.json.port' },
      },
      {
        id: 'item',
        kind: 'http',
        url: `${base}/items/\${ctx.item_id}`,
        assert: [
          { path: '$.json.id', op: 'eq', value: '${ctx.item_id}' },
          { path: '$.json.status', op: 'eq', value: over.itemStatus ?? 'open' },
        ],
        extract: { item_status: '$.json.status' },
      },
      { id: 'port', kind: 'tcp', host: '127.0.0.1', port: '${ctx.app_port}' },
      {
        id: 'lookup',
        kind: 'sql',
        sql: 'SELECT ${ctx.item_status}::text AS status, count(*)::int AS services FROM audit.services',
        assert: [
          { path: '$.rows[0].status', op: 'eq', value: '${ctx.item_status}' },
          { path: '$.rows[0].services', op: 'gte', value: 0 },
        ],
      },
    ],
  });

  it('serves the spec format as JSON Schema', async () => {
    const res = await api<Json>(engine.url, '/v1/workbooks/schema', tokens.reader);
    expect(res.status).toBe(200);
    expect(res.body.required).toEqual(expect.arrayContaining(['name', 'steps']));
    expect(JSON.stringify(res.body)).toContain('"sql"');
  });

  it.each<[string, (s: Json) => void, RegExp]>([
    ['an unknown kind', (s) => (s.steps[2].kind = 'udp'), /steps\[2\]\.kind: must be one of http, dns, tls, tcp, sql/],
    ['duplicate step ids', (s) => (s.steps[1].id = 'session'), /steps\[1\]\.id: duplicate step id "session"/],
    [
      'a template of a key no earlier step extracts',
      (s) => (s.steps[0].url = `${base}/\${ctx.item_status}`),
      /steps\[0\]\.url: \$\{ctx\.item_status\} is not extracted by an earlier step/,
    ],
    ['a bad assertion operator', (s) => (s.steps[0].assert[0].op = 'equals'), /steps\[0\]\.assert\[0\]\.op: must be one of/],
  ])('save with %s → 400 naming the path, nothing stored', async (_what, mutate, message) => {
    const body = spec();
    mutate(body);
    const res = expectProblem(await api<Json>(engine.url, '/v1/workbooks', tokens.writer, { method: 'POST', body }), 400, 'VALIDATION_FAILED');
    expect(res.detail).toMatch(message);
    expectProblem(await api<Json>(engine.url, '/v1/workbooks/dry-run', tokens.writer, { method: 'POST', body }), 400, 'VALIDATION_FAILED');
    expect((await api<Json>(engine.url, '/v1/workbooks', tokens.reader)).body).toEqual({ items: [], next_cursor: null });
  });

  it('dry-run executes the steps in order, passing extracted values on, saves no workbook and records the execution as a dry_run run', async () => {
    seen.length = 0;
    const res = await api<Json>(engine.url, '/v1/workbooks/dry-run', tokens.writer, { method: 'POST', body: spec() });
    expect(res.status).toBe(200);
    expect(res.body.steps.map((s: Json) => [s.id, s.status])).toEqual([
      ['session', 'pass'],
      ['item', 'pass'],
      ['port', 'pass'],
      ['lookup', 'pass'],
    ]);
    expect(res.body.verdict).toBe('pass');
    // The id extracted from step 1's JSON is in step 2's URL, percent-encoded.
    expect(seen).toEqual(['/session', `/items/${encodeURIComponent('item 42/x')}`]);
    expect(res.body.steps[1].check).toMatchObject({ check_id: 'item', status: 'pass', target: `${base}/items/item%2042%2Fx` });
    expect(res.body.steps[1].check.evidence.assertions).toEqual([
      expect.objectContaining({ path: '$.json.id', op: 'eq', ok: true }),
      expect.objectContaining({ path: '$.json.status', op: 'eq', ok: true }),
    ]);
    expect(res.body.context).toEqual({ item_id: 'item 42/x', app_port: port, item_status: 'open' });
    expect(res.body.steps[3].check.evidence.parameters.params).toEqual(['open']);

    const client = await sql(db.url);
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM audit.workbooks')).rows[0].n).toBe(0);
      const recorded = await client.query('SELECT trigger, status, ledger_seq, output FROM audit.runs WHERE id = $1', [res.body.run_id]);
      expect(recorded.rows).toEqual([expect.objectContaining({ trigger: 'dry_run', status: 'pass', ledger_seq: expect.any(String) })]);
      expect(recorded.rows[0].output.requested_by).toEqual(expect.any(String));
    } finally {
      await client.end();
    }
  });

  it('an assertion failing in a step makes the verdict fail; a step missing its inputs is skipped as an error', async () => {
    const failing = await api<Json>(engine.url, '/v1/workbooks/dry-run', tokens.writer, { method: 'POST', body: spec({ itemStatus: 'closed' }) });
    expect(failing.status).toBe(200);
    expect(failing.body.verdict).toBe('fail');
    expect(failing.body.steps[1]).toMatchObject({ id: 'item', status: 'fail' });
    expect(failing.body.steps[1].message).toMatch(/\$\.json\.status eq: is "open", expected "closed"/);
    // The failed step still extracted its value, so later steps ran.
    expect(failing.body.steps.slice(2).map((s: Json) => s.status)).toEqual(['pass', 'pass']);

    const broken = spec();
    broken.steps[0].url = 'http://127.0.0.1:1/session';
    const skipped = await api<Json>(engine.url, '/v1/workbooks/dry-run', tokens.writer, { method: 'POST', body: broken });
    expect(skipped.body.verdict).toBe('error');
    expect(skipped.body.steps.map((s: Json) => [s.id, s.status, s.message])).toEqual([
      ['session', 'error', expect.stringMatching(/request failed/)],
      ['item', 'error', 'skipped: depends on session'],
      ['port', 'error', 'skipped: depends on session'],
      ['lookup', 'error', 'skipped: depends on item'],
    ]);
  });

  it('saves versions, lists them, refuses a stale version; a workbook action needs an existing workbook', async () => {
    const first = await api<Json>(engine.url, '/v1/workbooks', tokens.writer, { method: 'POST', body: spec() });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ name: 'item-flow', version: 1 });
    expect((await api<Json>(engine.url, '/v1/workbooks', tokens.reader, { method: 'POST', body: spec() })).status).toBe(403);
    const second = await api<Json>(engine.url, '/v1/workbooks', tokens.writer, { method: 'POST', body: { ...spec(), version: 2 } });
    expect(second.status).toBe(201);
    expect(second.body.version).toBe(2);
    const stale = await api<Json>(engine.url, '/v1/workbooks', tokens.writer, { method: 'POST', body: { ...spec(), version: 2 } });
    expect(expectProblem(stale, 409, 'WORKBOOK_VERSION_CONFLICT').errors).toEqual([expect.objectContaining({ path: 'version' })]);

    const list = await api<{ items: Json[] }>(engine.url, '/v1/workbooks', tokens.reader);
    expect(list.body).toEqual({ items: [expect.objectContaining({ name: 'item-flow', latest_version: 2, versions: 2, steps: 4 })], next_cursor: null });
    const detail = await api<Json>(engine.url, '/v1/workbooks/item-flow', tokens.reader);
    expect(detail.body.latest).toMatchObject({ version: 2, spec: expect.objectContaining({ name: 'item-flow', version: 2 }) });
    expect(detail.body.versions.map((v: Json) => v.version)).toEqual([2, 1]);
    expect((await api<Json>(engine.url, '/v1/workbooks/item-flow/versions/1', tokens.reader)).body.version).toBe(1);
    expectProblem(await api<Json>(engine.url, '/v1/workbooks/nope', tokens.reader), 404, 'WORKBOOK_NOT_FOUND');
    expectProblem(await api<Json>(engine.url, '/v1/workbooks/item-flow/versions/9', tokens.reader), 404, 'WORKBOOK_VERSION_NOT_FOUND');

    const action = (config: Json): Json => ({ project_id: projectId, name: 'flow', action_type: 'workbook', schedule: '0 0 1 1 *', config });
    const missing = await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body: action({ workbook: 'no-such-workbook' }) });
    expect(expectProblem(missing, 400, 'ACTION_CONFIG_INVALID').detail).toMatch(/^config\.workbook: no workbook named "no-such-workbook"/);
    const badVersion = await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body: action({ workbook: 'item-flow', version: 9 }) });
    expect(expectProblem(badVersion, 400, 'ACTION_CONFIG_INVALID').detail).toMatch(/^config\.version: workbook "item-flow" has no version 9/);
  });

  it('a workbook action run now stores a run with one check per step and the verdict', async () => {
    const created = await api<Json>(engine.url, '/v1/actions', tokens.writer, {
      method: 'POST',
      body: { project_id: projectId, name: 'item-flow', action_type: 'workbook', schedule: '0 0 1 1 *', config: { workbook: 'item-flow' } },
    });
    expect(created.status).toBe(201);
    const patched = await api<Json>(engine.url, `/v1/actions/${created.body.id}`, tokens.writer, { method: 'PATCH', body: { config: { workbook: 'gone' } } });
    expect(patched.status).toBe(400);

    const run = await api<Json>(engine.url, `/v1/actions/${created.body.id}/run`, tokens.writer, { method: 'POST' });
    expect(run.status).toBe(202);
    const stored = await waitFor('the workbook run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${run.body.run_id}`, tokens.reader);
      return res.status === 200 ? res.body : undefined;
    });
    expect(stored).toMatchObject({ action_type: 'workbook', status: 'pass', trigger: 'manual' });
    expect(stored.output.checks.map((c: Json) => [c.check_id, c.status])).toEqual([
      ['session', 'pass'],
      ['item', 'pass'],
      ['port', 'pass'],
      ['lookup', 'pass'],
    ]);
    expect(stored.output.details).toMatchObject({ workbook: 'item-flow', version: 2, verdict: 'pass' });
    expect(stored.output.details.steps).toHaveLength(4);
    expect(stored.ledger_seq).not.toBeNull();

    const client = await sql(db.url);
    try {
      const results = await client.query('SELECT check_id, status FROM audit.check_results WHERE action_id = $1 ORDER BY check_id', [created.body.id]);
      expect(results.rows.map((r) => r.check_id)).toEqual(['item', 'lookup', 'port', 'session']);
    } finally {
      await client.end();
    }
  });
});
