import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDashboard } from './support/dashboard-stack';

/** A stand-in service: `/ping` ok, `/ready` as given. */
async function fakeService(ready: { status: number; body: unknown }): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/ping') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (req.url === '/ready') return void res.writeHead(ready.status, { 'content-type': 'application/json' }).end(JSON.stringify(ready.body));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * The public `/status` page during a PostgreSQL outage: it says the gateway is
 * spooling and nothing is lost, shows each dependency's state, and shows no
 * internal URL, host or port of the services (nor what a service might put in
 * its `/ready` beyond fixed words).
 */
describe('dashboard /status during an outage', () => {
  const servers: Server[] = [];
  let dashboard: { url: string; close(): Promise<void> } | null = null;

  afterAll(async () => {
    await dashboard?.close();
    for (const server of servers) await new Promise((r) => server.close(r));
  });

  it('says "Spooling, nothing lost" and names no internal URL, host or port', async () => {
    // The engine's 503 is the contract's NOT_READY problem: its `detail` may name a host, the page shows only the checks.
    const engine = await fakeService({
      status: 503,
      body: {
        type: 'https://auditstack.dev/problems/not-ready',
        title: 'Not ready',
        status: 503,
        detail: 'not ready: database down (db.internal:5432)',
        code: 'NOT_READY',
        checks: { database: 'down', redis: 'up' },
      },
    });
    const gateway = await fakeService({
      status: 200,
      body: { status: 'ready', checks: { database: 'down', backend: 'fallback_spooling', leak: 'postgres://u:pw@db.internal:5432/x' } },
    });
    servers.push(engine.server, gateway.server);
    dashboard = await startDashboard({ engineUrl: engine.url, gatewayUrl: gateway.url });

    const html = await (await fetch(`${dashboard.url}/status`)).text();
    expect(html).toContain('Spooling, nothing lost.');
    expect(html).toContain('fallback spooling');
    const text = html.replace(/<[^>]+>/g, ' ');
    expect(text).toMatch(/database\s+down/);
    for (const secret of [
      engine.url,
      gateway.url,
      `:${new URL(engine.url).port}`,
      `:${new URL(gateway.url).port}`,
      '127.0.0.1',
      'db.internal',
      'postgres://',
    ]) {
      expect({ secret, shown: html.includes(secret) }).toEqual({ secret, shown: false });
    }
  }, 90_000);
});
