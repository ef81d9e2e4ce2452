import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertLedgerCovers, startGateway, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `/v1/tools/authorize` against the RBAC / rollout policy, and the emergency stop (API and sentinel). */
describe('gateway tool authorization and emergency stop', () => {
  let gw: GatewayHarness;
  let admin: string;
  let router: string;
  let sentinel: string;
  let rbac: string;
  const extra: NestFastifyApplication[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    rbac = join(gw.home, 'rbac.json');
    sentinel = join(gw.home, 'stop', 'EMERGENCY_STOP');
    await writeFile(
      rbac,
      JSON.stringify({
        agents: { a1: { workspaces: ['ws-1', 'ws-canary'], tools: { github: ['search', 'read'], deploy: '*' } } },
        rollout: { deploy: { workspaces: ['ws-canary'] } },
      }),
    );
    await gw.app.close();
    gw.app = await gw.boot({ RBAC_FILE: rbac, EMERGENCY_STOP_FILE: sentinel });
    gw.url = await gw.app.getUrl();
    admin = await gw.token('admin', ['admin']);
    router = await gw.token('router', ['events.write']);
  });
  afterAll(async () => {
    for (const app of extra) await app.close();
    await gw?.close();
  });

  const authorize = async (base: string, body: Json, token = router): Promise<Json> => {
    const res = await fetch(`${base}/v1/tools/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as Json) };
  };
  const call = { agent_id: 'a1', workspace_id: 'ws-1', tool: 'github', action: 'search' };

  it('decides against the RBAC and rollout policy; each denial is a ledger-covered marker', async () => {
    expect(await authorize(gw.url, call)).toMatchObject({ status: 200, decision: 'allow' });
    expect(await authorize(gw.url, { ...call, action: 'delete' })).toMatchObject({ decision: 'deny', reason: expect.stringContaining('may not delete') });
    expect(await authorize(gw.url, { ...call, agent_id: 'a9' })).toMatchObject({ decision: 'deny', reason: expect.stringContaining('not in the RBAC policy') });
    expect(await authorize(gw.url, { ...call, tool: 'deploy', action: 'run' })).toMatchObject({
      decision: 'deny',
      reason: expect.stringContaining('not rolled out'),
    });
    expect(await authorize(gw.url, { ...call, tool: 'deploy', action: 'run', workspace_id: 'ws-canary' })).toMatchObject({ decision: 'allow' });
    expect((await authorize(gw.url, { ...call, input: 'x' })).status).toBe(400);
    const markers = await gw.sql.query(`SELECT marker, details FROM audit.gateway_markers ORDER BY ts`);
    expect(markers.rows.map((m) => m.marker)).toEqual(['tool_call_denied', 'tool_call_denied', 'tool_call_denied']);
    expect(markers.rows[0].details).toMatchObject({ agent_id: 'a1', action: 'delete', emergency_stop: false });
    expect(await assertLedgerCovers(gw.sql)).toBe(3);
  });

  it('the emergency stop (admin only) denies every call from then on, survives a restart through the sentinel, and is lifted only by removing it', async () => {
    expect((await fetch(`${gw.url}/v1/admin/emergency-stop`, { method: 'POST', headers: { authorization: `Bearer ${router}` } })).status).toBe(403);
    const res = await fetch(`${gw.url}/v1/admin/emergency-stop`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'agent misbehaving' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ engaged: true, by: 'admin', reason: 'agent misbehaving', already: false });
    expect(existsSync(sentinel)).toBe(true);
    expect(await authorize(gw.url, call)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('emergency stop') });
    expect((await fetch(`${gw.url}/v1/admin/emergency-stop`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })).status).toBe(404);

    // A restart keeps it engaged (the sentinel is present at boot)…
    await gw.app.close();
    gw.app = await gw.boot({ RBAC_FILE: rbac, EMERGENCY_STOP_FILE: sentinel });
    gw.url = await gw.app.getUrl();
    expect(await authorize(gw.url, call)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('emergency stop') });
    // …until an operator removes the sentinel and restarts.
    await rm(sentinel);
    const lifted = await gw.boot({ RBAC_FILE: rbac, EMERGENCY_STOP_FILE: sentinel });
    extra.push(lifted);
    expect(await authorize(await lifted.getUrl(), call)).toMatchObject({ decision: 'allow' });

    const markers = await gw.sql.query<{ marker: string }>(`SELECT marker FROM audit.gateway_markers ORDER BY ts`);
    expect(markers.rows.map((m) => m.marker)).toEqual([
      'tool_call_denied',
      'tool_call_denied',
      'tool_call_denied',
      'emergency_stop', // the API call
      'tool_call_denied',
      'tool_call_denied', // after the restart: the same engagement (its marker is not written twice)
      'emergency_stop_lifted', // the first boot without the sentinel
    ]);
    expect(await assertLedgerCovers(gw.sql)).toBe(7);
  });
});
