import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
import { bootstrapService } from '@auditstack/service-kit';
import { createTestDatabase, type TestDatabase } from '../../support/db';
import { freePort } from '../../support/ports';
import { loadGatewayConfig } from '../../../apps/gateway/src/config/gateway.config';
import { GatewayModule } from '../../../apps/gateway/src/gateway.module';
import { EVIDENCE_SERVICE } from '../../../apps/gateway/src/evidence/evidence.tokens';
import type { EvidenceService } from '@auditstack/evidence-store';
import { loadEngineConfig } from '../../../apps/engine/src/config/engine.config';
import { EngineModule } from '../../../apps/engine/src/engine.module';

// Framework logs at warn and above only (the service logger reads LOG_LEVEL from the environment).
process.env.LOG_LEVEL ??= 'warn';

const ROOT = join(__dirname, '..', '..', '..');
const DASHBOARD = join(ROOT, 'apps', 'dashboard');
const NEXT_BIN = join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'auditstack_session';

export interface DashboardStack {
  readonly dashboardUrl: string;
  readonly engineUrl: string;
  readonly gatewayUrl: string;
  /** The stack's database (for a spec that writes rows the API refuses, as an operator's SQL would). */
  readonly databaseUrl: string;
  /** Token per name given to {@link startDashboardStack}; the name is also the principal. */
  readonly tokens: Readonly<Record<string, string>>;
  /** Signs a checkpoint now (as the gateway's cadence would), covering every ledger entry so far. */
  checkpointNow(): Promise<{ treeSize: number }>;
  close(): Promise<void>;
}

/** A token's entitlements, optionally scoped to one workspace. */
export type TokenSpec = string[] | { readonly entitlements: string[]; readonly workspaceId: string };

/**
 * The gateway and the engine booted for real (port 0) on a database of their own, API tokens
 * created in it, and the built dashboard started with `next start` against them.
 */
export async function startDashboardStack(tokenSpecs: Readonly<Record<string, TokenSpec>>): Promise<DashboardStack> {
  const home = mkdtempSync(join(tmpdir(), 'auditstack-dash-'));
  const cleanups: (() => Promise<unknown> | void)[] = [() => rmSync(home, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const db: TestDatabase = await createTestDatabase({ migrated: true });
    cleanups.push(() => db.drop());
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', GATEWAY_PORT: '0', ENGINE_PORT: '0', AUDITSTACK_HOME: home };
    const service = { description: 'test', port: 0, host: '127.0.0.1' };
    const gateway: NestFastifyApplication = await bootstrapService({
      module: GatewayModule.forRoot(loadGatewayConfig(env)),
      name: 'gateway',
      title: 'gateway',
      ...service,
    });
    cleanups.push(() => gateway.close());
    const engine: NestFastifyApplication = await bootstrapService({
      module: EngineModule.forRoot(loadEngineConfig(env)),
      name: 'engine',
      title: 'engine',
      ...service,
    });
    cleanups.push(() => engine.close());

    const tokens: Record<string, string> = {};
    const dataSource = await createDataSource({ url: db.url, applicationName: 'dashboard-test', poolMax: 1 }).initialize();
    try {
      const repo = new ApiTokenRepository(dataSource, recordTokenChange);
      for (const [name, spec] of Object.entries(tokenSpecs)) {
        const { entitlements, workspaceId } = Array.isArray(spec) ? { entitlements: spec, workspaceId: null } : spec;
        tokens[name] = (await repo.create({ name, entitlements, workspaceId, actor: 'test' })).token;
      }
    } finally {
      await dataSource.destroy();
    }

    const engineUrl = await engine.getUrl();
    const gatewayUrl = await gateway.getUrl();
    const dashboard = await startDashboard({ engineUrl, gatewayUrl });
    cleanups.push(() => dashboard.close());
    const dashboardUrl = dashboard.url;
    const evidence = gateway.get<EvidenceService>(EVIDENCE_SERVICE);
    const checkpointNow = async (): Promise<{ treeSize: number }> => ({ treeSize: (await evidence.checkpointNow()).treeSize });
    return { dashboardUrl, engineUrl, gatewayUrl, databaseUrl: db.url, tokens, checkpointNow, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The built dashboard (`next start` on a free port) against the given service URLs; resolves
 * once it answers `/status`.
 */
export async function startDashboard(services: { engineUrl: string; gatewayUrl: string }): Promise<{ url: string; close(): Promise<void> }> {
  if (!existsSync(join(DASHBOARD, '.next', 'BUILD_ID'))) {
    throw new Error('the dashboard is not built: run `npm test` (it builds it first) or `cd apps/dashboard && npx next build`');
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: DASHBOARD,
    env: { ...process.env, ENGINE_URL: services.engineUrl, GATEWAY_URL: services.gatewayUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const close = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForHttp(`${url}/status`, 60_000, () => log);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, close };
}

/** A fresh browser context (no cookies) and a laptop-sized page. */
export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  return { context, page: await context.newPage() };
}

/** Fills the sign-in form with `token` and submits it. */
export async function signIn(page: Page, dashboardUrl: string, token: string): Promise<void> {
  await page.goto(`${dashboardUrl}/sign-in`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Calls a service API with a bearer token; returns status and parsed JSON body. */
export async function callApi<T = unknown>(
  baseUrl: string,
  path: string,
  token: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls `url` until it answers 200, or fails with the server's output. */
async function waitForHttp(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the dashboard did not answer ${url} within ${timeoutMs} ms:\n${log()}`);
}
