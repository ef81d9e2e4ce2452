import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { recordTokenChange } from '@auditstack/evidence-store';
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

/**
 * Series the alerts and the Grafana dashboard read, which a Prometheus scraping
 * the engine and the gateway must find once a check has run and an event has
 * been ingested.
 */
const EXPECTED_SERIES = [
  'auditstack_engine_runs_total',
  'auditstack_engine_run_duration_seconds_bucket',
  'auditstack_engine_actions',
  'auditstack_engine_schedule_lag_seconds_bucket',
  'auditstack_engine_action_last_run_timestamp_seconds',
  'auditstack_engine_action_period_seconds',
  'auditstack_engine_action_consecutive_failures',
  'auditstack_gateway_events_ingested_total',
  'auditstack_gateway_ingest_duration_seconds_bucket',
  'auditstack_gateway_backend',
  'auditstack_gateway_backend_fallback_active',
  'auditstack_gateway_spool_bytes',
  'auditstack_evidence_tree_size',
  'auditstack_evidence_last_checkpoint_timestamp_seconds',
  'auditstack_evidence_checkpoint_heartbeat_seconds',
  'auditstack_engine_process_cpu_user_seconds_total',
  'auditstack_gateway_process_cpu_user_seconds_total',
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

/** A check run, an ingested event and a checkpoint, so the series that need traffic exist. */
async function driveTraffic(engineUrl: string, gatewayUrl: string, databaseUrl: string): Promise<void> {
  const dataSource = await createDataSource({ url: databaseUrl, applicationName: 'prometheus-test', poolMax: 1 }).initialize();
  const { token } = await new ApiTokenRepository(dataSource, recordTokenChange).create({ name: 'prometheus-test', entitlements: ['admin'], actor: 'test' });
  const call = async (url: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const project = await call(`${engineUrl}/v1/projects`, { name: 'metrics' });
  const action = await call(`${engineUrl}/v1/actions`, {
    project_id: project.id,
    name: 'ping',
    action_type: 'http',
    schedule: '0 * * * *',
    config: { url: `${engineUrl}/ping` },
  });
  const { run_id: runId } = await call(`${engineUrl}/v1/actions/${String(action.id)}/run`, {});
  // The run appears within the action's timeout (the worker writes it in one transaction).
  for (let i = 0; i < 150; i++) {
    const rows = (await dataSource.query(`SELECT 1 FROM audit.runs WHERE id = $1`, [runId])) as unknown[];
    if (rows.length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await call(`${gatewayUrl}/v1/tool-events`, {
    ts: new Date().toISOString(),
    req_id: 'req-1',
    workspace_id: 'ws-1',
    agent_id: 'agent-1',
    tool: 'search',
    action: 'query',
    status: 'ok',
    duration_ms: 12,
    in_size: 100,
    out_size: 2000,
    input_hash: 'a'.repeat(64),
  });
  await dataSource.destroy();
}

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
    // Checkpoint every second once the tree grew, so the checkpoint gauges have a value.
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', AUDITSTACK_HOME: dir, CHECKPOINT_EVERY_SECONDS: '1' };
    const boot = (module: Parameters<typeof bootstrapService>[0]['module'], name: string) =>
      bootstrapService({ module, name, title: name, description: name, port: 0, host: '127.0.0.1' });
    engine = await boot(EngineModule.forRoot(loadEngineConfig(env)), 'engine');
    gateway = await boot(GatewayModule.forRoot(loadGatewayConfig(env)), 'gateway');
    await driveTraffic(await engine.getUrl(), await gateway.getUrl(), db.url);
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
    if (found.length > 0) {
      const expected = EXPECTED_SERIES.filter((s) => found.includes(s));
      console.log(`Prometheus scraped ${found.length} auditstack series; the ${expected.length} asserted: ${expected.join(', ')}`);
    }
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
