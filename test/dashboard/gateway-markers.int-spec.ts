import { SESSION_COOKIE } from '../../apps/dashboard/src/auth/session-cookie.util';
import { callApi, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

/**
 * The Tools page of an admin lists the gateway's markers (GET /v1/markers):
 * an emergency stop engaged through the API shows up with its reason. Server
 * rendered, read over HTTP with the session cookie (no browser needed).
 */
describe('dashboard: gateway markers on the Tools page', () => {
  let stack: DashboardStack;

  beforeAll(async () => {
    stack = await startDashboardStack({ admin: ['admin'], reader: ['tools.cost.read'] });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const page = async (path: string, token: string): Promise<string> =>
    (await fetch(`${stack.dashboardUrl}${path}`, { headers: { cookie: `${SESSION_COOKIE}=${token}` }, redirect: 'manual' })).text();

  it('an admin sees the engagement marker with its reason; a non-admin sees no markers', async () => {
    const engaged = await callApi(stack.gatewayUrl, '/v1/admin/emergency-stop', stack.tokens.admin!, {
      method: 'POST',
      body: { reason: 'agent wiping repos' },
    });
    expect(engaged.status).toBe(200);
    const html = await page('/tools', stack.tokens.admin!);
    expect(html).toContain('Gateway markers');
    expect(html).toContain('Emergency stop engaged');
    expect(html).toContain('agent wiping repos');
    expect(html).not.toMatch(/Application error|Internal Server Error/);
    const reader = await page('/tools', stack.tokens.reader!);
    expect(reader).toMatch(/<h1[^>]*>Tools<\/h1>/);
    expect(reader).not.toContain('Gateway markers');
  }, 60_000);
});
