import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lifecycleEvent, startGateway, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue 11 §8: workspace scopes and trusted-proxy agent limits on every route —
 * ingest, authorize, token admin, evidence — and error bodies without
 * connection details.
 */
describe('scopes on every gateway route', () => {
  let gw: GatewayHarness;
  const t: Record<string, string> = {};
  const W1 = { 'x-agent-id': 'agent-w1', 'x-workspace-id': 'ws-1' };
  const R1 = { 'x-agent-id': 'agent-r1', 'x-workspace-id': 'ws-1' };

  beforeAll(async () => {
    gw = await startGateway();
    const rbac = join(gw.home, 'rbac.json');
    await writeFile(
      rbac,
      JSON.stringify({
        agents: {
          'agent-w1': { entitlements: ['events.write'], workspaces: ['ws-1'], tools: { github: '*' } },
          'agent-r1': { entitlements: ['events.read'], workspaces: ['ws-1'] },
        },
      }),
    );
    await gw.app.close();
    gw.app = await gw.boot({ TRUSTED_PROXY_MODE: 'true', RBAC_FILE: rbac });
    gw.url = await gw.app.getUrl();
    t.root = await gw.token('root', ['admin']);
    t.writer = await gw.token('writer', ['events.write']);
    t.ws1Writer = await gw.token('ws1-writer', ['events.write'], 'ws-1');
    t.ws1Evidence = await gw.token('ws1-evidence', ['evidence.read'], 'ws-1');
    t.evidence = await gw.token('evidence', ['evidence.read']);
    t.proxy = await gw.token('proxy', ['admin']);
  });
  afterAll(async () => {
    await gw?.close();
  });

  const post = async (path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
    const res = await gw.call(path, token, { body, headers });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const get = async (path: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
    const res = await gw.call(path, token, { headers });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('scoped writer: lifecycle ingest (fleet-wide) → 403, tool events only into its own workspace', async () => {
    expect((await post('/v1/lifecycle-events', t.ws1Writer!, lifecycleEvent())).status).toBe(403);
    expect((await post('/v1/lifecycle-events', t.ws1Writer!, [lifecycleEvent()])).status).toBe(403);
    expect((await post('/v1/lifecycle-events', t.writer!, lifecycleEvent({ event_id: randomUUID() }))).status).toBe(200);
    const other = await post('/v1/tool-events', t.ws1Writer!, toolEvent({ workspace_id: 'ws-2' }));
    expect(other.status).toBe(400);
    expect(other.body.detail).toContain('workspace_id');
    expect(other.body.errors).toEqual([expect.objectContaining({ path: 'workspace_id', in: 'body' })]);
    expect((await post('/v1/tool-events', t.ws1Writer!, toolEvent({ event_id: randomUUID(), workspace_id: 'ws-1' }))).status).toBe(200);
    const { rows } = await gw.sql.query(`SELECT count(*)::int AS n FROM audit.tool_events WHERE workspace_id = 'ws-2'`);
    expect(rows[0].n).toBe(0);
  });

  it('trusted proxy: the agent’s limits hold on ingest, authorize, token admin and evidence, although the proxy token is admin', async () => {
    // Ingest into another workspace, and fleet-wide lifecycle events.
    expect((await post('/v1/tool-events', t.proxy!, toolEvent({ workspace_id: 'ws-2' }), W1)).status).toBe(400);
    expect((await post('/v1/lifecycle-events', t.proxy!, lifecycleEvent(), W1)).status).toBe(403);
    expect((await post('/v1/tool-events', t.proxy!, toolEvent({ event_id: randomUUID(), workspace_id: 'ws-1' }), W1)).status).toBe(200);
    // Authorize for another workspace.
    const call = { agent_id: 'agent-w1', workspace_id: 'ws-2', tool: 'github', action: 'search' };
    expect((await post('/v1/tools/authorize', t.proxy!, call, W1)).status).toBe(403);
    expect((await post('/v1/tools/authorize', t.proxy!, { ...call, workspace_id: 'ws-1' }, W1)).status).toBe(200);
    // Authorize on behalf of another agent of the same workspace.
    expect((await post('/v1/tools/authorize', t.proxy!, { ...call, workspace_id: 'ws-1', agent_id: 'agent-r1' }, W1)).status).toBe(403);
    // A read-only agent: no token admin, no evidence, no writes.
    expect((await get('/v1/admin/tokens', t.proxy!, R1)).status).toBe(403);
    expect((await post('/v1/admin/tokens', t.proxy!, { name: 'via-agent', entitlements: ['admin'] }, R1)).status).toBe(403);
    expect((await get('/v1/evidence/status', t.proxy!, R1)).status).toBe(403);
    expect((await get('/v1/evidence/entries/0', t.proxy!, R1)).status).toBe(403);
    expect((await post('/v1/tool-events', t.proxy!, toolEvent({ workspace_id: 'ws-1' }), R1)).status).toBe(403);
    expect((await post('/v1/admin/emergency-stop', t.proxy!, {}, R1)).status).toBe(403);
    // An agent not in the policy, or a workspace it may not use.
    expect((await get('/v1/whoami', t.proxy!, { 'x-agent-id': 'nobody', 'x-workspace-id': 'ws-1' })).status).toBe(403);
    expect((await get('/v1/whoami', t.proxy!, { 'x-agent-id': 'agent-r1', 'x-workspace-id': 'ws-2' })).status).toBe(403);
    // whoami shows the narrowed caller, not the proxy token.
    expect((await get('/v1/whoami', t.proxy!, R1)).body).toMatchObject({ entitlements: ['events.read'], workspace_id: 'ws-1' });
    expect((await gw.sql.query(`SELECT 1 FROM audit.api_tokens WHERE name = 'via-agent'`)).rows).toHaveLength(0);
  });

  it('a scoped evidence token sees only its workspace’s leaves; others are hidden exactly like a seq that does not exist', async () => {
    const ids = { ws1: randomUUID(), ws2: randomUUID(), fleet: randomUUID() };
    expect((await post('/v1/tool-events', t.writer!, toolEvent({ event_id: ids.ws1, workspace_id: 'ws-1' }))).status).toBe(200);
    expect((await post('/v1/tool-events', t.writer!, toolEvent({ event_id: ids.ws2, workspace_id: 'ws-2' }))).status).toBe(200);
    expect((await post('/v1/lifecycle-events', t.writer!, lifecycleEvent({ event_id: ids.fleet }))).status).toBe(200);
    const seqOf = async (table: string, id: string): Promise<number> =>
      Number((await gw.sql.query(`SELECT ledger_seq FROM ${table} WHERE event_id = $1`, [id])).rows[0].ledger_seq);
    const seq = {
      ws1: await seqOf('audit.tool_events', ids.ws1),
      ws2: await seqOf('audit.tool_events', ids.ws2),
      fleet: await seqOf('audit.lifecycle_events', ids.fleet),
    };
    const configSeq = Number((await gw.sql.query(`SELECT min(ledger_seq) AS s FROM audit.config_changes`)).rows[0].s);

    const mine = await get(`/v1/evidence/entries/${seq.ws1}`, t.ws1Evidence!);
    expect(mine.status).toBe(200);
    expect(mine.body.entry).toMatchObject({ seq: seq.ws1, kind: 'tool', ref: ids.ws1 });
    const missing = await get('/v1/evidence/entries/999999', t.ws1Evidence!);
    expect(missing.status).toBe(404);
    for (const hidden of [seq.ws2, seq.fleet, configSeq]) {
      const res = await get(`/v1/evidence/entries/${hidden}`, t.ws1Evidence!);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        ...missing.body,
        detail: missing.body.detail.replace('999999', String(hidden)),
        instance: missing.body.instance.replace('999999', String(hidden)),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/tool|lifecycle|config|ws-2/);
      expect((await get(`/v1/evidence/proofs/inclusion/${hidden}`, t.ws1Evidence!)).status).toBe(404);
    }
    // The unscoped evidence reader sees everything.
    for (const s of [seq.ws1, seq.ws2, seq.fleet, configSeq]) expect((await get(`/v1/evidence/entries/${s}`, t.evidence!)).status).toBe(200);
    // Sizes and hashes stay readable to the scoped token.
    expect((await get('/v1/evidence/status', t.ws1Evidence!)).status).toBe(200);
  });
});

describe('error bodies never echo connection details', () => {
  it('with PostgreSQL unreachable, no response names the database host, port or URL', async () => {
    const gw = await startGatewayBehindProxy({ AUDIT_BACKEND: 'postgres' });
    try {
      const admin = await gw.token('admin', ['admin']);
      expect((await gw.call('/v1/whoami', admin)).status).toBe(200);
      await gw.proxy.cut();
      const secrets = [String(gw.proxy.port), 'postgres://', '127.0.0.1', 'localhost'];
      const probes: Array<[string, { body?: unknown; method?: string }]> = [
        ['/v1/tool-events', { body: toolEvent({ event_id: randomUUID() }) }],
        ['/v1/lifecycle-events', { body: lifecycleEvent({ event_id: randomUUID() }) }],
        ['/v1/tool-events?limit=5', {}],
        ['/v1/lifecycle-events?limit=5', {}],
        ['/v1/finops/dashboard', {}],
        ['/v1/evidence/status', {}],
        ['/v1/evidence/entries/0', {}],
        ['/v1/evidence/checkpoints', {}],
        ['/v1/admin/tokens', {}],
        ['/v1/admin/tokens', { body: { name: 'x', entitlements: ['events.read'] } }],
        [`/v1/admin/tokens/${randomUUID()}`, { method: 'DELETE' }],
        ['/v1/tools/authorize', { body: { agent_id: 'a', workspace_id: 'w', tool: 't', action: 'x' } }],
      ];
      const leaks: string[] = [];
      for (const [path, init] of probes) {
        const res = await gw.call(path, admin, init);
        const text = await res.text();
        for (const s of secrets) if (text.includes(s)) leaks.push(`${init.method ?? (init.body ? 'POST' : 'GET')} ${path} → ${res.status}: ${text}`);
      }
      expect(leaks).toEqual([]);
    } finally {
      await gw.close();
    }
  });
});
