import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser';
import { freePort } from '../support/ports';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'bin', 'auditstack.js');

/**
 * The README's start command with no configuration: `auditstack up` on the
 * embedded database brings up engine, gateway and dashboard, prints the URLs
 * and a first admin token.
 */
describe('auditstack up (embedded default, no configuration)', () => {
  let home: string;
  let up: ChildProcess;
  let output = '';
  let browser: Browser | undefined;
  const ports = { engine: 0, gateway: 0, dashboard: 0 };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'auditstack-up-'));
    ports.engine = await freePort();
    ports.gateway = await freePort();
    ports.dashboard = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AUDITSTACK_HOME: home,
      ENGINE_PORT: String(ports.engine),
      GATEWAY_PORT: String(ports.gateway),
      DASHBOARD_PORT: String(ports.dashboard),
      EMBEDDED_PG_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.REDIS_URL;
    up = spawn(process.execPath, [CLI, 'up'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`auditstack up did not come up in 150 s:\n${output}`)), 150_000);
      up.once('exit', (code) => reject(new Error(`auditstack up exited with ${code}:\n${output}`)));
      for (const stream of [up.stdout!, up.stderr!]) {
        createInterface({ input: stream }).on('line', (line) => {
          output += `${line}\n`;
          if (line === 'Press Ctrl+C to stop.') {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up.once('exit', r));
      up.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the three URLs and a first admin token', () => {
    expect(output).toContain(`dashboard  http://127.0.0.1:${ports.dashboard}`);
    expect(output).toContain(`engine     http://127.0.0.1:${ports.engine}`);
    expect(output).toContain(`gateway    http://127.0.0.1:${ports.gateway}`);
    expect(output).toMatch(/admin token \(shown once, keep it safe\): ast_[A-Za-z0-9_-]{43}/);
    expect(output).toContain('embedded PostgreSQL');
  });

  it('the embedded database is registered privately and its password is never printed', () => {
    expect(statSync(join(home, 'embedded.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'embedded-password')).mode & 0o777).toBe(0o600);
    const password = readFileSync(join(home, 'embedded-password'), 'utf8').trim();
    const readerPassword = readFileSync(join(home, 'embedded-reader-password'), 'utf8').trim();
    expect(output).not.toContain(password);
    expect(output).not.toContain(readerPassword);
  });

  it('engine and gateway answer /ping with {"status":"ok"}', async () => {
    for (const port of [ports.engine, ports.gateway]) {
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"status":"ok"}');
    }
  });

  it('the printed admin token is accepted by both services', async () => {
    const token = /admin token \(shown once, keep it safe\): (ast_\S+)/.exec(output)![1];
    for (const port of [ports.engine, ports.gateway]) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { entitlements: string[] }).entitlements).toEqual(['admin']);
    }
  });

  it('the dashboard page renders in a real browser and shows both services healthy', async () => {
    const res = await fetch(`http://127.0.0.1:${ports.dashboard}/`);
    expect(res.status).toBe(200);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${ports.dashboard}/`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('auditstack');
    await expect(page.getByTestId('overall-health').textContent()).resolves.toContain('All services are answering.');
    await screenshot(page, 'home');
  });

  it('the first start loads the demo fleet: the Lifecycle, Tools and Timeline pages show it (issue 14 item 6)', async () => {
    expect(output).toMatch(/loaded the demo fleet \(\d+ rows/);
    const token = /admin token \(shown once, keep it safe\): (ast_\S+)/.exec(output)![1]!;
    browser ??= await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const base = `http://127.0.0.1:${ports.dashboard}`;
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    for (const [path, shot, shown] of [
      ['/lifecycle', 'demo-lifecycle', /demo-eng-0\d/],
      ['/tools/events', 'demo-tools', /demo-ws-(support|finance|research)/],
      ['/timeline', 'demo-timeline', /demo-(eng|ws)-/],
    ] as const) {
      await page.goto(`${base}${path}`);
      await page.getByText(shown).first().waitFor({ state: 'visible', timeout: 30_000 });
      await screenshot(page, shot);
    }
    await page.close();
  }, 120_000);

  it('the first start logs no dropped database connection (issue 12 item 4)', () => {
    expect(output).not.toMatch(/checkpoint failed|Connection terminated|ECONNRESET|password authentication failed/);
  });

  it('SIGTERM (Ctrl+C) stops every service and exits 0', async () => {
    const exited = new Promise<number | null>((r) => up.once('exit', (code) => r(code)));
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of [ports.engine, ports.gateway, ports.dashboard]) {
      await expect(fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    }
  });
});
