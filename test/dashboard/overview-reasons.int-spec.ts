import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { Client } from 'pg';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue 15 items 4 and 8 in Chromium: a project whose action timed out (a run that kept no checks)
 * and a project holding seed 000's action inserted without `action_type` both show a red card
 * with the reason; a project where nothing ran stays grey; the "no action type" run is listed.
 */
describe('overview cards tell why a project is red (engine and gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let url: string;
  /** Accepts connections and never answers: an HTTP check against it runs into its timeout. */
  let silent: Server;
  const sockets = new Set<Socket>();

  const post = async (path: string, body: Json): Promise<Json> => {
    const res = await callApi<Json>(stack.engineUrl, path, stack.tokens['operator']!, { method: 'POST', body });
    expect(res.status).toBeLessThan(300);
    return res.body;
  };

  beforeAll(async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;

    stack = await startDashboardStack({ operator: ['actions.read', 'actions.write'] });
    url = stack.dashboardUrl;

    const tenant = await post('/v1/projects', { name: 'tenant-timeout' });
    const slow = await post('/v1/actions', {
      project_id: tenant.id,
      name: 'domain-checks',
      action_type: 'http',
      schedule: '0 0 1 1 *',
      timeout_ms: 300,
      config: { url: silentUrl },
    });
    const { run_id: runId } = await post(`/v1/actions/${slow.id}/run`, {});
    const deadline = Date.now() + 15_000;
    while ((await callApi(stack.engineUrl, `/v1/runs/${runId}`, stack.tokens['operator']!)).status !== 200) {
      if (Date.now() > deadline) throw new Error('the timed-out run was not recorded');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await post('/v1/projects', { name: 'p24-infra' });
    await post('/v1/projects', { name: 'quiet' });
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      // Seed 000's workbook, verbatim: no action_type.
      await client.query(`INSERT INTO audit.actions (project_id, name, schedule, description, status)
SELECT id, 'my-check', '0 10 * * *', 'What it does', 'active'
FROM audit.projects WHERE name = 'p24-infra';`);
    } finally {
      await client.end();
    }

    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await signIn(page, url, stack.tokens['operator']!);
    await page.waitForURL(`${url}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  const card = (name: string) => page.locator('article.project-card', { has: page.getByRole('heading', { name }) });

  it('a timed-out action and an action without a type turn their cards red, each with the reason; nothing ran → grey', async () => {
    await page.goto(`${url}/`);

    const timedOut = card('tenant-timeout');
    expect(await timedOut.getByTestId('score-badge').getAttribute('data-badge')).toBe('red');
    expect(await timedOut.getByTestId('score-badge').textContent()).toContain('failing');
    expect(await timedOut.getByTestId('card-reasons').innerText()).toBe('domain-checks: last run error (timed out)');
    // The reason links to the run; the card no longer says the project was never audited.
    expect(await timedOut.getByRole('link', { name: 'domain-checks: last run error (timed out)' }).getAttribute('href')).toMatch(/^\/runs\/[0-9a-f-]{36}$/);
    expect(await timedOut.locator('.meta dd').first().innerText()).not.toBe('never');

    const seed = card('p24-infra');
    expect(await seed.getByTestId('score-badge').getAttribute('data-badge')).toBe('red');
    expect(await seed.getByTestId('card-reasons').innerText()).toBe('my-check: cannot be scheduled — no action type');
    // The scheduler's "not scheduled" error run is no audit.
    expect(await seed.locator('.meta dd').first().innerText()).toBe('never');

    const quiet = card('quiet');
    expect(await quiet.getByTestId('score-badge').getAttribute('data-badge')).toBe('grey');
    expect(await quiet.getByTestId('card-reasons').count()).toBe(0);

    expect(await page.getByTestId('overview-summary').innerText()).toMatch(/Projects with failures\s*2/);
    await screenshot(page, 'overview-reasons');
  });

  it("the project's scorecard page shows the same badge and reason", async () => {
    await page.goto(`${url}/`);
    await card('tenant-timeout').getByRole('heading').getByRole('link').click();
    await page.waitForURL(/\/projects\//);
    expect(await page.getByTestId('score-badge').getAttribute('data-badge')).toBe('red');
    expect(await page.getByTestId('card-reasons').innerText()).toBe('domain-checks: last run error (timed out)');
  });

  it("the scheduler's 'no action type' error run is listed on the runs page; the actions page still lists the row", async () => {
    await page.goto(`${url}/runs`);
    await page
      .getByText(/^no action type: /)
      .first()
      .waitFor();
    await page.goto(`${url}/actions`);
    await page.getByRole('row', { name: /my-check/ }).waitFor();
  });
});
