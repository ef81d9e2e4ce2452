import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { MAIL_POSTURE_WORKBOOK } from '../../tools/src/commands/seed.command';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The workbook editor end to end (engine and gateway for real, in Chromium): the seeded
 * mail-domain-posture workbook is listed and readable, the actions page links to it; a spec with
 * a duplicate step id is refused inline with its path (in the browser as typed, and by the engine);
 * a dry run against an HTTP server on loopback shows each step passing (step 2 uses a value step 1
 * extracted), then failing when its assertion changes; Save creates version 1, then 2. A read-only
 * token sees the JSON but no Dry run or Save.
 */
describe('dashboard workbooks (engine and gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let url: string;
  let server: Server;
  let base: string;
  const seen: string[] = [];

  /** Step 1 fetches a session document and extracts the item id; step 2 fetches that item and asserts on it. */
  const itemFlow = (over: { secondId?: string; status?: string } = {}): Json => ({
    name: 'item-flow',
    description: 'A session names an item; the item is open.',
    steps: [
      {
        id: 'session',
        kind: 'http',
        url: `${base}/session`,
        assert: [{ path: '$.json.state', op: 'eq', value: 'ready' }],
        extract: { item_id: '$.json.item.id' },
      },
      {
        id: over.secondId ?? 'item',
        kind: 'http',
        url: `${base}/items/\${ctx.item_id}`,
        assert: [
          { path: '$.json.id', op: 'eq', value: '${ctx.item_id}' },
          { path: '$.json.status', op: 'eq', value: over.status ?? 'open' },
        ],
      },
    ],
  });
  const editor = () => page.getByLabel('Workbook spec (JSON)');
  const stepStatuses = () => page.getByRole('table', { name: 'Dry-run steps, in order' }).getByTestId('step-status').allTextContents();

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/session') return send(200, { state: 'ready', item: { id: 'item-42' } });
      const item = /^\/items\/([^/?]+)$/.exec(req.url ?? '');
      if (item) return send(200, { id: decodeURIComponent(item[1]!), status: 'open' });
      return send(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    stack = await startDashboardStack({ operator: ['actions.read', 'actions.write'], reader: ['actions.read'] });
    url = stack.dashboardUrl;
    const operator = stack.tokens['operator']!;
    // What `auditstack seed` stores: the mail-posture workbook and a workbook action running it.
    const saved = await callApi<Json>(stack.engineUrl, '/v1/workbooks', operator, { method: 'POST', body: MAIL_POSTURE_WORKBOOK });
    expect(saved.status).toBe(201);
    const project = await callApi<Json>(stack.engineUrl, '/v1/projects', operator, { method: 'POST', body: { name: 'demo', description: 'demo' } });
    expect(project.status).toBe(201);
    const action = await callApi<Json>(stack.engineUrl, '/v1/actions', operator, {
      method: 'POST',
      body: {
        project_id: project.body.id,
        name: 'mail_posture',
        action_type: 'workbook',
        schedule: '0 6 * * *',
        config: { workbook: MAIL_POSTURE_WORKBOOK.name },
      },
    });
    expect(action.status).toBe(201);
    // DNS needs the internet: keep it from running, as the seed does.
    expect((await callApi(stack.engineUrl, `/v1/actions/${action.body.id}/pause`, operator, { method: 'POST' })).status).toBe(200);

    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await signIn(page, url, operator);
    await page.waitForURL(`${url}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    // The engine's HTTP client keeps connections alive: close them, or close() waits for them.
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('lists the workbooks and opens the seeded mail-domain-posture with its spec', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workbooks' }).click();
    await page.waitForURL(`${url}/workbooks`);
    const row = page.getByRole('row', { name: /mail-domain-posture/ });
    await row.waitFor();
    expect(await row.getByTestId('latest-version').textContent()).toBe('v1');
    expect(await row.textContent()).toContain('Mail-domain posture of example.org');
    await screenshot(page, 'workbooks');

    await row.getByRole('link', { name: 'mail-domain-posture' }).click();
    await page.waitForURL(`${url}/workbooks/mail-domain-posture`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('mail-domain-posture');
    expect(await page.getByTestId('shown-version').textContent()).toBe('v1 (latest)');
    expect(await page.getByRole('table', { name: 'Steps, in order' }).getByRole('row').count()).toBe(1 + 3);
    const spec = JSON.parse((await page.getByTestId('workbook-spec').textContent()) ?? '') as Json;
    expect(spec.steps[2]).toMatchObject({ id: 'dmarc', extract: { dmarc_policy: "$.checks['dmarc.policy'].evidence.effective" } });
  });

  it('the actions page links a workbook action to its workbook', async () => {
    await page.goto(`${url}/actions`);
    const row = page.getByRole('row', { name: /mail_posture/ });
    await row.getByRole('link', { name: 'Workbook mail-domain-posture' }).click();
    await page.waitForURL(`${url}/workbooks/mail-domain-posture`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('mail-domain-posture');
  });

  it('refuses a duplicate step id inline with its path, as typed and from the engine; accepts the fix', async () => {
    await page.goto(`${url}/workbooks`);
    await page.getByRole('link', { name: 'New workbook' }).click();
    await page.waitForURL(`${url}/workbooks/new`);
    await page.getByTestId('spec-check').waitFor();
    expect(await page.getByTestId('spec-check').getAttribute('data-state')).toBe('valid');

    // Not JSON: the line and column of the break.
    await editor().fill('{\n  "name": "item-flow",\n  "steps": [\n}');
    const check = page.getByTestId('spec-check');
    await page.locator('[data-testid="spec-check"][data-state="syntax"]').waitFor();
    expect(await check.textContent()).toContain('line 4, column 1');
    expect(await page.getByRole('button', { name: 'Dry run' }).isDisabled()).toBe(true);

    // Valid JSON, but two steps share an id: the path is named while typing.
    await editor().fill(JSON.stringify(itemFlow({ secondId: 'session' }), null, 2));
    const problem = page.locator('[data-testid="spec-problem"][data-path="steps[1].id"]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('steps[1].id: duplicate step id "session" (also steps[0])');
    expect(await editor().getAttribute('aria-invalid')).toBe('true');

    // The engine refuses it too (400 naming the path), shown beside the editor with its line.
    await page.getByRole('button', { name: 'Dry run' }).click();
    const refused = page.getByTestId('server-errors');
    await refused.waitFor();
    const serverProblem = refused.locator('[data-testid="server-problem"][data-path="steps[1].id"]');
    expect(await serverProblem.textContent()).toMatch(/line \d+.*steps\[1\]\.id: duplicate step id "session"/);
    await screenshot(page, 'workbook-editor');

    await editor().fill(JSON.stringify(itemFlow(), null, 2));
    await page.locator('[data-testid="spec-check"][data-state="valid"]').waitFor();
    expect(await check.textContent()).toContain('Valid workbook spec: 2 steps.');
    expect(await editor().getAttribute('aria-invalid')).toBeNull();
  });

  it('dry-runs the spec: each step passes with the extracted value passed on; a changed assertion fails step 2', async () => {
    seen.length = 0;
    await page.getByRole('button', { name: 'Dry run' }).click();
    const verdict = page.getByTestId('dry-run-verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('pass');
    expect(await verdict.textContent()).toContain('2 pass');
    expect(await stepStatuses()).toEqual(['pass', 'pass']);
    // Step 2 asked for the id step 1 extracted; the context shows it.
    expect(seen).toEqual(['/session', '/items/item-42']);
    expect(await page.getByTestId('dry-run-context').textContent()).toContain('item-42');
    // The evidence of step 2: its assertions with the actual values.
    await page.getByRole('button', { name: 'Evidence of step item' }).click();
    const assertions = page.getByRole('table', { name: 'Assertions of step item' });
    expect(await assertions.getByRole('row').count()).toBe(1 + 2);
    expect(await assertions.getByRole('row', { name: /\$\.json\.status/ }).textContent()).toContain('yes');
    await screenshot(page, 'workbook-dry-run');

    await editor().fill(JSON.stringify(itemFlow({ status: 'closed' }), null, 2));
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.locator('[data-testid="dry-run-verdict"][data-verdict="fail"]').waitFor();
    expect(await stepStatuses()).toEqual(['pass', 'fail']);
    const second = page.getByTestId('step-row').nth(1);
    expect(await second.textContent()).toContain('$.json.status eq: is "open", expected "closed"');
    // Nothing was stored by the dry runs.
    expect((await callApi<{ items: Json[] }>(stack.engineUrl, '/v1/workbooks', stack.tokens['reader']!)).body.items.map((w) => w.name)).toEqual([
      'mail-domain-posture',
    ]);
  });

  it('saves version 1, then an edit as version 2, which the version picker and the list show', async () => {
    await editor().fill(JSON.stringify(itemFlow(), null, 2));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${url}/workbooks/item-flow?v=1&saved=1`);
    expect(await page.getByTestId('workbook-saved').textContent()).toContain('Saved as version 1');

    await page.getByRole('link', { name: 'Edit as version 2' }).click();
    await page.waitForURL(`${url}/workbooks/item-flow/edit?v=1`);
    const text = JSON.parse(await editor().inputValue()) as Json;
    expect(text).toEqual(itemFlow());
    await editor().fill(JSON.stringify({ ...itemFlow(), description: 'Edited: the item is open.' }, null, 2));
    await page.getByRole('button', { name: 'Save as version 2' }).click();
    await page.waitForURL(`${url}/workbooks/item-flow?v=2&saved=1`);
    expect(await page.getByTestId('shown-version').textContent()).toBe('v2 (latest)');
    expect(await page.getByRole('combobox', { name: 'Version' }).locator('option').allTextContents()).toEqual([
      expect.stringMatching(/^v2 \(latest\)/),
      expect.stringMatching(/^v1/),
    ]);

    // The older version is still there, as it was.
    await page.getByRole('combobox', { name: 'Version' }).selectOption('1');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(`${url}/workbooks/item-flow?v=1`);
    expect(await page.getByTestId('shown-version').textContent()).toBe('v1 (latest is v2)');
    expect(JSON.parse((await page.getByTestId('workbook-spec').textContent()) ?? '')).toMatchObject({
      version: 1,
      description: 'A session names an item; the item is open.',
    });

    await page.goto(`${url}/workbooks`);
    expect(
      await page
        .getByRole('row', { name: /item-flow/ })
        .getByTestId('latest-version')
        .textContent(),
    ).toBe('v2');
  });

  it('a read-only token sees the JSON but no Edit, Dry run or Save', async () => {
    const { context, page: readerPage } = await newPage(browser);
    try {
      await signIn(readerPage, url, stack.tokens['reader']!);
      await readerPage.waitForURL(`${url}/`);
      await readerPage.goto(`${url}/workbooks/item-flow`);
      await readerPage.getByTestId('workbook-spec').waitFor();
      expect(await readerPage.getByRole('link', { name: /^Edit/ }).count()).toBe(0);
      expect(await readerPage.getByRole('link', { name: 'New workbook' }).count()).toBe(0);

      await readerPage.goto(`${url}/workbooks/item-flow/edit`);
      await readerPage.getByTestId('read-only').waitFor();
      const area = readerPage.getByLabel('Workbook spec (JSON)');
      expect(await area.getAttribute('readonly')).not.toBeNull();
      expect(JSON.parse(await area.inputValue())).toMatchObject({ name: 'item-flow', description: 'Edited: the item is open.' });
      expect(await readerPage.getByRole('button', { name: /Dry run|Save/ }).count()).toBe(0);

      await readerPage.goto(`${url}/workbooks/new`);
      await readerPage.getByTestId('not-allowed').waitFor();

      await readerPage.goto(`${url}/workbooks/no-such-workbook`);
      expect(await readerPage.getByTestId('api-problem').textContent()).toContain('There is no workbook named no-such-workbook');
    } finally {
      await context.close();
    }
  });
});
