import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { runPayload } from '@auditstack/audit-core';
import { payloadHash } from '@auditstack/evidence';
import { outcomeFromChecks, type ActionHandler, type RunOutcome } from '../../apps/engine/src/actions/action-handler.util';
import { ActionType } from '../../apps/engine/src/actions/action-type.decorator';
import { RunWriter, type RunRecord } from '../../apps/engine/src/runs/run-writer.repository';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, expectProblem, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

@ActionType({ type: 'http', config: z.object({}) })
@Injectable()
class SecondHttpAction implements ActionHandler {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([]);
  }
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The engine's API on a real database (embedded mode: the in-process queue runs the jobs). */
describe('engine API', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;
  let projectId: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url);
    tokens = await createTokens(db.url, {
      writer: ['actions.read', 'actions.write'],
      reader: ['actions.read'],
      other: ['events.read'],
    });
    const project = await api<Json>(engine.url, '/v1/projects', tokens.writer, { method: 'POST', body: { name: 'acme-web', description: 'demo' } });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
  });

  const httpAction = (over: Json = {}): Json => ({
    project_id: projectId,
    name: 'ping',
    action_type: 'http',
    schedule: '0 0 1 1 *',
    config: { url: `${engine.url}/ping`, body_contains: 'ok' },
    ...over,
  });

  it('401 without a valid token; 403 without the entitlement', async () => {
    expectProblem(await api(engine.url, '/v1/actions', undefined), 401, 'UNAUTHENTICATED');
    expectProblem(await api(engine.url, '/v1/actions', 'ast_nope'), 401, 'UNAUTHENTICATED');
    expectProblem(await api(engine.url, '/v1/actions', tokens.other), 403, 'FORBIDDEN');
    expectProblem(await api(engine.url, '/v1/overview', tokens.other), 403, 'FORBIDDEN');
    expect((await api(engine.url, '/v1/actions', tokens.reader)).status).toBe(200);
    const write = expectProblem(await api<Json>(engine.url, '/v1/actions', tokens.reader, { method: 'POST', body: httpAction() }), 403, 'FORBIDDEN');
    expect(write.detail).toContain('actions.write');
  });

  it.each([
    ['a bad cron', { schedule: '61 * * * *' }, 400, 'VALIDATION_FAILED', 'schedule', /^schedule: /],
    ['a 6-field cron', { schedule: '* * * * * *' }, 400, 'VALIDATION_FAILED', 'schedule', /^schedule: .*5 fields/],
    ['an unknown action type', { action_type: 'no_such_type' }, 422, 'ACTION_TYPE_UNKNOWN', 'action_type', /^action_type: unknown action type "no_such_type"/],
    ['a config failing the type schema', { config: { url: 'not a url' } }, 400, 'ACTION_CONFIG_INVALID', 'config.url', /^config\.url: /],
    ['a config with an unknown field', { config: { url: 'http://x.test/', colour: 'red' } }, 400, 'ACTION_CONFIG_INVALID', 'config', /^config: .*colour/],
    ['a missing project', { project_id: '00000000-0000-4000-8000-000000000000' }, 422, 'PROJECT_REFERENCE_UNKNOWN', 'project_id', /^project_id: /],
  ] as const)('%s → a problem naming the field, nothing stored', async (_what, over, status, code, path, detail) => {
    const problem = expectProblem(await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body: httpAction(over) }), status, code);
    expect(problem.detail).toMatch(detail);
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, in: 'body' })]));
    expect((await api<Json>(engine.url, '/v1/actions', tokens.reader)).body).toEqual({ items: [], next_cursor: null });
  });

  it('lists action types with the JSON Schema of their config', async () => {
    const res = await api<{ items: Json[] }>(engine.url, '/v1/action-types', tokens.reader);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((t) => t.id);
    expect(ids).toEqual(
      expect.arrayContaining(['http', 'tls_cert', 'dns_mx', 'dns_spf', 'dns_dmarc', 'dns_dkim', 'mta_sts', 'tls_rpt', 'tcp_port', 'sql_assertion']),
    );
    const http = res.body.items.find((t) => t.id === 'http')!;
    expect(http.config_schema.properties.url).toBeDefined();
    expect(http.config_schema.required).toContain('url');
  });

  it('run-now writes a run, its check_results and a ledger leaf whose payload hash matches the row', async () => {
    const created = await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body: httpAction() });
    expect(created.status).toBe(201);
    const run = await api<Json>(engine.url, `/v1/actions/${created.body.id}/run`, tokens.writer, { method: 'POST' });
    expect(run.status).toBe(202);
    const runId: string = run.body.run_id;
    const stored = await waitFor('the run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${runId}`, tokens.reader);
      return res.status === 200 ? res.body : undefined;
    });
    expect(stored).toMatchObject({ id: runId, action_id: created.body.id, project_id: projectId, trigger: 'manual', status: 'pass', action_type: 'http' });
    expect(stored.output.checks.length).toBeGreaterThan(0);
    expect(stored.ledger_seq).not.toBeNull();

    const client = await sql(db.url);
    try {
      const checks = await client.query('SELECT check_id, status, run_id FROM audit.check_results WHERE project_id = $1', [projectId]);
      expect(checks.rows.length).toBe(stored.output.checks.length);
      expect(checks.rows.every((r) => r.run_id === runId && r.status === 'pass')).toBe(true);
      const row = (await client.query('SELECT * FROM audit.runs WHERE id = $1', [runId])).rows[0];
      const leaf = (await client.query("SELECT seq, ref, payload_hash FROM audit.ledger WHERE kind = 'run' AND ref = $1", [runId])).rows;
      expect(leaf).toHaveLength(1);
      expect(String(leaf[0].seq)).toBe(String(row.ledger_seq));
      expect(Buffer.from(leaf[0].payload_hash).equals(payloadHash(runPayload(row)))).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('runs list filters and pages by keyset; overview and scorecard show the score', async () => {
    const actions = (await api<{ items: Json[] }>(engine.url, `/v1/actions?project_id=${projectId}`, tokens.reader)).body.items;
    const actionId = actions[0]!.id;
    for (let i = 0; i < 2; i++) {
      const { body } = await api<Json>(engine.url, `/v1/actions/${actionId}/run`, tokens.writer, { method: 'POST' });
      await waitFor('run', async () => ((await api(engine.url, `/v1/runs/${body.run_id}`, tokens.reader)).status === 200 ? true : undefined));
    }
    const page1 = await api<Json>(engine.url, `/v1/runs?action_id=${actionId}&status=pass&limit=2`, tokens.reader);
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await api<Json>(engine.url, `/v1/runs?action_id=${actionId}&status=pass&limit=2&cursor=${page1.body.next_cursor}`, tokens.reader);
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((r: Json) => r.id);
    expect(new Set(ids).size).toBe(3);
    expect((await api<Json>(engine.url, `/v1/runs?status=fail`, tokens.reader)).body.items).toEqual([]);
    expect((await api<Json>(engine.url, `/v1/runs?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`, tokens.reader)).body.items).toEqual([]);
    const bad = expectProblem(await api<Json>(engine.url, `/v1/runs?status=maybe`, tokens.reader), 400, 'VALIDATION_FAILED');
    expect(bad.errors).toEqual([expect.objectContaining({ path: 'status', in: 'query' })]);
    expectProblem(await api<Json>(engine.url, `/v1/runs?cursor=${page1.body.next_cursor}x`, tokens.reader), 400, 'VALIDATION_FAILED');

    const overview = await api<Json>(engine.url, '/v1/overview', tokens.reader);
    const card = overview.body.projects.find((p: Json) => p.project_id === projectId);
    expect(card).toMatchObject({ name: 'acme-web', badge: 'green', actions: { active: 1, paused: 0 } });
    expect(card.score_text).toBe(`${card.total}/${card.total}`);
    expect(card.last_audit_at).not.toBeNull();

    const scorecard = await api<Json>(engine.url, `/v1/projects/${projectId}/scorecard`, tokens.reader);
    expect(scorecard.status).toBe(200);
    expect(scorecard.body.badge).toBe('green');
    expect(scorecard.body.checks[0].history.length).toBeGreaterThanOrEqual(3);
    const target = scorecard.body.checks[0].target;
    const filtered = await api<Json>(engine.url, `/v1/projects/${projectId}/scorecard?target=${encodeURIComponent(target)}`, tokens.reader);
    expect(filtered.body.total).toBe(scorecard.body.total);
    expect((await api<Json>(engine.url, `/v1/projects/${projectId}/scorecard?target=nowhere`, tokens.reader)).body.badge).toBe('grey');
  });

  it('pause and resume change the status; a config update is validated against the type', async () => {
    const [action] = (await api<{ items: Json[] }>(engine.url, `/v1/actions?project_id=${projectId}`, tokens.reader)).body.items;
    expect((await api<Json>(engine.url, `/v1/actions/${action!.id}/pause`, tokens.writer, { method: 'POST' })).body.status).toBe('paused');
    expect((await api<Json>(engine.url, `/v1/actions/${action!.id}/resume`, tokens.writer, { method: 'POST' })).body.status).toBe('active');
    const bad = expectProblem(
      await api<Json>(engine.url, `/v1/actions/${action!.id}`, tokens.writer, { method: 'PATCH', body: { config: { url: 42 } } }),
      400,
      'ACTION_CONFIG_INVALID',
    );
    expect(bad.detail).toMatch(/^config\.url: /);
    expectProblem(await api<Json>(engine.url, '/v1/actions', tokens.writer, { method: 'POST', body: httpAction() }), 409, 'ACTION_NAME_TAKEN');
    expectProblem(await api(engine.url, '/v1/actions/00000000-0000-4000-8000-000000000000', tokens.reader), 404, 'ACTION_NOT_FOUND');
  });

  it('the run writer is idempotent by firing (job_id, scheduled_at), also within one group commit', async () => {
    const [action] = (await api<{ items: Json[] }>(engine.url, `/v1/actions?project_id=${projectId}`, tokens.reader)).body.items;
    const writer = engine.app.get(RunWriter);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const record = (): RunRecord => ({
      id: randomUUID(),
      scheduledAt: at,
      jobId: `repeat:${action!.id}:${at.getTime()}`,
      actionId: action!.id,
      projectId,
      actionType: 'http',
      trigger: 'schedule',
      status: 'pass',
      message: 'ok',
      output: { checks: [] },
      checks: [],
      startedAt: at,
      finishedAt: at,
      durationMs: 0,
    });
    const results = await Promise.all([writer.write(record()), writer.write(record()), writer.write(record())]);
    expect(results.filter((r) => r.written)).toHaveLength(1);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    const retried = await writer.write(record());
    expect(retried).toEqual({ runId: results[0]!.runId, written: false, ledgerSeq: null });
    const client = await sql(db.url);
    try {
      const rows = await client.query('SELECT id FROM audit.runs WHERE job_id = $1', [`repeat:${action!.id}:${at.getTime()}`]);
      expect(rows.rows.map((r) => r.id)).toEqual([results[0]!.runId]);
      expect((await client.query("SELECT 1 FROM audit.ledger WHERE kind = 'run' AND ref = $1", [results[0]!.runId])).rowCount).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('the results of a deleted action leave the scorecard', async () => {
    const total = async (): Promise<number> => (await api<Json>(engine.url, `/v1/projects/${projectId}/scorecard`, tokens.reader)).body.total;
    const before = await total();
    const created = await api<Json>(engine.url, '/v1/actions', tokens.writer, {
      method: 'POST',
      body: {
        project_id: projectId,
        name: 'port',
        action_type: 'tcp_port',
        schedule: '0 0 1 1 *',
        config: { host: '127.0.0.1', port: Number(new URL(engine.url).port) },
      },
    });
    const { body } = await api<Json>(engine.url, `/v1/actions/${created.body.id}/run`, tokens.writer, { method: 'POST' });
    await waitFor('the port run', async () => ((await api(engine.url, `/v1/runs/${body.run_id}`, tokens.reader)).status === 200 ? true : undefined));
    expect(await total()).toBe(before + 1);
    expect((await api(engine.url, `/v1/actions/${created.body.id}`, tokens.writer, { method: 'DELETE' })).status).toBe(204);
    expect(await total()).toBe(before);
    const card = (await api<Json>(engine.url, '/v1/overview', tokens.reader)).body.projects.find((p: Json) => p.project_id === projectId);
    expect(card.total).toBe(before);
    // Its run history stays (each run is a ledger leaf).
    expect((await api(engine.url, `/v1/runs/${body.run_id}`, tokens.reader)).status).toBe(200);
  });

  it('the engine refuses to boot with two handlers for one action type', async () => {
    await expect(startEngine(db.url, {}, [SecondHttpAction])).rejects.toThrow(/duplicate action type "http"/);
  });
});
