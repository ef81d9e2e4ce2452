import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { Check } from '@auditstack/audit-core';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type RunOutcome } from '../../apps/engine/src/actions/action-handler.util';
import { ActionType } from '../../apps/engine/src/actions/action-type.decorator';
import { MIGRATIONS } from '@auditstack/migrations';
import { createDataSource } from '@auditstack/audit-core/server';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';
import { api, createTokens, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

const check = (status: Check['status']): Check => ({
  check_id: `t.${status}`,
  target: 'example.test',
  status,
  message: `a ${status}`,
  rule: { id: `t.${status}`, description: 'test rule' },
  evidence: {},
});

@ActionType({ type: 't_pass', config: z.strictObject({}) })
@Injectable()
class PassAction implements ActionHandler {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([check('pass')]);
  }
}

@ActionType({ type: 't_fail', config: z.strictObject({}) })
@Injectable()
class FailAction implements ActionHandler {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([check('fail')]);
  }
}

/** Never finishes on its own: the run ends at the action's timeout, with no checks. */
@ActionType({ type: 't_hang', config: z.strictObject({}) })
@Injectable()
class HangAction implements ActionHandler {
  run(_action: unknown, ctx: ActionContext): Promise<RunOutcome> {
    return new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true }));
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Issue 15 items 4 and 8, through a real engine on a real database: never green while failing. */
describe('overview: never green while failing', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url, { ENGINE_OVERVIEW_CACHE_MS: '0', SHED_EVENT_LOOP_DELAY_MS: '0' }, [PassAction, FailAction, HangAction]);
    tokens = await createTokens(db.url, { writer: ['actions.read', 'actions.write'], reader: ['actions.read'] });
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
  });

  const project = async (name: string): Promise<string> => {
    const res = await api<Json>(engine.url, '/v1/projects', tokens.writer, { method: 'POST', body: { name } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const action = async (projectId: string, name: string, actionType: string, over: Json = {}): Promise<string> => {
    const body = { project_id: projectId, name, action_type: actionType, schedule: '0 0 1 1 *', config: {}, ...over };
    const res = await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const runNow = async (actionId: string): Promise<Json> => {
    const { body } = await api<Json>(engine.url, `/v1/actions/${actionId}/run`, tokens.writer, { method: 'POST' });
    return waitFor('the run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, tokens.reader);
      return res.status === 200 ? res.body : undefined;
    });
  };
  const card = async (projectId: string): Promise<Json> => {
    const res = await api<Json>(engine.url, '/v1/overview', tokens.reader);
    expect(res.status).toBe(200);
    return res.body.projects.find((p: Json) => p.project_id === projectId);
  };

  it('a project where nothing has run yet is grey, with no reasons', async () => {
    const id = await project('quiet');
    await action(id, 'yearly', 't_pass');
    expect(await card(id)).toMatchObject({ badge: 'grey', score_text: '0/0', reasons: [], reason_count: 0, last_run_at: null, last_audit_at: null });
  });

  it('an action whose run errors without checks (timed out) turns a passing project red, with the reason', async () => {
    const id = await project('tenant-timeout');
    await runNow(await action(id, 'web', 't_pass'));
    const green = await card(id);
    expect(green).toMatchObject({ badge: 'green', score_text: '1/1', reasons: [] });

    const hang = await action(id, 'domain-checks', 't_hang', { timeout_ms: 200 });
    const run = await runNow(hang);
    expect(run).toMatchObject({ status: 'error' });
    expect(run.output.checks).toEqual([]);

    const red = await card(id);
    // The score still counts checks (1/1); the badge tells the truth about the action that kept none.
    expect(red).toMatchObject({ badge: 'red', score_text: '1/1', reason_count: 1 });
    expect(red.reasons).toEqual([
      { action_id: hang, action_name: 'domain-checks', kind: 'error', text: 'domain-checks: last run error (timed out)', run_id: run.id, at: run.started_at },
    ]);
    expect(new Date(red.last_run_at).getTime()).toBeGreaterThanOrEqual(new Date(green.last_run_at).getTime());

    // The scorecard of the whole project agrees with the card.
    const scorecard = await api<Json>(engine.url, `/v1/projects/${id}/scorecard`, tokens.reader);
    expect(scorecard.body).toMatchObject({ badge: 'red', score_text: '1/1', reason_count: 1 });
  });

  it('an active action that cannot be scheduled (invalid cron written by SQL) is red with the reason; the scheduler records why', async () => {
    const id = await project('tenant-cron');
    const nightly = await action(id, 'nightly', 't_pass');
    const client = await sql(db.url);
    try {
      await client.query(`UPDATE audit.actions SET schedule = '61 * * * *', updated_at = now() WHERE id = $1`, [nightly]);
    } finally {
      await client.end();
    }
    const red = await card(id);
    expect(red).toMatchObject({ badge: 'red', reason_count: 1 });
    expect(red.reasons).toEqual([expect.objectContaining({ action_name: 'nightly', kind: 'unschedulable', run_id: null })]);
    expect(red.reasons[0].text).toBe("nightly: cannot be scheduled — invalid cron '61 * * * *'");
    const runs = await waitFor('the invalid-schedule error run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs?action_id=${nightly}`, tokens.reader);
      return res.body.items.length > 0 ? res.body.items : undefined;
    });
    expect(runs[0]).toMatchObject({ status: 'error' });
    expect(runs[0].message).toMatch(/^invalid schedule: /);
  });

  it('a paused failing action does not turn the project red', async () => {
    const id = await project('tenant-paused');
    await runNow(await action(id, 'web', 't_pass'));
    const failing = await action(id, 'legacy', 't_fail');
    await runNow(failing);
    expect(await card(id)).toMatchObject({ badge: 'red', score_text: '1/2', reasons: [expect.objectContaining({ action_name: 'legacy', kind: 'fail' })] });
    expect((await api<Json>(engine.url, `/v1/actions/${failing}/pause`, tokens.writer, { method: 'POST' })).body.status).toBe('paused');
    expect(await card(id)).toMatchObject({ badge: 'green', score_text: '1/1', reasons: [], actions: { active: 1, paused: 1 } });
  });

  it("seed 000's INSERT without action_type is accepted and reported: red card, an error run 'no action type'", async () => {
    const id = await project('p24-infra');
    const client = await sql(db.url);
    try {
      // Verbatim from the seed's operations workbook ("Add a new action").
      await client.query(`INSERT INTO audit.actions (project_id, name, schedule, description, status)
SELECT id, 'my-check', '0 10 * * *', 'What it does', 'active'
FROM audit.projects WHERE name = 'p24-infra';`);
    } finally {
      await client.end();
    }
    const actions = (await api<Json>(engine.url, `/v1/actions?project_id=${id}`, tokens.reader)).body.items;
    expect(actions).toEqual([expect.objectContaining({ name: 'my-check', action_type: '', status: 'active', schedule: '0 10 * * *' })]);
    const red = await card(id);
    expect(red).toMatchObject({ badge: 'red', reason_count: 1 });
    expect(red.reasons[0]).toMatchObject({ action_name: 'my-check', kind: 'unschedulable', text: 'my-check: cannot be scheduled — no action type' });
    const runs = await waitFor('the no-action-type error run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs?action_id=${actions[0].id}`, tokens.reader);
      return res.body.items.length > 0 ? res.body.items : undefined;
    });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'error' });
    expect(runs[0].message).toMatch(/^no action type: /);
  });
});

/** The same overview on embedded PGlite (`npm start`): the seed's typeless action reaches the card through the embedded re-sync. */
describe('overview on embedded PGlite', () => {
  let db: EmbeddedTestDatabase;
  let engine: RunningEngine;
  let token: string;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
    const dataSource = createDataSource({ url: db.url, applicationName: 'test-migrate', migrations: [...MIGRATIONS], poolMax: 1 });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    engine = await startEngine(db.url, { ENGINE_OVERVIEW_CACHE_MS: '0', ENGINE_EMBEDDED_RESYNC_SECONDS: '1', DATABASE_POOL_MAX: '3' });
    token = (await createTokens(db.url, { reader: ['actions.read'] })).reader!;
  });

  afterAll(async () => {
    await engine?.close();
    await db?.release();
  });

  it("seed 000's INSERT: red card with the reason and the 'no action type' run", async () => {
    const client = await sql(db.url);
    try {
      await client.query("INSERT INTO audit.projects (name) VALUES ('p24-infra')");
      await client.query(`INSERT INTO audit.actions (project_id, name, schedule, description, status)
SELECT id, 'my-check', '0 10 * * *', 'What it does', 'active'
FROM audit.projects WHERE name = 'p24-infra';`);
    } finally {
      await client.end();
    }
    const card = (await api<Json>(engine.url, '/v1/overview', token)).body.projects.find((p: Json) => p.name === 'p24-infra');
    expect(card).toMatchObject({
      badge: 'red',
      reason_count: 1,
      reasons: [expect.objectContaining({ text: 'my-check: cannot be scheduled — no action type' })],
    });
    const runs = await waitFor('the no-action-type error run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs?action_id=${card.reasons[0].action_id}`, token);
      return res.body.items.length > 0 ? res.body.items : undefined;
    });
    expect(runs[0].message).toMatch(/^no action type: /);
  });
});
