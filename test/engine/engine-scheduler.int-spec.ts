import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { TEST_REDIS_URL } from '../support/services';
import { api, createTokens, sql, startEngine, uniqueQueuePrefix, waitFor, type RunningEngine } from './support/engine-harness';

interface RunRow {
  id: string;
  job_id: string;
  scheduled_at: Date;
  started_at: Date;
  status: string;
  trigger: string;
  message: string;
  output: { error?: { code: string } };
}

/**
 * Service mode on real PostgreSQL and Redis: two engine replicas share one
 * BullMQ queue; schedules follow plain SQL edits through LISTEN/NOTIFY.
 */
describe('scheduler (two engines, BullMQ, LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let queue: ReturnType<typeof uniqueQueuePrefix>;
  let engines: RunningEngine[] = [];
  let client: Client;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    queue = uniqueQueuePrefix();
    const env = {
      REDIS_URL: TEST_REDIS_URL,
      ENGINE_QUEUE_PREFIX: queue.prefix,
      ENGINE_ALLOW_SECOND_SCHEDULES: 'true',
      ENGINE_CONCURRENCY: '4',
    };
    engines = [await startEngine(db.url, env), await startEngine(db.url, env)];
    client = await sql(db.url);
    projectId = (await client.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('sched') RETURNING id")).rows[0]!.id;
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await client?.end();
    await queue?.cleanup();
    await db?.drop();
  });

  const insertAction = async (name: string, actionType: string, schedule: string, config: Record<string, unknown>): Promise<string> =>
    (
      await client.query<{ id: string }>(
        'INSERT INTO audit.actions (project_id, name, action_type, schedule, config, timeout_ms) VALUES ($1, $2, $3, $4, $5, 5000) RETURNING id',
        [projectId, name, actionType, schedule, JSON.stringify(config)],
      )
    ).rows[0]!.id;

  const runsOf = async (actionId: string): Promise<RunRow[]> =>
    (await client.query<RunRow>('SELECT * FROM audit.runs WHERE action_id = $1 ORDER BY scheduled_at', [actionId])).rows;

  it('an every-second action on two engines: each firing produces exactly one run; SQL pause stops it within 2 s', async () => {
    const actionId = await insertAction('every-second', 'tcp_port', '* * * * * *', {
      host: '127.0.0.1',
      port: Number(new URL(engines[0]!.url).port),
    });
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const runs = await runsOf(actionId);
    const firings = runs.map((r) => r.scheduled_at.getTime());
    // One run per firing: no firing twice, however many replicas.
    expect(new Set(firings).size).toBe(firings.length);
    expect(new Set(runs.map((r) => r.job_id)).size).toBe(runs.length);
    // Every second fired (allowing the first second to schedule and the last to finish).
    expect(firings.length).toBeGreaterThanOrEqual(8);
    for (const [i, at] of firings.entries()) {
      expect(at % 1000).toBe(0);
      if (i > 0) expect(at - firings[i - 1]!).toBe(1000);
    }
    expect(runs.every((r) => r.status === 'pass' && r.trigger === 'schedule' && r.job_id === `repeat:${actionId}:${r.scheduled_at.getTime()}`)).toBe(true);
    expect(firings[0]! - t0).toBeLessThan(2500);

    await client.query("UPDATE audit.actions SET status = 'paused' WHERE id = $1", [actionId]);
    const pausedAt = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    const late = (await runsOf(actionId)).filter((r) => r.scheduled_at.getTime() > pausedAt + 2000);
    expect(late).toEqual([]);
  });

  it('run-now through the API of one replica is run once (BullMQ job), trigger manual', async () => {
    const { admin } = await createTokens(db.url, { admin: ['admin'] });
    const actionId = await insertAction('manual-only', 'tcp_port', '0 0 1 1 *', { host: '127.0.0.1', port: Number(new URL(engines[0]!.url).port) });
    const res = await api<{ run_id: string }>(engines[0]!.url, `/v1/actions/${actionId}/run`, admin, { method: 'POST' });
    expect(res.status).toBe(202);
    const [run] = await waitFor(
      'the manual run',
      async () => {
        const runs = await runsOf(actionId);
        return runs.length ? runs : undefined;
      },
      5000,
    );
    expect(run).toMatchObject({ id: res.body.run_id, trigger: 'manual', status: 'pass', job_id: `manual-${res.body.run_id}` });
    await new Promise((r) => setTimeout(r, 500));
    expect(await runsOf(actionId)).toHaveLength(1);
  });

  it('an action inserted with an unknown type gets an explanatory error run; the engine keeps serving', async () => {
    const healthy = await insertAction('healthy', 'tcp_port', '* * * * * *', { host: '127.0.0.1', port: Number(new URL(engines[1]!.url).port) });
    const broken = await insertAction('broken', 'no_such_type', '* * * * *', {});
    const badCron = await insertAction('bad-cron', 'tcp_port', '99 * * * *', { host: '127.0.0.1', port: 1 });
    const [unknownRun] = await waitFor(
      'the error run of the unknown type',
      async () => {
        const runs = await runsOf(broken);
        return runs.length ? runs : undefined;
      },
      5000,
    );
    expect(unknownRun).toMatchObject({ status: 'error', action_type: 'no_such_type' });
    expect(unknownRun!.message).toMatch(/unknown action type "no_such_type"/);
    expect(unknownRun!.output.error?.code).toBe('unknown_type');
    const [cronRun] = await waitFor(
      'the error run of the bad cron',
      async () => {
        const runs = await runsOf(badCron);
        return runs.length ? runs : undefined;
      },
      5000,
    );
    expect(cronRun!.message).toMatch(/invalid schedule/);

    // Still serving and still running the healthy action; the broken one is reported once per version, on both engines together.
    await waitFor('runs of the healthy action', async () => ((await runsOf(healthy)).length >= 2 ? true : undefined), 5000);
    for (const engine of engines) expect((await api(engine.url, '/ping', undefined)).status).toBe(200);
    expect(await runsOf(broken)).toHaveLength(1);
    const metrics = (await Promise.all(engines.map(async (e) => (await fetch(`${e.url}/metrics`)).text()))).join('\n');
    expect(metrics).toMatch(/auditstack_engine_actions\{status="invalid"\} [1-9]/);
    expect(metrics).toMatch(/auditstack_engine_runs_total\{action_type="tcp_port",status="pass"\} [1-9]/);
    expect(metrics).toContain('auditstack_engine_schedule_lag_seconds_bucket');
    expect(metrics).toContain('auditstack_engine_queue_depth');
    expect(metrics).toMatch(/auditstack_engine_sync_total\{result="ok"\} [1-9]/);
    // Per-action gauges of the alert rules (deploy/prometheus/alerts.yml), labelled by project and action name.
    expect(metrics).toMatch(/auditstack_engine_action_last_run_timestamp_seconds\{project="sched",action="healthy"\} \d/);
    expect(metrics).toContain('auditstack_engine_action_period_seconds{project="sched",action="healthy"} 1');
    expect(metrics).toContain('auditstack_engine_action_consecutive_failures{project="sched",action="healthy"} 0');
    expect(metrics).toContain('auditstack_engine_action_consecutive_failures{project="sched",action="broken"} 1');
    await client.query("UPDATE audit.actions SET status = 'paused' WHERE id = $1", [healthy]);
  });
});
