import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

const HOUR = 3_600_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();

/**
 * Lifecycle, tools and evidence pages against the real engine and gateway (real PostgreSQL), with
 * seeded events, driven in Chromium: the time filter narrows the explorer, the canned reports
 * render, a workspace-scoped token sees only its workspace in FinOps, a real run's inclusion proof
 * verifies in the browser against a signed checkpoint, and only admins get the emergency stop.
 */
describe('dashboard reports, tools and evidence (engine and gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let url: string;

  const withPage = async (token: string, body: (page: Page) => Promise<void>): Promise<void> => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, token);
      await page.waitForURL(`${url}/`);
      await body(page);
    } finally {
      await context.close();
    }
  };

  beforeAll(async () => {
    stack = await startDashboardStack({
      admin: ['admin'],
      analyst: ['actions.read', 'actions.write', 'events.read', 'evidence.read', 'tools.cost.read', 'tools.data_gov.read'],
      'ws-a-finops': { entitlements: ['tools.cost.read', 'tools.data_gov.read'], workspaceId: 'ws-a' },
      writer: ['events.write'],
    });
    url = stack.dashboardUrl;
    const writer = stack.tokens['writer']!;
    const lifecycle = [
      {
        ts: ago(3 * 24 * HOUR),
        action: 'provision',
        actor: 'portal',
        engine_id: 'eng-old',
        product_id: 'prod-b',
        user_id: 'u-2',
        metadata: { image: 'engine:1.0' },
      },
      {
        ts: ago(3 * 24 * HOUR - 60_000),
        action: 'start',
        actor: 'system',
        engine_id: 'eng-old',
        product_id: 'prod-b',
        user_id: 'u-2',
        metadata: { reason: 'request' },
      },
      {
        ts: ago(3 * 24 * HOUR - 120_000),
        action: 'destroy',
        actor: 'portal',
        engine_id: 'eng-old',
        product_id: 'prod-b',
        user_id: 'u-2',
        metadata: { reason: 'user_request' },
      },
      { ts: ago(2 * HOUR), action: 'provision', actor: 'portal', engine_id: 'eng-1', product_id: 'prod-a', user_id: 'u-1', metadata: { image: 'engine:1.1' } },
      {
        ts: ago(2 * HOUR - 60_000),
        action: 'start',
        actor: 'system',
        engine_id: 'eng-1',
        product_id: 'prod-a',
        user_id: 'u-1',
        metadata: { reason: 'request' },
        duration_ms: 900,
      },
      {
        ts: ago(30 * 60_000),
        action: 'auto_restart_start',
        actor: 'system',
        engine_id: 'eng-1',
        product_id: 'prod-a',
        user_id: 'u-1',
        metadata: { attempt: 1 },
      },
      { ts: ago(10 * 60_000), action: 'stop', actor: 'scheduler', engine_id: 'eng-1', product_id: 'prod-a', user_id: 'u-1', metadata: { reason: 'idle' } },
    ];
    const ingested = await callApi<{ results?: { status: string }[] }>(stack.gatewayUrl, '/v1/lifecycle-events', writer, { method: 'POST', body: lifecycle });
    expect({ status: ingested.status, statuses: ingested.body.results?.map((r) => r.status) }).toEqual({
      status: 200,
      statuses: lifecycle.map(() => 'accepted'),
    });
    const tool = (workspace: string, toolName: string, agent: string, i: number) => ({
      ts: ago(5 * 60_000 + i * 1000),
      req_id: `req-${workspace}-${i}`,
      workspace_id: workspace,
      user_id: 'u-1',
      agent_id: agent,
      tool: toolName,
      action: 'search',
      status: i % 4 === 0 ? 'error' : 'ok',
      duration_ms: 100 + i * 10,
      // One call far larger than its tool's median: a size outlier on the Privacy page.
      in_size: workspace === 'ws-a' && i === 5 ? 50_000 : 1000,
      out_size: 4000,
      ...(i % 3 === 0 ? {} : { input_hash: `${i % 2 ? 'a' : 'b'}`.repeat(64) }),
    });
    const tools = [
      ...Array.from({ length: 6 }, (_, i) => tool('ws-a', 'github', 'agent-a', i)),
      ...Array.from({ length: 4 }, (_, i) => tool('ws-b', 'jira', 'agent-b', i)),
    ];
    const toolIngest = await callApi<{ results?: { status: string }[] }>(stack.gatewayUrl, '/v1/tool-events', writer, { method: 'POST', body: tools });
    expect({ status: toolIngest.status, statuses: toolIngest.body.results?.map((r) => r.status) }).toEqual({
      status: 200,
      statuses: tools.map(() => 'accepted'),
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('lifecycle explorer: the time range narrows the table, explicit From/To too', async () => {
    await withPage(stack.tokens['analyst']!, async (page) => {
      await page.goto(`${url}/lifecycle`);
      const table = page.getByRole('table', { name: 'Lifecycle events, newest first' });
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(1 + 7);

      await page.getByLabel('Time range').selectOption('24h');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/range=24h/);
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(1 + 4);
      expect(await table.textContent()).not.toContain('eng-old');

      // An explicit window (UTC) around the old engine only.
      const from = new Date(Date.now() - 4 * 24 * HOUR).toISOString().slice(0, 16);
      const to = new Date(Date.now() - 2 * 24 * HOUR).toISOString().slice(0, 16);
      await page.goto(`${url}/lifecycle?from=${from}&to=${to}`);
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(1 + 3);
      expect(await table.textContent()).not.toContain('eng-1');
      expect(await page.getByLabel('From (UTC)').inputValue()).toBe(from);

      await page.goto(`${url}/lifecycle?from=${to}&to=${from}`);
      expect(await page.getByTestId('range-problem').textContent()).toContain('From must be before To');
      await page.goto(`${url}/lifecycle?range=24h&action=stop`);
      await table.waitFor();
      expect(await table.getByRole('row').count()).toBe(2);
      await page.goto(`${url}/lifecycle?range=7d`);
      await table.waitFor();
      await screenshot(page, 'lifecycle-explorer');
    });
  });

  it('lifecycle reports: provisions per hour, hot spots, actors, a user timeline and engine-hours', async () => {
    await withPage(stack.tokens['analyst']!, async (page) => {
      await page.goto(`${url}/lifecycle/reports?user_id=u-1`);
      await page.getByRole('heading', { name: 'Provisions per hour' }).waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Lifecycle reports');
      await page.getByTestId('chart-provisions').locator('.recharts-wrapper > .recharts-surface').waitFor();
      expect(await page.getByRole('table', { name: 'Hours with provisions' }).getByRole('row').count()).toBe(2);
      expect(await page.getByRole('table', { name: 'Engines with the most automatic restarts' }).getByRole('row', { name: /eng-1/ }).textContent()).toContain(
        'prod-a',
      );
      const actors = page.getByRole('table', { name: 'Activity by actor' });
      expect(await actors.getByRole('row', { name: /system/ }).textContent()).toMatch(/auto_restart_start 1/);
      // The old engine's actors acted three days ago: outside the 24 h window, except portal's recent provision.
      expect(await actors.getByRole('row', { name: /portal/ }).textContent()).toMatch(/provision 1(?!\d)/);
      expect(await page.getByTestId('lifetime').getByRole('listitem').count()).toBe(4);
      expect(
        await page
          .getByRole('table', { name: 'Engine-hours per product' })
          .getByRole('row', { name: /prod-a/ })
          .count(),
      ).toBe(1);

      await page.getByLabel('Engine-hours per', { exact: true }).selectOption('user');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/group_by=user/);
      await page.getByRole('table', { name: 'Engine-hours per user' }).getByRole('row', { name: /u-1/ }).waitFor();
      // The user picked before is kept.
      expect(await page.getByTestId('lifetime').getByRole('listitem').count()).toBe(4);
      await screenshot(page, 'lifecycle-reports');
    });
  });

  it('FinOps: the analyst sees every workspace; a workspace-scoped token only its own', async () => {
    await withPage(stack.tokens['analyst']!, async (page) => {
      await page.goto(`${url}/tools?window=1h`);
      expect(await page.getByTestId('source-backend').textContent()).toBe('postgres');
      const byWorkspace = page.getByRole('table', { name: 'FinOps per workspace' });
      // Wait for the streamed page to be shown (not only received): roles ignore hidden content.
      await byWorkspace.waitFor();
      expect((await byWorkspace.getByRole('row').allTextContents()).slice(1).map((t) => t.slice(0, 4))).toEqual(expect.arrayContaining(['ws-a', 'ws-b']));
      expect(await page.getByTestId('total-calls').textContent()).toBe('10');
      await page.getByTestId('chart-cost-tool').locator('.recharts-wrapper > .recharts-surface').waitFor();
    });
    await withPage(stack.tokens['ws-a-finops']!, async (page) => {
      await page.goto(`${url}/tools?window=24h`);
      expect(await page.getByTestId('workspace-scope').textContent()).toBe('ws-a');
      const byWorkspace = page.getByRole('table', { name: 'FinOps per workspace' });
      await byWorkspace.waitFor();
      expect(await byWorkspace.getByRole('row').count()).toBe(2);
      expect(await byWorkspace.getByRole('row').nth(1).textContent()).toContain('ws-a');
      const byTool = page.getByRole('table', { name: 'FinOps per tool' });
      expect(await byTool.textContent()).toContain('github');
      expect(await byTool.textContent()).not.toContain('jira');
      expect(await page.getByTestId('total-calls').textContent()).toBe('6');
      await page.getByTestId('chart-cost-tool').locator('.recharts-wrapper > .recharts-surface').waitFor();
      await screenshot(page, 'tools-finops');

      await page.getByRole('link', { name: 'Privacy' }).click();
      await page.waitForURL(/\/tools\/privacy\?window=24h/);
      await page.getByRole('table', { name: 'Data volume per workspace' }).waitFor();
      expect(await page.getByTestId('source-backend').textContent()).toBe('postgres');
      expect(await page.getByTestId('without-hash').textContent()).toBe('2');
      expect(await page.getByRole('table', { name: 'Data volume per workspace' }).textContent()).not.toContain('ws-b');
      expect(await page.getByRole('table', { name: 'Repeated inputs' }).getByRole('row').count()).toBeGreaterThan(1);
      expect(
        await page
          .getByRole('table', { name: 'Size outliers' })
          .getByRole('row', { name: /github/ })
          .textContent(),
      ).toContain('50.0 kB');
      await screenshot(page, 'tools-privacy');
    });
  });

  it('a run page proves its ledger entry in the browser against the signed checkpoint', async () => {
    const analyst = stack.tokens['analyst']!;
    const project = await callApi<{ id: string }>(stack.engineUrl, '/v1/projects', analyst, {
      method: 'POST',
      body: { name: 'proof-demo', description: 'demo' },
    });
    expect(project.status).toBe(201);
    const action = await callApi<{ id: string }>(stack.engineUrl, '/v1/actions', analyst, {
      method: 'POST',
      body: { project_id: project.body.id, name: 'ping', action_type: 'http', schedule: '0 3 * * *', config: { url: `${stack.engineUrl}/ping` } },
    });
    expect(action.status).toBe(201);
    expect((await callApi(stack.engineUrl, `/v1/actions/${action.body.id}/run`, analyst, { method: 'POST' })).status).toBeLessThan(300);
    let run: { id: string; ledger_seq: number | string | null } | undefined;
    const deadline = Date.now() + 30_000;
    while (!run?.ledger_seq && Date.now() < deadline) {
      const runs = await callApi<{ items: { id: string; ledger_seq: number | string | null }[] }>(
        stack.engineUrl,
        `/v1/runs?action_id=${action.body.id}`,
        analyst,
      );
      run = runs.body.items[0];
      if (!run?.ledger_seq) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(run?.ledger_seq).not.toBeNull();
    const { treeSize } = await stack.checkpointNow();
    expect(treeSize).toBeGreaterThan(Number(run!.ledger_seq));

    await withPage(analyst, async (page) => {
      await page.goto(`${url}/runs/${run!.id}`);
      await page.getByRole('heading', { name: 'Evidence ledger' }).waitFor();
      expect(await page.getByTestId('ledger-entry-seq').textContent()).toBe(String(run!.ledger_seq));
      expect(await page.getByTestId('leaf-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
      expect(await page.getByTestId('covering-checkpoint').textContent()).toMatch(/checkpoint of [\d,]+ entries/);
      await page.getByRole('button', { name: 'Verify inclusion' }).click();
      const outcome = page.getByTestId('verify-result').locator('[data-outcome]');
      await outcome.waitFor();
      expect(await outcome.getAttribute('data-outcome')).toBe('pass');
      const text = await outcome.textContent();
      expect(text).toContain(`Verified. Entry ${run!.ledger_seq} is included in the signed checkpoint`);
      // Chromium has WebCrypto Ed25519: the note's signature was checked in the page, not only the root.
      expect(text).toContain('Ed25519 signature by');
      await screenshot(page, 'run-verified');
    });
  });

  it('evidence page: tree size, signed note, configured and observed cadence, ledger now, verifier key, anchor status', async () => {
    await stack.checkpointNow();
    await withPage(stack.tokens['analyst']!, async (page) => {
      await page.goto(`${url}/evidence`);
      await page.getByRole('table', { name: 'Recent checkpoints, newest first' }).waitFor();
      expect(await page.getByTestId('tree-size').textContent()).toMatch(/^[\d,]+ entries$/);
      expect(await page.getByTestId('checkpoint-note').textContent()).toMatch(/^auditstack\.local\/ledger\n\d+\n/);
      expect(await page.getByTestId('cadence').textContent()).toMatch(/Typically one every|Not enough checkpoints/);
      expect(await page.getByTestId('verifier-key').textContent()).toMatch(/^auditstack\.local\/ledger\+[0-9a-f]{8}\+/);
      expect(await page.getByRole('table', { name: 'Recent checkpoints, newest first' }).getByRole('row').count()).toBeGreaterThan(2);
      expect(await page.getByTestId('anchor-status').textContent()).not.toBe('');
      // From the gateway's /v1/evidence/status: the configured cadence, the ledger now, the anchor's last line.
      expect(await page.getByTestId('cadence-configured').textContent()).toMatch(
        /every [\d,]+ new entries, every .+ while entries arrive, and every .+ when idle/,
      );
      expect(await page.getByTestId('ledger-size').textContent()).toMatch(/^[\d,]+$/);
      expect(await page.getByTestId('anchor-file').textContent()).toMatch(/last anchored checkpoint: [\d,]+ entries/);
      await screenshot(page, 'evidence-ledger');
    });
  });

  it('emergency stop: no button for a non-admin; an admin confirms in a dialog and the stop engages', async () => {
    await withPage(stack.tokens['analyst']!, async (page) => {
      await page.goto(`${url}/tools`);
      await page.getByRole('heading', { name: 'Emergency stop' }).waitFor();
      expect(await page.getByTestId('stop-state').textContent()).toContain('administrators only');
      expect(await page.getByRole('button', { name: /emergency stop/i }).count()).toBe(0);
    });
    await withPage(stack.tokens['admin']!, async (page) => {
      await page.goto(`${url}/tools`);
      await page.getByRole('heading', { name: 'Emergency stop' }).waitFor();
      expect(await page.getByTestId('stop-state').getAttribute('data-engaged')).toBe('false');
      await page.getByRole('button', { name: 'Engage emergency stop' }).click();
      const dialog = page.getByRole('dialog', { name: 'Stop every governed tool call?' });
      await dialog.waitFor();
      await screenshot(page, 'emergency-stop-dialog');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect((await callApi<{ engaged: boolean }>(stack.gatewayUrl, '/v1/admin/emergency-stop', stack.tokens['admin']!)).body.engaged).toBe(false);

      await page.getByRole('button', { name: 'Engage emergency stop' }).click();
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('drill from the dashboard spec');
      await dialog.getByRole('button', { name: 'Yes, engage the stop' }).click();
      await page.waitForURL(/stop=engaged/);
      expect(await page.getByTestId('stop-state').getAttribute('data-engaged')).toBe('true');
      expect(await page.getByTestId('stop-state').textContent()).toContain('drill from the dashboard spec');
    });
    expect((await callApi<{ engaged: boolean; reason: string }>(stack.gatewayUrl, '/v1/admin/emergency-stop', stack.tokens['admin']!)).body).toMatchObject({
      engaged: true,
      reason: 'drill from the dashboard spec',
    });
  });
});
