import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { callApi, newPage, SESSION_COOKIE, signIn, startDashboardStack, type DashboardStack } from './support/dashboard-stack';

/**
 * Sign-in end to end: the gateway and the engine booted for real on a real database, the built
 * dashboard started with `next start`, driven in the system's Chromium.
 */
describe('dashboard sign-in (gateway, engine and the built dashboard in Chromium)', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let url: string;
  let projectId: string;

  beforeAll(async () => {
    stack = await startDashboardStack({ 'ops-admin': ['admin'], viewer: ['events.read'] });
    url = stack.dashboardUrl;
    const project = await callApi<{ id: string }>(stack.engineUrl, '/v1/projects', stack.tokens['ops-admin']!, {
      method: 'POST',
      body: { name: 'demo-web', description: 'demo project' },
    });
    expect(project.status).toBe(201);
    projectId = project.body.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('sends an unauthenticated visitor to sign-in, where service health is shown', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(`${url}/actions`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to auditstack');
      expect(await page.getByTestId('overall-health').textContent()).toContain('All services are answering.');
      await screenshot(page, 'sign-in');
    } finally {
      await context.close();
    }
  });

  it('refuses an invalid token with a message and sets no cookie', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, `ast_${'A'.repeat(43)}`);
      const error = page.getByTestId('sign-in-error');
      await error.waitFor();
      expect(await error.textContent()).toContain('not accepted');
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('signs in with a valid token: the shell shows the principal, the cookie is httpOnly and SameSite=Strict', async () => {
    const token = stack.tokens['ops-admin']!;
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, token);
      await page.waitForURL(`${url}/`);
      expect(await page.getByTestId('principal').textContent()).toContain('ops-admin');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Overview', 'Actions', 'Runs', 'Workbooks', 'Lifecycle', 'Timeline', 'Tools', 'Evidence']);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
      await page.getByTestId('project-cards').getByRole('heading', { name: 'demo-web' }).waitFor();

      const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', value: token });
      // Never readable by the page's JavaScript, never in the HTML.
      expect(await page.evaluate<string>('document.cookie')).not.toContain(SESSION_COOKIE);
      expect(await page.content()).not.toContain(token);
      await screenshot(page, 'overview');
    } finally {
      await context.close();
    }
  });

  it('a viewer token (events.read only) sees no actions or admin controls', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, stack.tokens['viewer']!);
      await page.waitForURL(`${url}/`);
      expect(await page.getByTestId('principal').textContent()).toContain('viewer');
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Lifecycle', 'Timeline']);
      await page.getByTestId('no-overview').waitFor();

      await page.goto(`${url}/actions`);
      expect(await page.getByTestId('not-allowed').textContent()).toContain('actions.read');
      expect(await page.getByRole('button', { name: /pause|resume|run/i }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'New action' }).count()).toBe(0);
      await page.goto(`${url}/actions/new`);
      expect(await page.getByTestId('not-allowed').textContent()).toContain('actions.write');
    } finally {
      await context.close();
    }
  });

  it('sign-out clears the cookie and returns to sign-in', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, stack.tokens['ops-admin']!);
      await page.waitForURL(`${url}/`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/sign-in/);
      expect(await page.getByTestId('sign-in-notice').textContent()).toContain('signed out');
      expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
      await page.goto(`${url}/`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
    } finally {
      await context.close();
    }
  });

  it('a revoked token is sent back to sign-in with a message', async () => {
    const admin = stack.tokens['ops-admin']!;
    const created = await callApi<{ id: string; token: string }>(stack.gatewayUrl, '/v1/admin/tokens', admin, {
      method: 'POST',
      body: { name: 'short-lived', entitlements: ['actions.read'] },
    });
    expect(created.status).toBe(201);
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, created.body.token);
      await page.waitForURL(`${url}/`);
      expect((await callApi(stack.gatewayUrl, `/v1/admin/tokens/${created.body.id}`, admin, { method: 'DELETE' })).status).toBe(204);
      await page.goto(`${url}/runs`);
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect(await page.getByTestId('sign-in-notice').textContent()).toContain('session ended');
    } finally {
      await context.close();
    }
  });

  it('every page renders data or a plain message, never a crash, even where the service has no endpoint yet', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, stack.tokens['ops-admin']!);
      await page.waitForURL(`${url}/`);
      const pages: [string, string][] = [
        ['/actions', 'Actions'],
        ['/runs', 'Runs'],
        ['/workbooks', 'Workbooks'],
        ['/lifecycle', 'Lifecycle'],
        ['/timeline', 'Timeline'],
        ['/markers', 'Markers'],
        ['/tools/events', 'Tool events'],
        ['/tools', 'Tools'],
        ['/evidence', 'Evidence'],
        ['/evidence/verify', 'How to verify our evidence'],
        ['/lifecycle/reports', 'Lifecycle reports'],
        ['/tools/privacy', 'Tools'],
        [`/projects/${projectId}`, 'demo-web'],
        ['/status', 'auditstack service status'],
      ];
      for (const [path, heading] of pages) {
        const response = await page.goto(`${url}${path}`);
        expect({ path, status: response?.status() }).toEqual({ path, status: 200 });
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
        expect(await page.content()).not.toMatch(/Application error|Internal Server Error|\n\s+at [\w.<>]+ \(/);
      }
      await page.goto(`${url}/evidence/verify`);
      expect(await page.content()).toContain('npx auditstack verify');
      await screenshot(page, 'evidence-verify');
    } finally {
      await context.close();
    }
  });

  it('is readable on a phone: no sideways scrolling of the page, navigation still reachable', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      await signIn(page, url, stack.tokens['ops-admin']!);
      await page.waitForURL(`${url}/`);
      for (const path of ['/', '/actions', '/evidence/verify']) {
        await page.goto(`${url}${path}`);
        expect({ path, overflow: await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth') }).toEqual({ path, overflow: false });
      }
      await page.goto(`${url}/`);
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evidence' }).count()).toBe(1);
      await screenshot(page, 'overview-phone');
    } finally {
      await context.close();
    }
  });

  it('keyboard: the skip link is the first stop and the navigation is reachable with Tab', async () => {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, url, stack.tokens['ops-admin']!);
      await page.waitForURL(`${url}/`);
      // A fresh load: focus starts at the top of the document.
      await page.goto(`${url}/`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to content');
      const stops: string[] = [];
      for (let i = 0; i < 9; i++) {
        await page.keyboard.press('Tab');
        stops.push((await page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')) ?? '');
      }
      expect(stops).toEqual(expect.arrayContaining(['Overview', 'Actions', 'Evidence']));
    } finally {
      await context.close();
    }
  });
});
