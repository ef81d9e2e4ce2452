import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { payloadHash } from '@auditstack/evidence';
import { LEDGER_ROW_SOURCES } from '@auditstack/audit-core';
import { ApiTokenRepository, createDataSource, tokenLedgerView } from '@auditstack/audit-core/server';
import { EvidenceService, recordTokenChange, type SqlPool } from '@auditstack/evidence-store';
import { Pool } from 'pg';
import { createTestDatabase } from '../support/db';
import { startEngine } from '../engine/support/engine-harness';
import { startGateway, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue 11 §4: a token cannot make a token stronger than itself, and every
 * creation and revocation is a ledgered config change. The matrix: creators
 * (unscoped / workspace-scoped, admin / not, and agents named by a trusted
 * proxy) × requested tokens (entitlements × workspace) → 200 or 403.
 */
describe('token escalation matrix', () => {
  let gw: GatewayHarness;
  const creators: Record<string, { token: string; headers?: Record<string, string> }> = {};
  let seq = 0;

  beforeAll(async () => {
    gw = await startGateway();
    const rbac = join(gw.home, 'rbac.json');
    await writeFile(
      rbac,
      JSON.stringify({
        agents: {
          'agent-admin-ws1': { entitlements: ['admin'], workspaces: ['ws-1'] },
          'agent-reader-ws1': { entitlements: ['events.read', 'evidence.read'], workspaces: ['ws-1'] },
        },
      }),
    );
    await gw.app.close();
    gw.app = await gw.boot({ TRUSTED_PROXY_MODE: 'true', RBAC_FILE: rbac });
    gw.url = await gw.app.getUrl();
    creators['unscoped-admin'] = { token: await gw.token('root', ['admin']) };
    creators['ws1-admin'] = { token: await gw.token('ws1-admin', ['admin'], 'ws-1') };
    creators['unscoped-reader'] = { token: await gw.token('reader', ['events.read', 'evidence.read']) };
    creators['ws1-writer'] = { token: await gw.token('ws1-writer', ['events.write'], 'ws-1') };
    const proxy = await gw.token('proxy', ['admin']);
    creators['proxy-as-admin-agent-ws1'] = { token: proxy, headers: { 'x-agent-id': 'agent-admin-ws1' } };
    creators['proxy-as-reader-agent-ws1'] = { token: proxy, headers: { 'x-agent-id': 'agent-reader-ws1', 'x-workspace-id': 'ws-1' } };
  });
  afterAll(async () => {
    await gw?.close();
  });

  const create = (creator: string, body: Json): Promise<Response> =>
    gw.call('/v1/admin/tokens', creators[creator]!.token, { body: { name: `t-${++seq}`, ...body }, headers: creators[creator]!.headers ?? {} });

  const REQUESTS: Array<{ label: string; entitlements: string[]; workspace_id?: string }> = [
    { label: 'admin, unscoped', entitlements: ['admin'] },
    { label: 'admin, ws-1', entitlements: ['admin'], workspace_id: 'ws-1' },
    { label: 'admin, ws-2', entitlements: ['admin'], workspace_id: 'ws-2' },
    { label: 'events.read, unscoped', entitlements: ['events.read'] },
    { label: 'events.read, ws-1', entitlements: ['events.read'], workspace_id: 'ws-1' },
    { label: 'events.read, ws-2', entitlements: ['events.read'], workspace_id: 'ws-2' },
    { label: 'events.write+evidence.read, ws-1', entitlements: ['events.write', 'evidence.read'], workspace_id: 'ws-1' },
  ];
  /** Expected status per creator, in REQUESTS order. */
  const EXPECTED: Record<string, number[]> = {
    'unscoped-admin': [201, 201, 201, 201, 201, 201, 201],
    // A scoped admin is admin of its workspace only: nothing unscoped, nothing for ws-2.
    'ws1-admin': [403, 201, 403, 403, 201, 403, 201],
    'unscoped-reader': [403, 403, 403, 403, 403, 403, 403],
    'ws1-writer': [403, 403, 403, 403, 403, 403, 403],
    // An admin proxy acting for an agent confined to ws-1 gets the agent's limits, not its own.
    'proxy-as-admin-agent-ws1': [403, 201, 403, 403, 201, 403, 201],
    'proxy-as-reader-agent-ws1': [403, 403, 403, 403, 403, 403, 403],
  };

  it('creation: every (creator × requested token) case answers as the matrix says, and a refusal stores nothing', async () => {
    const before = Number((await gw.sql.query('SELECT count(*) AS n FROM audit.api_tokens')).rows[0].n);
    const outcomes: string[] = [];
    let created = 0;
    let cases = 0;
    for (const [creator, expected] of Object.entries(EXPECTED)) {
      for (const [i, request] of REQUESTS.entries()) {
        const res = await create(creator, { entitlements: request.entitlements, ...(request.workspace_id ? { workspace_id: request.workspace_id } : {}) });
        const body = (await res.json()) as Json;
        cases++;
        if (res.status === 201) created++;
        if (res.status === 403)
          expect(body).toMatchObject({
            status: 403,
            code: expect.stringMatching(/^(TOKEN_EXCEEDS_CREATOR|FORBIDDEN|AGENT_FORBIDDEN|WORKSPACE_FORBIDDEN)$/),
            detail: expect.any(String),
          });
        if (res.status !== expected[i]) outcomes.push(`${creator} → ${request.label}: ${res.status} (expected ${expected[i]}) ${JSON.stringify(body)}`);
      }
    }
    expect(outcomes).toEqual([]);
    const after = Number((await gw.sql.query('SELECT count(*) AS n FROM audit.api_tokens')).rows[0].n);
    expect(after - before).toBe(created);
    process.stdout.write(`token-escalation: ${cases} cases, ${created} created, ${cases - created} refused\n`);
  });

  it('a scoped admin lists and revokes only its workspace’s tokens (others: 404, untouched)', async () => {
    const root = creators['unscoped-admin']!.token;
    const scoped = creators['ws1-admin']!.token;
    const mk = async (name: string, ws?: string): Promise<string> =>
      ((await (await gw.call('/v1/admin/tokens', root, { body: { name, entitlements: ['events.read'], ...(ws ? { workspace_id: ws } : {}) } })).json()) as Json)
        .id as string;
    const inWs1 = await mk('victim-ws1', 'ws-1');
    const inWs2 = await mk('victim-ws2', 'ws-2');
    const unscoped = await mk('victim-unscoped');
    const listed = ((await (await gw.call('/v1/admin/tokens', scoped)).json()) as { items: Json[] }).items;
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((t) => t.workspace_id))).toEqual(new Set(['ws-1']));
    expect((await gw.call(`/v1/admin/tokens/${inWs2}`, scoped, { method: 'DELETE' })).status).toBe(404);
    expect((await gw.call(`/v1/admin/tokens/${unscoped}`, scoped, { method: 'DELETE' })).status).toBe(404);
    expect((await gw.call(`/v1/admin/tokens/${inWs1}`, scoped, { method: 'DELETE' })).status).toBe(204);
    const { rows } = await gw.sql.query<{ id: string; revoked: boolean }>(
      'SELECT id, revoked_at IS NOT NULL AS revoked FROM audit.api_tokens WHERE id = ANY($1::uuid[])',
      [[inWs1, inWs2, unscoped]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.revoked]))).toEqual({ [inWs1]: true, [inWs2]: false, [unscoped]: false });
  });

  it('every token row matches its newest ledgered config change (create → revoke), each covered by a config leaf', async () => {
    const tokens = await gw.sql.query('SELECT id, name, principal, entitlements, workspace_id, token_hash, revoked_at FROM audit.api_tokens');
    const changes = await gw.sql.query(
      `SELECT c.*, l.kind, l.ref, l.payload_hash FROM audit.config_changes c JOIN audit.ledger l ON l.seq = c.ledger_seq
        WHERE c.subject_kind = 'token' ORDER BY c.at, c.ledger_seq`,
    );
    const newest = new Map<string, Json>();
    const kinds = new Map<string, string[]>();
    for (const c of changes.rows) {
      expect(c.kind).toBe('config');
      expect(c.ref).toBe(c.id);
      expect(payloadHash(LEDGER_ROW_SOURCES.config!.payload(c)).equals(c.payload_hash)).toBe(true);
      newest.set(c.subject_id, c);
      kinds.set(c.subject_id, [...(kinds.get(c.subject_id) ?? []), c.change]);
    }
    expect(tokens.rows.length).toBeGreaterThan(10);
    for (const t of tokens.rows) {
      expect(newest.get(t.id)?.after).toEqual(tokenLedgerView(t));
      expect(kinds.get(t.id)).toEqual(t.revoked_at ? ['create', 'revoke'] : ['create']);
    }
    const revoke = [...newest.values()].find((c) => c.change === 'revoke')!;
    expect(revoke.before).toEqual({ ...revoke.after, revoked: false });
    expect(revoke.actor).toMatch(/^ws1-admin \([0-9a-f-]{36}\)$/);
    // And the verifier, which compares audit.api_tokens with these changes, agrees.
    const pool = new Pool({ connectionString: gw.db.url, max: 2 });
    try {
      const verifier = new EvidenceService({ db: pool as unknown as SqlPool, home: gw.home });
      expect((await verifier.verifyOnline()).problems).toEqual([]);
      // …and would notice a token raised behind the ledger's back (so the agreement above is not vacuous).
      await gw.sql.query(`UPDATE audit.api_tokens SET entitlements = '{admin}' WHERE name = 'victim-ws2'`);
      expect((await verifier.verifyOnline()).problems.map((p) => p.code)).toContain('CONFIG_MISMATCH');
    } finally {
      await pool.end();
    }
  });
});

describe('the engine is fleet-wide: a workspace-scoped token is no admin there', () => {
  it('a ws-1 admin token keeps its identity (whoami) but gets 403 on every engine route that needs an entitlement', async () => {
    const db = await createTestDatabase({ migrated: true });
    const engine = await startEngine(db.url);
    const ds = await createDataSource({ url: db.url, applicationName: 'test', poolMax: 1 }).initialize();
    try {
      const repo = new ApiTokenRepository(ds, recordTokenChange);
      const scoped = (await repo.create({ name: 'ws1-admin', entitlements: ['admin'], workspaceId: 'ws-1', actor: 'test' })).token;
      const root = (await repo.create({ name: 'root', entitlements: ['admin'], actor: 'test' })).token;
      const call = (path: string, token: string, init: RequestInit = {}): Promise<Response> =>
        fetch(`${engine.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
      expect((await call('/v1/whoami', scoped)).status).toBe(200);
      const project = { name: 'fleet', description: 'x' };
      for (const [path, init] of [
        ['/v1/projects', {}],
        ['/v1/actions', {}],
        ['/v1/runs', {}],
        ['/v1/workbooks', {}],
        ['/v1/overview', {}],
        ['/v1/projects', { method: 'POST', body: JSON.stringify(project) }],
      ] as Array<[string, RequestInit]>) {
        const res = await call(path, scoped, init);
        expect([path, res.status]).toEqual([path, 403]);
        expect((await call(path, root)).status).toBe(200);
      }
      expect((await ds.query(`SELECT 1 FROM audit.projects WHERE name = 'fleet'`)).length).toBe(0);
    } finally {
      await ds.destroy();
      await engine.close();
      await db.drop();
    }
  }, 60_000);
});
