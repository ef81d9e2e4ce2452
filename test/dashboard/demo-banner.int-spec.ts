import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const id = (suffix: string): string => `00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;
const at = (hhmm: string): string => `2026-11-20T${hhmm}:00.000Z`;

/**
 * Demo data is labelled (docs/demo.md): a row of the simulated fleet (engine `demo-eng-01`, workspace
 * `demo-ws-support`) brings the demo banner to the top of the Timeline, Lifecycle and Tool events pages
 * and a "demo" badge to its row; a page that shows no demo row (filtered on a real engine or workspace)
 * has neither. Real gateway, built dashboard, Chromium.
 */
describe('dashboard demo-data banner (gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    stack = await startDashboardStack({ admin: ['admin'] });
    url = stack.dashboardUrl;
    const admin = stack.tokens['admin']!;
    const lifecycle = await callApi<Json>(stack.gatewayUrl, '/v1/lifecycle-events', admin, {
      method: 'POST',
      body: [
        { event_id: id('d1'), ts: at('10:00'), action: 'start', actor: 'system', engine_id: 'demo-eng-01', metadata: {} },
        { event_id: id('a1'), ts: at('10:01'), action: 'start', actor: 'system', engine_id: 'eng-7', user_id: 'u-7', metadata: {} },
      ],
    });
    expect(lifecycle.body).toMatchObject({ accepted: 2, rejected: 0 });
    const tool = (suffix: string, ts: string, workspace: string): Json => ({
      event_id: id(suffix),
      ts,
      req_id: `req-${suffix}`,
      workspace_id: workspace,
      agent_id: 'agent-a',
      tool: 'github',
      action: 'search',
      status: 'ok',
      duration_ms: 120,
      in_size: 100,
      out_size: 2000,
      input_hash: 'b'.repeat(64),
    });
    const tools = await callApi<Json>(stack.gatewayUrl, '/v1/tool-events', admin, {
      method: 'POST',
      body: [tool('b1', at('10:02'), 'demo-ws-support'), tool('b2', at('10:03'), 'ws-a')],
    });
    expect(tools.body).toMatchObject({ accepted: 2, rejected: 0 });
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await signIn(page, url, admin);
    await page.waitForURL(`${url}/`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Opens `path` and waits for its table to show `rows` data rows (banner and table arrive in the same render). */
  const open = async (path: string, table: string, rows: number): Promise<void> => {
    await page.goto(`${url}${path}`);
    const region = page.getByRole('table', { name: table });
    await region.waitFor();
    expect(await region.getByRole('row').count()).toBe(rows + 1); // + the header
  };

  it('the Timeline shows the banner and badges the demo rows; filtered on a real engine it shows neither', async () => {
    await open('/timeline', 'Timeline, newest first', 4);
    const banner = page.getByTestId('demo-banner');
    expect(await banner.count()).toBe(1);
    expect(await banner.textContent()).toBe(
      'Demo data — rows whose ids start with demo- come from a simulated fleet (auditstack demo). Remove them with auditstack demo --remove.',
    );
    // The banner sits at the top, right under the title.
    expect(await page.locator('h1 + [data-testid="demo-banner"]').count()).toBe(1);
    expect(await page.getByTestId('demo-badge').count()).toBe(2);
    await screenshot(page, 'demo-banner-timeline');

    await open('/timeline?engine_id=eng-7', 'Timeline, newest first', 1);
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
  });

  it('the Lifecycle explorer shows the banner for demo-eng-01 and not when filtered on eng-7', async () => {
    await open('/lifecycle', 'Lifecycle events, newest first', 2);
    expect(await page.getByTestId('demo-banner').count()).toBe(1);
    const demoRow = page.getByRole('table', { name: 'Lifecycle events, newest first' }).getByRole('row').filter({ hasText: 'demo-eng-01' });
    expect(await demoRow.getByTestId('demo-badge').count()).toBe(1);
    expect(await page.getByTestId('demo-badge').count()).toBe(1);

    await open('/lifecycle?engine_id=eng-7', 'Lifecycle events, newest first', 1);
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
  });

  it('the Tool events explorer shows the banner for a demo workspace and not for a real one', async () => {
    await open('/tools/events?workspace_id=demo-ws-support', 'Tool events, newest first', 1);
    expect(await page.getByTestId('demo-banner').count()).toBe(1);
    expect(await page.getByTestId('demo-badge').count()).toBe(1);

    await open('/tools/events?workspace_id=ws-a', 'Tool events, newest first', 1);
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
  });
});
