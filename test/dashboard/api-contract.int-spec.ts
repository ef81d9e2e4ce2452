import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { newPage, signIn, startDashboard } from './support/dashboard-stack';

/**
 * The response shapes the dashboard expects from endpoints the engine and gateway are still
 * building (`/v1/overview`, `/v1/lifecycle-events`, `/v1/finops/dashboard`,
 * `/v1/evidence/checkpoints/latest`, …), served by a stub on loopback and read by the built
 * dashboard in Chromium. When a service ships one of these endpoints, its own specs should
 * produce the same JSON as this stub; the sign-in and actions specs drive the real services.
 * Until the real endpoints exist, the screenshots of these pages come from this stub's data.
 */
describe('dashboard pages against the documented API shapes (stub services)', () => {
  const requests: string[] = [];
  let stub: Server;
  let dashboard: { url: string; close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const projects = Array.from({ length: 30 }, (_, i) => {
    const failing = i % 5 === 0 ? 2 : 0;
    return {
      id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      name: `project-${String(i).padStart(2, '0')}`,
      score: { passed: 8 - failing, total: 8 },
      badge: failing > 0 ? 'red' : i % 7 === 0 ? 'amber' : 'green',
      last_audit_at: '2026-11-22T09:00:00Z',
      failing,
      trend: [
        { day: '2026-11-20', passed: 6, total: 8 },
        { day: '2026-11-21', passed: 7, total: 8 },
        { day: '2026-11-22', passed: 8 - failing, total: 8 },
      ],
    };
  });
  const events = [
    { event_id: 'e1', ts: '2026-11-22T08:00:00Z', action: 'provision', actor: 'admin', engine_id: 'eng-1', user_id: 'u-1', product_id: 'p-1', duration_ms: 1200 },
    { event_id: 'e2', ts: '2026-11-22T08:01:00Z', action: 'start', actor: 'system', engine_id: 'eng-1', user_id: 'u-1', product_id: 'p-1', duration_ms: 300 },
    { event_id: 'e3', ts: '2026-11-22T08:02:00Z', action: 'stop', actor: 'system', engine_id: 'eng-2', user_id: 'u-2', product_id: 'p-1', duration_ms: null },
  ];

  beforeAll(async () => {
    stub = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/ping') return json(200, { status: 'ok' });
      if (req.headers.authorization !== 'Bearer ast_stub_admin') return json(401, { statusCode: 401, message: 'invalid token' });
      switch (url.pathname) {
        case '/v1/whoami':
          return json(200, { name: 'stub-admin', principal: 'stub-admin', entitlements: ['admin'], workspace_id: null });
        case '/v1/overview':
          // No `total`: the whole list, which the dashboard filters and pages itself.
          return json(200, { projects });
        case `/v1/projects/${projects[0]!.id}/scorecard`:
          return json(200, {
            ...projects[0],
            checks: [
              {
                check_id: 'dmarc',
                target: 'example.org',
                status: 'fail',
                message: 'no DMARC record',
                rule: { title: 'DMARC policy published', rfc: 'RFC 7489', section: '6.1' },
                evidence: { dns: { name: '_dmarc.example.org', answers: [] } },
                checked_at: '2026-11-22T09:00:00Z',
                history: [{ run_id: 'r1', status: 'fail', started_at: '2026-11-22T09:00:00Z' }],
              },
            ],
          });
        case '/v1/lifecycle-events': {
          const action = url.searchParams.get('action');
          return json(200, { items: events.filter((e) => !action || e.action === action), next_cursor: null });
        }
        case '/v1/finops/dashboard':
          return json(200, {
            window_hours: Number(url.searchParams.get('window_hours')),
            workspace_scope: null,
            currency: 'EUR',
            totals: { calls: 160, errors: 3, denied: 0, error_rate: 0.01875, p50_duration_ms: 120, p95_duration_ms: 800, bytes_in: 160000, bytes_out: 640000, cost: 1.75 },
            by_tool: [
              { tool: 'web_search', calls: 120, errors: 3, denied: 0, error_rate: 0.025, p50_duration_ms: 300, p95_duration_ms: 820, bytes_in: 120000, bytes_out: 480000, cost: 1.5 },
              { tool: 'sql_query', calls: 40, errors: 0, denied: 0, error_rate: 0, p50_duration_ms: 40, p95_duration_ms: 95, bytes_in: 40000, bytes_out: 160000, cost: 0.25 },
            ],
            by_agent: [{ agent_id: 'agent-a', calls: 160, errors: 3, cost: 1.75 }],
            by_workspace: [],
            source_backend: 'postgres',
            read_from: 'postgres',
            complete: true,
          });
        case '/v1/admin/emergency-stop':
          return json(200, { engaged: false, sentinel: '/var/lib/auditstack/EMERGENCY_STOP' });
        case '/v1/evidence/checkpoints/latest':
          return json(200, {
            tree_size: 10432,
            root_hash: 'a'.repeat(64),
            note: 'auditstack.local/ledger\n10432\nq6s=\n\n— auditstack-ckpt AbCdEf==\n',
            key_id: 'auditstack-ckpt',
            timestamp_kind: 'local',
            created_at: '2026-11-22T09:00:00Z',
          });
        default:
          // Everything else (privacy dashboard, actions, runs…) does not exist on this stub.
          return json(404, { statusCode: 404, message: `Cannot GET ${url.pathname}` });
      }
    });
    stub.listen(0, '127.0.0.1');
    await once(stub, 'listening');
    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    dashboard = await startDashboard({ engineUrl: stubUrl, gatewayUrl: stubUrl });
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser));
    await signIn(page, dashboard.url, 'ast_stub_admin');
    await page.waitForURL(`${dashboard.url}/`);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await dashboard?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
  });

  const cardNames = async (): Promise<string[]> => {
    await page.getByTestId('project-cards').waitFor();
    return page.getByTestId('project-cards').getByRole('heading').allTextContents();
  };

  it('overview: failing counts over every project, 24 cards a page, filter by status, search by name', async () => {
    await page.goto(`${dashboard.url}/`);
    expect(await page.getByTestId('failing-checks').textContent()).toBe('12');
    expect(await cardNames()).toHaveLength(24);
    expect(requests).toContain('GET /v1/overview?limit=24&offset=0');

    await page.getByRole('link', { name: 'Next →' }).click();
    await page.waitForURL(/page=2/);
    expect(await cardNames()).toEqual(['project-24', 'project-25', 'project-26', 'project-27', 'project-28', 'project-29']);

    await page.goto(`${dashboard.url}/`);
    await page.getByLabel('Status').selectOption('red');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/status=red/);
    expect(await cardNames()).toEqual(['project-00', 'project-05', 'project-10', 'project-15', 'project-20', 'project-25']);
    expect(await page.getByTestId('score-badge').first().textContent()).toContain('6/8 failing');
    expect(await page.getByRole('img', { name: /Score over 3 days/ }).count()).toBe(6);

    await page.getByLabel('Search by name').fill('project-1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=project-1/);
    expect(await cardNames()).toEqual(['project-10', 'project-15']);
    await screenshot(page, 'overview-filtered');
  });

  it('scorecard: a row per check with its rule, evidence drawer and history', async () => {
    await page.goto(`${dashboard.url}/`);
    await page.getByRole('link', { name: 'project-00' }).click();
    await page.waitForURL(/\/projects\//);
    const row = page.getByRole('row', { name: /dmarc/ });
    expect(await row.textContent()).toContain('DMARC policy published · RFC 7489 §6.1');
    await row.getByText('Show').click();
    expect(await row.locator('pre').textContent()).toContain('_dmarc.example.org');
    expect(await row.getByRole('link', { name: 'fail' }).count()).toBe(1);
    await screenshot(page, 'scorecard');
  });

  it('lifecycle: a filter narrows the table and is sent to the gateway', async () => {
    await page.goto(`${dashboard.url}/lifecycle`);
    const table = page.getByRole('table', { name: 'Lifecycle events, newest first' });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(4);
    await page.getByLabel('Action').selectOption('provision');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/action=provision/);
    await table.getByRole('row', { name: /provision/ }).waitFor();
    expect(await table.getByRole('row').count()).toBe(2);
    expect(requests).toContain('GET /v1/lifecycle-events?action=provision&limit=50');
    await screenshot(page, 'lifecycle');
  });

  it('tools: the FinOps tables and charts show the source backend and the window; a missing Privacy endpoint is a message', async () => {
    await page.goto(`${dashboard.url}/tools?window=7d`);
    expect(await page.getByTestId('source-backend').textContent()).toBe('postgres');
    expect(requests).toContain('GET /v1/finops/dashboard?window_hours=168');
    expect(await page.getByRole('table', { name: 'FinOps per tool' }).getByRole('row', { name: /web_search/ }).textContent()).toContain('120');
    await page.getByTestId('chart-cost-tool').locator('.recharts-wrapper > .recharts-surface').waitFor();
    expect(await page.getByText('Cost by tool').count()).toBe(1);
    expect(await page.getByTestId('stop-state').getAttribute('data-engaged')).toBe('false');
    await screenshot(page, 'tools');

    await page.getByRole('link', { name: 'Privacy' }).click();
    await page.waitForURL(/\/tools\/privacy\?window=7d/);
    expect(await page.getByTestId('api-problem').getAttribute('data-kind')).toBe('not-found');
    expect(await page.getByTestId('api-problem').textContent()).toContain('Privacy dashboard is not available from the service yet');
  });

  it('evidence: tree size, key and the signed note text', async () => {
    await page.goto(`${dashboard.url}/evidence`);
    expect(await page.getByTestId('tree-size').textContent()).toBe('10,432 entries');
    expect(await page.getByTestId('checkpoint-note').textContent()).toContain('auditstack.local/ledger\n10432\n');
    // The stub has no actions endpoint: the self-audit part says so instead of failing the page.
    expect(await page.getByTestId('api-problem').first().textContent()).toContain('not available');
    await screenshot(page, 'evidence');
  });

  it('a 401 from a service while signed in sends the user back to sign-in', async () => {
    await context.addCookies([{ name: 'auditstack_session', value: 'ast_revoked', url: dashboard.url }]);
    await page.goto(`${dashboard.url}/evidence`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
  });
});
