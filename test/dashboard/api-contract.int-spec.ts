import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { freePort } from '../support/ports';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOUR = 3_600_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
/** Projects created: more than one overview page (24 cards). */
const PROJECTS = 26;
const projectName = (i: number): string => `project-${String(i).padStart(2, '0')}`;

/**
 * The dashboard's contract test: every page that reads the engine or the gateway, rendered by the
 * built dashboard in Chromium against the REAL services (booted in-process on a database of their
 * own), with data created through their APIs — projects whose TCP checks really pass and fail,
 * runs, a workbook, lifecycle and tool events, checkpoints, an evidence self-audit. Each page must
 * show what the service answered and no problem message: a response the dashboard cannot read
 * shows "Something went wrong" in `api-problem`, which fails here.
 */
describe('dashboard pages against the real engine and gateway (contract)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const projectIds: string[] = [];
  let redRunId: string;
  /** A loopback port nobody listens on: its TCP check fails. */
  let closedPort: number;

  /** Calls the engine or gateway as the admin and expects `status`. */
  const api = async <T = Json>(base: 'engine' | 'gateway', path: string, status: number, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const answer = await callApi<T>(base === 'engine' ? stack.engineUrl : stack.gatewayUrl, path, stack.tokens['admin']!, init);
    expect({ path, status: answer.status }).toEqual({ path, status });
    return answer.body;
  };

  /** Runs an action now and resolves with its run once the engine has stored it (the row awaited, not a sleep). */
  const runNow = async (actionId: string): Promise<Json> => {
    const { run_id: runId } = await api<{ run_id: string }>('engine', `/v1/actions/${actionId}/run`, 202, { method: 'POST' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const run = await callApi<Json>(stack.engineUrl, `/v1/runs/${runId}`, stack.tokens['admin']!);
      if (run.status === 200) return run.body;
      expect({ runId, status: run.status }).toEqual({ runId, status: 404 });
      if (Date.now() > deadline) throw new Error(`run ${runId} of action ${actionId} not stored within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  /** No problem message anywhere on the page: every call it made was answered and read. */
  const expectNoProblem = async (path: string): Promise<void> => {
    expect({ path, problems: await page.getByTestId('api-problem').allTextContents() }).toEqual({ path, problems: [] });
  };

  beforeAll(async () => {
    stack = await startDashboardStack({ admin: ['admin'], writer: ['events.write'] });
    url = stack.dashboardUrl;

    for (let i = 0; i < PROJECTS; i++) {
      projectIds.push((await api('engine', '/v1/projects', 201, { method: 'POST', body: { name: projectName(i), description: `project ${i}` } })).id);
    }
    // Real checks on loopback: the engine's own port accepts connections, a port nobody listens on refuses them.
    const open = Number(new URL(stack.engineUrl).port);
    closedPort = await freePort();
    const tcpAction = async (projectId: string, name: string, port: number): Promise<string> =>
      (
        await api('engine', '/v1/actions', 201, {
          method: 'POST',
          body: { project_id: projectId, name, action_type: 'tcp_port', schedule: '0 3 * * *', config: { host: '127.0.0.1', port, timeout_ms: 2000 } },
        })
      ).id;
    const redOpen = await tcpAction(projectIds[0]!, 'engine-port', open);
    const redClosed = await tcpAction(projectIds[0]!, 'closed-port', closedPort);
    const green = await tcpAction(projectIds[1]!, 'engine-port-1', open);
    await runNow(redOpen);
    redRunId = (await runNow(redClosed)).id;
    await runNow(green);

    // The platform's self-audit, as `auditstack seed` creates it: the Evidence page shows its newest run.
    const platform = await api('engine', '/v1/projects', 201, { method: 'POST', body: { name: 'zz-platform', description: 'self-audit' } });
    const verify = await api('engine', '/v1/actions', 201, {
      method: 'POST',
      body: { project_id: platform.id, name: 'evidence_verify', action_type: 'evidence_verify', schedule: '0 * * * *', config: {} },
    });
    await stack.checkpointNow();
    await runNow(verify.id);

    await api('engine', '/v1/workbooks', 201, {
      method: 'POST',
      body: {
        name: 'engine-alive',
        description: 'The engine answers its liveness probe.',
        steps: [{ id: 'ping', kind: 'http', url: `${stack.engineUrl}/ping`, assert: [{ path: '$.json.status', op: 'eq', value: 'ok' }] }],
      },
    });

    const writer = stack.tokens['writer']!;
    const lifecycle = [
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
    const lifecycleIngest = await callApi<Json>(stack.gatewayUrl, '/v1/lifecycle-events', writer, { method: 'POST', body: lifecycle });
    expect({ status: lifecycleIngest.status, statuses: lifecycleIngest.body.results?.map((r: Json) => r.status) }).toEqual({
      status: 200,
      statuses: lifecycle.map(() => 'accepted'),
    });
    const tools = Array.from({ length: 5 }, (_, i) => ({
      ts: ago(5 * 60_000 + i * 1000),
      req_id: `req-${i}`,
      workspace_id: 'ws-a',
      user_id: 'u-1',
      agent_id: 'agent-a',
      tool: i < 3 ? 'web_search' : 'sql_query',
      action: 'search',
      status: i === 0 ? 'error' : 'ok',
      duration_ms: 100 + i * 10,
      in_size: 1000,
      out_size: 4000,
      input_hash: 'a'.repeat(64),
    }));
    const toolIngest = await callApi<Json>(stack.gatewayUrl, '/v1/tool-events', writer, { method: 'POST', body: tools });
    expect({ status: toolIngest.status, statuses: toolIngest.body.results?.map((r: Json) => r.status) }).toEqual({
      status: 200,
      statuses: tools.map(() => 'accepted'),
    });
    await stack.checkpointNow();

    browser = await launchBrowser();
    ({ context, page } = await newPage(browser));
    await signIn(page, url, stack.tokens['admin']!);
    await page.waitForURL(`${url}/`);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  const cardNames = async (): Promise<string[]> => {
    await page.getByTestId('project-cards').waitFor();
    return page.getByTestId('project-cards').getByRole('heading').allTextContents();
  };

  it('overview: every project over two pages, failing checks counted, filter by status, search by name', async () => {
    await page.goto(`${url}/`);
    expect(Number(await page.getByTestId('failing-checks').textContent())).toBeGreaterThanOrEqual(1);
    expect(await cardNames()).toEqual(Array.from({ length: 24 }, (_, i) => projectName(i)));
    await expectNoProblem('/');

    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    expect(await cardNames()).toEqual([projectName(24), projectName(25), 'zz-platform']);

    await page.goto(`${url}/`);
    await page.getByLabel('Status').selectOption('red');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=red/);
    const red = await cardNames();
    expect(red).toContain(projectName(0));
    expect(red).not.toContain(projectName(1));
    const badge = page.getByRole('article', { name: projectName(0) }).getByTestId('score-badge');
    expect(await badge.textContent()).toContain('1/2');

    await page.goto(`${url}/?status=green`);
    expect(await cardNames()).toContain(projectName(1));

    await page.goto(`${url}/`);
    await page.getByLabel('Search by name').fill('project-1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=project-1/);
    expect(await cardNames()).toEqual(Array.from({ length: 10 }, (_, i) => projectName(10 + i)));
    await screenshot(page, 'overview-filtered');
  });

  it('scorecard: a row per real check with its rule, evidence drawer and run history', async () => {
    await page.goto(`${url}/`);
    await page.getByRole('link', { name: projectName(0) }).click();
    await page.waitForURL(/\/projects\//);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(projectName(0));
    const rows = page.getByRole('row', { name: /tcp\.connect/ });
    expect(await rows.count()).toBe(2);
    const failing = page.getByRole('row', { name: new RegExp(`127\\.0\\.0\\.1:${closedPort}`) });
    expect(await failing.locator('.pill-fail').first().textContent()).toBe('fail');
    expect(await failing.textContent()).toContain('ECONNREFUSED');
    expect(await failing.textContent()).toContain('RFC 9293 §3.5');
    await failing.getByText('Show').click();
    expect(await failing.locator('pre').textContent()).toContain('"port"');
    await failing.getByRole('link', { name: 'fail' }).click();
    await page.waitForURL(new RegExp(`/runs/${redRunId}$`));
    await page.getByTestId('run-output').waitFor();
    await expectNoProblem(`/runs/${redRunId}`);
    await page.goBack();
    await expectNoProblem(`/projects/${projectIds[0]}`);
    await screenshot(page, 'scorecard');
  });

  it('a project that does not exist: the problem is shown, not a crash', async () => {
    await page.goto(`${url}/projects/00000000-0000-7000-8000-000000000000`);
    const problem = page.getByTestId('api-problem');
    expect(await problem.getAttribute('data-kind')).toBe('not-found');
    // The problem's detail from the engine, not a canned sentence.
    expect(await problem.textContent()).toMatch(/The scorecard was not found: .*00000000-0000-7000-8000-000000000000/);
  });

  it('actions: each action with its type and schedule; the new-action form lists the types and the projects', async () => {
    await page.goto(`${url}/actions`);
    for (const name of ['engine-port', 'closed-port', 'engine-port-1', 'evidence_verify']) {
      await page
        .getByRole('row', { name: new RegExp(`\\b${name}\\b`) })
        .first()
        .waitFor();
    }
    expect(
      await page
        .getByRole('row', { name: /closed-port/ })
        .getByTestId('schedule')
        .textContent(),
    ).toBe('every day at 03:00 UTC');
    await expectNoProblem('/actions');

    await page.goto(`${url}/actions/new`);
    const types = await page.getByLabel('Type', { exact: true }).locator('option').allTextContents();
    expect(types.join(' ')).toMatch(/tcp_port/);
    await page.getByLabel('Type', { exact: true }).selectOption('tcp_port');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/type=tcp_port/);
    const form = page.getByTestId('create-action-form');
    expect(
      await form
        .getByLabel(/^Project/)
        .locator('option')
        .allTextContents(),
    ).toEqual(expect.arrayContaining([projectName(0), projectName(25), 'zz-platform']));
    expect(await form.getByLabel(/^port/).count()).toBe(1);
    await expectNoProblem('/actions/new?type=tcp_port');
  });

  it('runs: the list and a run with its output and ledger entry', async () => {
    await page.goto(`${url}/runs`);
    const table = page.getByRole('table', { name: 'Runs, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(1 + 4);
    expect(await table.textContent()).toMatch(/tcp_port.*manual/);
    await expectNoProblem('/runs');

    await page.goto(`${url}/runs/${redRunId}`);
    expect(await page.getByTestId('run-output').textContent()).toContain('"checks"');
    await page.getByRole('heading', { name: 'Evidence ledger' }).waitFor();
    expect(await page.getByTestId('ledger-entry-seq').textContent()).toMatch(/^\d+$/);
    expect(await page.getByTestId('leaf-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await expectNoProblem(`/runs/${redRunId}`);
  });

  it('workbooks: the list, a workbook with its steps and spec, the editor', async () => {
    await page.goto(`${url}/workbooks`);
    const row = page.getByRole('row', { name: /engine-alive/ });
    expect(await row.getByTestId('latest-version').textContent()).toBe('v1');
    await expectNoProblem('/workbooks');

    await page.goto(`${url}/workbooks/engine-alive`);
    expect(await page.getByTestId('workbook-spec').textContent()).toContain('"engine-alive"');
    // count() does not wait: wait for the steps table's row first (it can render after the spec).
    const steps = page.getByRole('table', { name: 'Steps, in order' });
    await steps.getByRole('row', { name: /ping/ }).first().waitFor();
    expect(await steps.getByRole('row', { name: /ping/ }).count()).toBe(1);
    await expectNoProblem('/workbooks/engine-alive');

    await page.goto(`${url}/workbooks/engine-alive/edit`);
    expect(await page.getByLabel('Workbook spec (JSON)').inputValue()).toContain('"engine-alive"');
    await expectNoProblem('/workbooks/engine-alive/edit');
  });

  it('lifecycle: the events as stored, and a filter sent to the gateway', async () => {
    await page.goto(`${url}/lifecycle`);
    const table = page.getByRole('table', { name: 'Lifecycle events, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(1 + 4);
    await expectNoProblem('/lifecycle');
    await page.getByLabel('Action').selectOption('provision');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=provision/);
    await table.getByRole('row', { name: /provision/ }).waitFor();
    expect(await table.getByRole('row').count()).toBe(2);
    await screenshot(page, 'lifecycle');
  });

  it('lifecycle reports: every report of the page read from the gateway', async () => {
    await page.goto(`${url}/lifecycle/reports?user_id=u-1`);
    await page.getByRole('table', { name: 'Hours with provisions' }).waitFor();
    expect(await page.getByRole('table', { name: 'Engines with the most automatic restarts' }).getByRole('row', { name: /eng-1/ }).count()).toBe(1);
    expect(
      await page
        .getByRole('table', { name: 'Activity by actor' })
        .getByRole('row', { name: /scheduler/ })
        .count(),
    ).toBe(1);
    expect(await page.getByTestId('lifetime').getByRole('listitem').count()).toBe(4);
    expect(
      await page
        .getByRole('table', { name: 'Engine-hours per product' })
        .getByRole('row', { name: /prod-a/ })
        .count(),
    ).toBe(1);
    await expectNoProblem('/lifecycle/reports?user_id=u-1');
  });

  it('tools: FinOps totals and tables, the emergency stop state and the markers; Privacy', async () => {
    await page.goto(`${url}/tools?window=1h`);
    expect(await page.getByTestId('source-backend').textContent()).toBe('postgres');
    expect(await page.getByTestId('total-calls').textContent()).toBe('5');
    expect(
      await page
        .getByRole('table', { name: 'FinOps per tool' })
        .getByRole('row', { name: /web_search/ })
        .textContent(),
    ).toContain('3');
    await page.getByTestId('chart-cost-tool').locator('.recharts-wrapper > .recharts-surface').waitFor();
    expect(await page.getByTestId('stop-state').getAttribute('data-engaged')).toBe('false');
    await page.getByTestId('gateway-markers').waitFor();
    await expectNoProblem('/tools?window=1h');
    await screenshot(page, 'tools');

    await page.getByRole('link', { name: 'Privacy' }).click();
    await page.waitForURL(/\/tools\/privacy\?window=1h/);
    await page.getByRole('table', { name: 'Data volume per workspace' }).getByRole('row', { name: /ws-a/ }).waitFor();
    expect(await page.getByTestId('without-hash').textContent()).toBe('0');
    expect(await page.getByRole('table', { name: 'Repeated inputs' }).getByRole('row').count()).toBeGreaterThan(1);
    await expectNoProblem('/tools/privacy?window=1h');
  });

  it('evidence: the ledger now, the latest checkpoint and its note, the cadence, the self-audit run', async () => {
    await page.goto(`${url}/evidence`);
    await page.getByRole('table', { name: 'Recent checkpoints, newest first' }).waitFor();
    const treeSize = Number((await page.getByTestId('tree-size').textContent())?.replace(/[^\d]/g, ''));
    expect(treeSize).toBeGreaterThan(0);
    expect(await page.getByTestId('checkpoint-note').textContent()).toContain(`auditstack.local/ledger\n${treeSize}\n`);
    expect(await page.getByTestId('verifier-key').textContent()).toMatch(/^auditstack\.local\/ledger\+[0-9a-f]{8}\+/);
    expect(await page.getByTestId('ledger-size').textContent()).toMatch(/^[\d,]+$/);
    expect(await page.getByTestId('self-audit').getByRole('link', { name: 'details' }).count()).toBe(1);
    await expectNoProblem('/evidence');
    await screenshot(page, 'evidence');
  });

  it('a revoked token while signed in sends the user back to sign-in', async () => {
    await context.addCookies([{ name: 'auditstack_session', value: `ast_${'R'.repeat(43)}`, url }]);
    await page.goto(`${url}/evidence`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
