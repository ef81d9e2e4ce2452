import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

/**
 * Operators on the Actions page, end to end: create an action from the form generated from the
 * type's config schema (an invalid config is refused inline, then fixed), see its schedule in words,
 * pause it, run it now and see the run appear. A read-only token gets no controls.
 */
describe('dashboard actions (engine and gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    stack = await startDashboardStack({ operator: ['actions.read', 'actions.write'], reader: ['actions.read'] });
    url = stack.dashboardUrl;
    const project = await callApi(stack.engineUrl, '/v1/projects', stack.tokens['operator']!, {
      method: 'POST',
      body: { name: 'demo-web', description: 'demo' },
    });
    expect(project.status).toBe(201);
    browser = await launchBrowser();
    page = (await newPage(browser)).page;
    await signIn(page, url, stack.tokens['operator']!);
    await page.waitForURL(`${url}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('creates an action from the generated form: an invalid config is shown beside its field, then fixed', async () => {
    await page.goto(`${url}/actions`);
    expect(await page.getByTestId('empty').textContent()).toContain('No actions yet.');
    await page.getByRole('link', { name: 'New action' }).click();
    await page.waitForURL(`${url}/actions/new`);
    await page.getByLabel('Type', { exact: true }).selectOption('http');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/type=http/);

    const form = page.getByTestId('create-action-form');
    await form.getByLabel(/^Project/).selectOption({ label: 'demo-web' });
    await form.getByLabel(/^Name/).fill('homepage');
    await form.getByLabel(/^Schedule/).fill('0 9 * * 1-5');
    await form.getByLabel(/^url/).fill('not a url');
    await form.getByRole('button', { name: 'Create action' }).click();

    const urlError = form.locator('[data-field="config.url"] [data-testid="field-error"]');
    await urlError.waitFor();
    expect(await urlError.textContent()).not.toBe('');
    expect(await form.getByLabel(/^url/).getAttribute('aria-invalid')).toBe('true');
    // What was typed is kept.
    expect(await form.getByLabel(/^Name/).inputValue()).toBe('homepage');
    expect(
      await form
        .getByLabel(/^Project/)
        .locator('option:checked')
        .textContent(),
    ).toBe('demo-web');
    await screenshot(page, 'action-new');

    await form.getByLabel(/^url/).fill(`${stack.engineUrl}/ping`);
    await form.getByRole('button', { name: 'Create action' }).click();
    await page.waitForURL(/\/actions\?done=created/);
    const row = page.getByRole('row', { name: /homepage/ });
    expect(await row.getByTestId('schedule').textContent()).toBe('every weekday at 09:00 UTC');
    expect(await row.getByTitle('cron: 0 9 * * 1-5 (UTC)').count()).toBe(1);
    await screenshot(page, 'actions');
  });

  it('pauses and resumes an action', async () => {
    await page.getByRole('button', { name: 'Pause homepage' }).click();
    await page.waitForURL(/done=pause/);
    expect(await page.getByTestId('action-done').textContent()).toContain('paused');
    expect(await page.getByRole('row', { name: /homepage/ }).textContent()).toContain('paused');
    await page.getByRole('button', { name: 'Resume homepage' }).click();
    await page.waitForURL(/done=resume/);
    await page.getByRole('button', { name: 'Pause homepage' }).waitFor();
  });

  it('runs an action now and the run appears under Runs', async () => {
    await page.getByRole('button', { name: 'Run homepage now' }).click();
    await page.waitForURL(/done=run/);
    const deadline = Date.now() + 30_000;
    const table = page.getByRole('table', { name: 'Runs, newest first' });
    for (;;) {
      await page.goto(`${url}/runs`);
      // Wait for the data, not the loading placeholder that streams first.
      await table.waitFor();
      if ((await table.getByTestId('empty').count()) === 0) break;
      if (Date.now() > deadline) throw new Error('no run appeared within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const firstRow = table.getByRole('row').nth(1);
    expect(await firstRow.textContent()).toMatch(/http.*manual/);
    await screenshot(page, 'runs');

    await firstRow.getByRole('link').click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('ledger-seq').textContent()).toMatch(/^(seq \d+|not yet written)$/);
    expect(await page.getByTestId('run-output').textContent()).toContain('"checks"');
    await screenshot(page, 'run');
  });

  it('a read-only token sees the actions but no controls', async () => {
    const { context, page: readerPage } = await newPage(browser);
    try {
      await signIn(readerPage, url, stack.tokens['reader']!);
      await readerPage.waitForURL(`${url}/`);
      await readerPage.goto(`${url}/actions`);
      await readerPage.getByRole('row', { name: /homepage/ }).waitFor();
      expect(await readerPage.getByRole('button', { name: /pause|resume|run/i }).count()).toBe(0);
      expect(await readerPage.getByRole('columnheader', { name: 'Controls' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
