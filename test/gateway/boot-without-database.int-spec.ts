import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { assertLedgerCovers, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import type { TcpProxy } from './support/tcp-proxy';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A gateway (re)started while PostgreSQL is down (issue 5, `auto` backend):
 * it boots, takes events into the JSONL spool with tokens it verified before
 * the outage, answers 503 (not 401) for tokens it cannot check, and replays
 * everything into PostgreSQL once the database is reachable again.
 */
describe('gateway started while PostgreSQL is unreachable (AUDIT_BACKEND=auto)', () => {
  let proxy: TcpProxy;
  let gw: GatewayHarness;

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    gw = started;
    proxy = started.proxy;
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('boots, spools with tokens verified before the outage, and replays every event exactly once afterwards', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const neverSeen = await gw.token('never-seen', ['events.write']);
    // The first gateway verifies the writer's token (and remembers it on disk at shutdown).
    expect((await gw.call('/v1/tool-events', writer, { body: [toolEvent()] })).status).toBe(200);
    await gw.app.close();
    const cache = join(gw.home, 'cache', 'tokens-last-known-good.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    await proxy.cut();
    gw.app = await gw.boot();
    gw.url = await gw.app.getUrl();

    const ping = (await (await gw.call('/ping?details=true')).json()) as { status: string; details: { backend: string; fallback_active: boolean } };
    expect(ping).toMatchObject({ status: 'ok', details: { backend: 'jsonl', fallback_active: true } });

    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const batch = [toolEvent({ event_id: randomUUID() }), toolEvent({ event_id: randomUUID() })];
      const res = await gw.call('/v1/tool-events', writer, { body: batch });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { backend: string; results: { status: string; event_id: string }[] };
      expect(body.backend).toBe('jsonl');
      for (const r of body.results) {
        expect(r.status).toBe('accepted');
        ids.push(r.event_id);
      }
    }
    // A token the gateway never verified cannot be checked now: 503 (retry later), not 401 (bad token).
    const unknown = await gw.call('/v1/tool-events', neverSeen, { body: [toolEvent()] });
    expect(unknown.status).toBe(503);

    await proxy.restore();
    for (let i = 0; i < 150; i++) {
      const details = ((await (await gw.call('/ping?details=true')).json()) as { details: { fallback_active: boolean; spool_bytes: number } }).details;
      if (!details.fallback_active && details.spool_bytes === 0) break;
      await sleep(200);
    }
    const stored = await gw.sql.query<{ n: string }>(`SELECT count(*) AS n FROM audit.tool_events WHERE event_id = ANY($1::uuid[])`, [ids]);
    expect(Number(stored.rows[0]!.n)).toBe(ids.length);
    const dupes = await gw.sql.query(`SELECT event_id FROM audit.tool_events GROUP BY event_id HAVING count(*) > 1`);
    expect(dupes.rowCount).toBe(0);
    const markers = await gw.sql.query<{ marker: string }>(`SELECT marker FROM audit.gateway_markers ORDER BY ts`);
    expect(markers.rows.map((m) => m.marker)).toEqual(['backend_fallback_started', 'backend_fallback_ended']);
    // The event before the outage, the spooled ones, and the two markers: each a ledger leaf re-hashing to its row.
    expect(await assertLedgerCovers(gw.sql)).toBe(1 + ids.length + 2);
    // And the database, now reachable, serves the token lookups again (the never-seen token works).
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await gw.call('/v1/tool-events', neverSeen, { body: [toolEvent()] })).status;
      if (status !== 200) await sleep(250);
    }
    expect(status).toBe(200);
  });
});
