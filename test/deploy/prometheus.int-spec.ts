import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootstrapService } from '@auditstack/service-kit';
import { loadEngineConfig } from '../../apps/engine/src/config/engine.config';
import { EngineModule } from '../../apps/engine/src/engine.module';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { freePort } from '../support/ports';

const run = promisify(execFile);
const DEPLOY = join(__dirname, '..', '..', 'deploy', 'prometheus');
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';

/** Series a Prometheus scraping a fresh engine and gateway must find (they exist before any traffic). */
const EXPECTED_SERIES = [
  'auditstack_engine_process_cpu_user_seconds_total',
  'auditstack_engine_nodejs_eventloop_lag_seconds',
  'auditstack_gateway_process_cpu_user_seconds_total',
  'auditstack_gateway_nodejs_heap_size_used_bytes',
];

describe('Prometheus configuration and alerting rules (promtool)', () => {
  it('promtool check config passes on deploy/prometheus/prometheus.yml', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd: DEPLOY });
    expect(stdout).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
  });

  it('promtool check rules passes on every alerting rule', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', 'alerts.yml'], { cwd: DEPLOY });
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: each alert fires on its failure and stays quiet when healthy', async () => {
    const { stdout } = await run(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd: DEPLOY });
    expect(stdout).toContain('SUCCESS');
  });
});

describe('a real Prometheus scrapes the running engine and gateway', () => {
  let db: TestDatabase;
  let engine: NestFastifyApplication;
  let gateway: NestFastifyApplication;
  let prometheus: ChildProcess;
  let dir: string;
  let promUrl: string;
  const found: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    dir = mkdtempSync(join(tmpdir(), 'auditstack-prometheus-'));
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', AUDITSTACK_HOME: dir };
    const boot = (module: Parameters<typeof bootstrapService>[0]['module'], name: string) =>
      bootstrapService({ module, name, title: name, description: name, port: 0, host: '127.0.0.1' });
    engine = await boot(EngineModule.forRoot(loadEngineConfig(env)), 'engine');
    gateway = await boot(GatewayModule.forRoot(loadGatewayConfig(env)), 'gateway');
    const target = (url: string) => new URL(url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        `  - { job_name: auditstack-engine, static_configs: [{ targets: ['${target(await engine.getUrl())}'] }] }`,
        `  - { job_name: auditstack-gateway, static_configs: [{ targets: ['${target(await gateway.getUrl())}'] }] }`,
      ].join('\n'),
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all([engine?.close(), gateway?.close()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
    if (found.length > 0) console.log(`Prometheus scraped ${found.length} auditstack series, e.g.: ${found.slice(0, 12).join(', ')}`);
  });

  async function query<T>(path: string): Promise<T> {
    const res = await fetch(`${promUrl}${path}`);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    const body = (await res.json()) as { status: string; data: T };
    if (body.status !== 'success') throw new Error(`${path}: ${body.status}`);
    return body.data;
  }

  it('both targets are up and the expected series exist (queried over the Prometheus HTTP API)', async () => {
    const deadline = Date.now() + 60_000;
    let up: Array<{ metric: { job: string }; value: [number, string] }> = [];
    while (Date.now() < deadline) {
      try {
        up = (await query<{ result: typeof up }>('/api/v1/query?query=up')).result;
        const names = await query<string[]>('/api/v1/label/__name__/values');
        found.splice(0, found.length, ...names.filter((n) => n.startsWith('auditstack_')));
        if (up.length === 2 && up.every((r) => r.value[1] === '1') && EXPECTED_SERIES.every((s) => found.includes(s))) break;
      } catch {
        // Prometheus still starting
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(up.map((r) => [r.metric.job, r.value[1]]).sort()).toEqual([
      ['auditstack-engine', '1'],
      ['auditstack-gateway', '1'],
    ]);
    expect(found).toEqual(expect.arrayContaining(EXPECTED_SERIES));
  });
});
