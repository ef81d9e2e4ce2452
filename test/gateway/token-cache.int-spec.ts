import { startGateway, type GatewayHarness } from './support/gateway-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** AUTH_CACHE_MS: how long a token revoked behind the gateway's back (straight in SQL, or on another replica) keeps working. */
describe('gateway token cache', () => {
  let gw: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway({ AUTH_CACHE_MS: '1500' });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('reuses a verified token for AUTH_CACHE_MS at most, then sees its revocation', async () => {
    const token = await gw.token('cached', ['events.read']);
    expect((await gw.call('/v1/whoami', token)).status).toBe(200);
    await gw.sql.query(`UPDATE audit.api_tokens SET revoked_at = now() WHERE name = 'cached'`);
    expect((await gw.call('/v1/whoami', token)).status).toBe(200);
    await sleep(1600);
    expect((await gw.call('/v1/whoami', token)).status).toBe(401);
  });

  it('with AUTH_CACHE_MS=0 every request is looked up', async () => {
    const app = await gw.boot({ AUTH_CACHE_MS: '0' });
    const url = await app.getUrl();
    try {
      const token = await gw.token('uncached', ['events.read']);
      const whoami = (): Promise<number> => fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await whoami()).toBe(200);
      await gw.sql.query(`UPDATE audit.api_tokens SET revoked_at = now() WHERE name = 'uncached'`);
      expect(await whoami()).toBe(401);
    } finally {
      await app.close();
    }
  });
});
