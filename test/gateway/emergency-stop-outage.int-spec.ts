import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { waitFor } from '../engine/support/engine-harness';
import { startGatewayBehindProxy, assertLedgerCovers, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, unknown>;

/**
 * The emergency stop with `AUDIT_BACKEND=postgres` while PostgreSQL is down:
 * it engages (API or sentinel file) and authorize denies; its markers reach
 * the ledger once PostgreSQL is back; the original reason survives a restart;
 * a stop lifted while the gateway was down is recorded at the next boot; and
 * `GET /v1/markers` lists them for unscoped `evidence.read` callers only.
 */
describe('emergency stop during a PostgreSQL outage (postgres backend)', () => {
  let gw: GatewayHarness & { proxy: TcpProxy };
  let app: NestFastifyApplication;
  let url: string;
  let sentinel: string;
  let rbac: string;
  const tokens: Record<string, string> = {};

  const env = (): Record<string, string> => ({ AUDIT_BACKEND: 'postgres', RBAC_FILE: rbac, EMERGENCY_STOP_FILE: sentinel });
  const restart = async (): Promise<void> => {
    await app.close();
    app = await gw.boot(env());
    url = await app.getUrl();
  };

  beforeAll(async () => {
    gw = await startGatewayBehindProxy({ AUDIT_BACKEND: 'postgres' });
    rbac = join(gw.home, 'rbac.json');
    sentinel = join(gw.home, 'stop', 'EMERGENCY_STOP');
    await writeFile(rbac, JSON.stringify({ agents: { a1: { workspaces: ['ws-1'], tools: { github: ['search'] } } } }));
    await gw.app.close();
    app = await gw.boot(env());
    url = await app.getUrl();
    tokens.admin = await gw.token('admin', ['admin']);
    tokens.router = await gw.token('router', ['events.write']);
    tokens.auditor = await gw.token('auditor', ['evidence.read']);
    tokens.scopedAuditor = await gw.token('scoped-auditor', ['evidence.read'], 'ws-1');
  }, 60_000);

  afterAll(async () => {
    await gw.proxy.restore().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await gw?.close();
  });

  const post = async (path: string, token: string, body: unknown): Promise<Json> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as Json) };
  };
  const get = async (path: string, token?: string): Promise<Json> => {
    const res = await fetch(`${url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, ...((await res.json()) as Json) };
  };
  const call = { agent_id: 'a1', workspace_id: 'ws-1', tool: 'github', action: 'search' };
  const markers = async (): Promise<Array<{ marker: string; details: Json }>> =>
    (await gw.sql.query<{ marker: string; details: Json }>('SELECT marker, details FROM audit.gateway_markers ORDER BY ts, id')).rows;

  it('engaged over the API while PostgreSQL is down: 200, authorize denies at once, the markers follow the recovery', async () => {
    // Every token verified once while the database is up (the gateway remembers verified tokens through an outage).
    expect(await post('/v1/tools/authorize', tokens.router!, call)).toMatchObject({ status: 200, decision: 'allow' });
    expect((await get('/v1/admin/emergency-stop', tokens.admin)).status).toBe(200);

    await gw.proxy.cut();
    const engaged = await post('/v1/admin/emergency-stop', tokens.admin!, { reason: 'agent wiping repos' });
    expect(engaged).toMatchObject({ status: 200, engaged: true, reason: 'agent wiping repos', already: false, marker_id: null, marker_pending: true });
    expect(existsSync(sentinel)).toBe(true);
    const denied = await post('/v1/tools/authorize', tokens.router!, call);
    expect(denied).toMatchObject({ status: 200, decision: 'deny', reason: expect.stringContaining('emergency stop'), marker_pending: true });

    await gw.proxy.restore();
    const rows = await waitFor(
      'the engagement and the denial recorded',
      async () => {
        const all = await markers();
        return all.some((m) => m.marker === 'emergency_stop') && all.some((m) => m.marker === 'tool_call_denied') ? all : undefined;
      },
      15_000,
      200,
    );
    expect(rows.find((m) => m.marker === 'emergency_stop')!.details).toMatchObject({ by: 'admin', reason: 'agent wiping repos' });
    expect(rows.find((m) => m.marker === 'tool_call_denied')!.details).toMatchObject({ agent_id: 'a1', emergency_stop: true, recorded_late: true });
    // The sentinel now names the recorded marker, so no restart writes it again.
    const state = JSON.parse(await readFile(sentinel, 'utf8')) as Json;
    expect(state).toMatchObject({ by: 'admin', reason: 'agent wiping repos', marker_id: expect.any(String) });
  }, 60_000);

  it('a restart keeps the original reason (not "sentinel") and writes no second engagement marker', async () => {
    const before = (await markers()).filter((m) => m.marker === 'emergency_stop').length;
    await restart();
    expect(await get('/v1/admin/emergency-stop', tokens.admin)).toMatchObject({ engaged: true, by: 'admin', reason: 'agent wiping repos' });
    expect(await post('/v1/tools/authorize', tokens.router!, call)).toMatchObject({ decision: 'deny' });
    expect((await markers()).filter((m) => m.marker === 'emergency_stop').length).toBe(before);
  }, 30_000);

  it('lifted while the gateway was down: the next boot without the sentinel records emergency_stop_lifted', async () => {
    await app.close();
    await rm(sentinel);
    app = await gw.boot(env());
    url = await app.getUrl();
    expect(await post('/v1/tools/authorize', tokens.router!, call)).toMatchObject({ decision: 'allow' });
    const lifted = (await markers()).filter((m) => m.marker === 'emergency_stop_lifted');
    expect(lifted).toHaveLength(1);
    expect(lifted[0]!.details).toMatchObject({ engaged_reason: 'agent wiping repos', how: 'sentinel absent at boot' });
    // A second boot without the sentinel records nothing more.
    await restart();
    expect((await markers()).filter((m) => m.marker === 'emergency_stop_lifted')).toHaveLength(1);
  }, 30_000);

  it('a sentinel an operator creates while the gateway runs and PostgreSQL is down engages the stop at the next call', async () => {
    const late = async (): Promise<number> => (await markers()).filter((m) => m.marker === 'tool_call_denied' && m.details['recorded_late'] === true).length;
    const lateBefore = await late();
    await gw.proxy.cut();
    await writeFile(sentinel, '');
    expect(await post('/v1/tools/authorize', tokens.router!, call)).toMatchObject({
      status: 200,
      decision: 'deny',
      reason: expect.stringContaining('emergency stop'),
    });
    expect(await get('/v1/admin/emergency-stop', tokens.admin)).toMatchObject({ engaged: true, by: 'sentinel' });
    await gw.proxy.restore();
    // Both late writes land: the engagement, and the denial answered while PostgreSQL was down (then nothing is in flight).
    await waitFor(
      'the sentinel engagement and the late denial recorded',
      async () => ((await markers()).filter((m) => m.marker === 'emergency_stop').length === 2 && (await late()) === lateBefore + 1 ? true : undefined),
      15_000,
      200,
    );
    expect(await assertLedgerCovers(gw.sql)).toBe((await markers()).length);
  }, 30_000);

  it('GET /v1/markers lists them as {items, next_cursor} (unscoped evidence.read only), newest first, paginated', async () => {
    expect((await get('/v1/markers')).status).toBe(401);
    expect((await get('/v1/markers', tokens.router)).status).toBe(403);
    expect((await get('/v1/markers', tokens.scopedAuditor)).status).toBe(403);
    expect((await get('/v1/markers?cursor=bm9wZQ', tokens.auditor)).status).toBe(400);
    expect((await get('/v1/markers?marker=DROP%20TABLE', tokens.auditor)).status).toBe(400);
    const stops = await get('/v1/markers?marker=emergency_stop', tokens.auditor);
    expect(stops).toMatchObject({ status: 200, next_cursor: null });
    expect((stops.items as Json[]).map((m) => m.details)).toEqual([
      expect.objectContaining({ by: 'sentinel' }),
      expect.objectContaining({ by: 'admin', reason: 'agent wiping repos' }),
    ]);
    const all = (await markers()).length;
    const seen: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await get(`/v1/markers?limit=2${cursor ? `&cursor=${cursor}` : ''}`, tokens.auditor);
      expect(page.status).toBe(200);
      seen.push(...(page.items as Json[]));
      cursor = page.next_cursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(all);
    expect(new Set(seen.map((m) => m.id)).size).toBe(all);
    expect(seen.map((m) => m.marker)).toEqual(expect.arrayContaining(['emergency_stop', 'emergency_stop_lifted', 'tool_call_denied']));
    console.log(`emergency stop: ${all} markers listed over ${Math.ceil(all / 2)} pages, every one ledgered`);
  });
});
