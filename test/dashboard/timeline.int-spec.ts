import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const id = (suffix: string): string => `00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;
const at = (hhmm: string): string => `2026-11-20T${hhmm}:00.000Z`;

/**
 * The Timeline, lifecycle detail, tool-event explorer and markers pages in Chromium against the
 * real gateway: a small fleet sent through the ingest endpoints shows up on the timeline newest
 * first, a row opens its detail page (metadata as a key/value table, the unknown key flagged), a
 * graph run links to the timeline filtered by it, and a denied call is listed under its marker kind.
 */
describe('dashboard timeline and explorers (gateway for real, in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    stack = await startDashboardStack({ admin: ['admin'], viewer: ['events.read'] });
    url = stack.dashboardUrl;
    const admin = stack.tokens['admin']!;
    const lifecycle = await callApi<Json>(stack.gatewayUrl, '/v1/lifecycle-events', admin, {
      method: 'POST',
      body: [
        {
          event_id: id('a1'),
          ts: at('10:00'),
          action: 'provision',
          actor: 'system',
          engine_id: 'eng-7',
          user_id: 'u-7',
          product_id: 'prod-a',
          metadata: { image: 'registry.example/engine:1.4.2', region: 'eu-1', tier: 'gold' },
        },
        { event_id: id('a2'), ts: at('10:02'), action: 'start', actor: 'system', engine_id: 'eng-7', user_id: 'u-7', metadata: { boot_ms: 900 } },
      ],
    });
    expect(lifecycle.body).toMatchObject({ accepted: 2, rejected: 0 });
    const tool = (suffix: string, ts: string, o: Json): Json => ({
      event_id: id(suffix),
      ts,
      req_id: `req-${suffix}`,
      workspace_id: 'ws-a',
      user_id: 'u-7',
      agent_id: 'agent-a',
      tool: 'github',
      action: 'search',
      status: 'ok',
      duration_ms: 120,
      in_size: 100,
      out_size: 2000,
      input_hash: 'b'.repeat(64),
      ...o,
    });
    const tools = await callApi<Json>(stack.gatewayUrl, '/v1/tool-events', admin, {
      method: 'POST',
      body: [tool('b1', at('10:01'), { graph_run_id: 'run-42' }), tool('b2', at('10:03'), { graph_run_id: 'run-42', status: 'error', tool: 'jira' })],
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

  /** The timeline's summary cells once the page shows `count` of them (the page streams in; a client navigation swaps it later). */
  const summaries = async (count: number): Promise<string[]> => {
    // A string expression: this file is compiled without the DOM library.
    const texts = await page.waitForFunction(
      `(() => { const cells = [...document.querySelectorAll('table [data-testid="timeline-summary"]')]; return cells.length === ${count} ? cells.map((c) => c.textContent) : null; })()`,
    );
    return (await texts.jsonValue()) as string[];
  };

  it('the Timeline lists the fleet newest first, pages by the Older link, and a row opens its lifecycle detail with the metadata', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Timeline' }).click();
    await page.waitForURL(`${url}/timeline`);
    expect(await summaries(4)).toEqual([
      'agent-a → jira.search: error (120 ms) · workspace ws-a',
      'start · engine eng-7 · user u-7 · by system',
      'agent-a → github.search: ok (120 ms) · workspace ws-a',
      'provision · engine eng-7 · user u-7 · product prod-a · by system',
    ]);
    await screenshot(page, 'timeline');

    // Lifecycle only, and one page at a time through the pager.
    await page.goto(`${url}/timeline?domains=lifecycle&engine_id=eng-7`);
    expect(await summaries(2)).toEqual(['start · engine eng-7 · user u-7 · by system', 'provision · engine eng-7 · user u-7 · product prod-a · by system']);

    await page.getByRole('link', { name: 'Open' }).last().click();
    await page.waitForURL(`${url}/lifecycle/${id('a1')}`);
    expect(await page.getByTestId('event-action').textContent()).toBe('provision');
    const metadata = page.getByRole('table', { name: 'Metadata' });
    await metadata.waitFor();
    const tierRow = metadata.getByRole('row').filter({ hasText: 'tier' });
    expect(await tierRow.getByRole('cell').allTextContents()).toEqual(['tier unknown key', 'gold']);
    expect(await metadata.getByRole('row').filter({ hasText: 'region' }).getByTestId('unknown-key').count()).toBe(0);
    expect(await page.getByTestId('unknown-keys-note').textContent()).toContain('One key is not defined by the schema of provision');
    await screenshot(page, 'lifecycle-event');
  });

  it('pages the timeline through "Older →" and back to "← Newest", keeping the filters', async () => {
    await page.goto(`${url}/timeline?limit=3&user_id=u-7`);
    expect(await summaries(3)).toEqual([
      'agent-a → jira.search: error (120 ms) · workspace ws-a',
      'start · engine eng-7 · user u-7 · by system',
      'agent-a → github.search: ok (120 ms) · workspace ws-a',
    ]);
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.waitForURL(/cursor=/);
    expect(new URL(page.url()).searchParams.get('user_id')).toBe('u-7');
    expect(await summaries(1)).toEqual(['provision · engine eng-7 · user u-7 · product prod-a · by system']);
    expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(0);
    await page.getByRole('link', { name: '← Newest' }).click();
    await page.waitForURL((u) => !u.searchParams.has('cursor'));
    expect(await summaries(3)).toHaveLength(3);
  });

  it('the tool-event explorer filters by agent and links a graph run to the timeline filtered by it', async () => {
    await page.goto(`${url}/tools/events?status=error`);
    const table = page.getByRole('table', { name: 'Tool events, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(2); // header + the one error
    await screenshot(page, 'tool-events');
    await table.getByRole('link', { name: 'run-42' }).click();
    await page.waitForURL(`${url}/timeline?graph_run_id=run-42`);
    expect(await summaries(2)).toEqual(['agent-a → jira.search: error (120 ms) · workspace ws-a', 'agent-a → github.search: ok (120 ms) · workspace ws-a']);
    await page.getByRole('link', { name: 'Open' }).first().click();
    await page.waitForURL(`${url}/tools/events/${id('b2')}`);
    expect(await page.getByTestId('event-call').textContent()).toBe('jira.search');
    await screenshot(page, 'tool-event');
  });

  it('the markers explorer lists a denied tool call under its kind', async () => {
    const stop = await callApi<Json>(stack.gatewayUrl, '/v1/admin/emergency-stop', stack.tokens['admin']!, { method: 'POST', body: { reason: 'ui test' } });
    expect(stop.status).toBe(200);
    const denied = await callApi<Json>(stack.gatewayUrl, '/v1/tools/authorize', stack.tokens['admin']!, {
      method: 'POST',
      body: { agent_id: 'agent-a', workspace_id: 'ws-a', tool: 'github', action: 'delete_repo' },
    });
    expect(denied.body['decision']).toBe('deny');
    await page.goto(`${url}/markers?marker=tool_call_denied`);
    const table = page.getByRole('table', { name: 'Gateway markers, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(2);
    expect(await table.getByRole('row').nth(1).textContent()).toContain('agent-a → github.delete_repo');
    await screenshot(page, 'markers');
    await page.goto(`${url}/markers`);
    const all = page.getByRole('table', { name: 'Gateway markers, newest first' });
    await all.waitFor();
    expect(await all.getByRole('row').count()).toBe(3); // the stop and the denial
  });
});
