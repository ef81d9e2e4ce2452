import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from 'pg';
import { WorkbookSpecSchema } from '@auditstack/audit-core';
import { DEMO_PROJECT, OPERATIONS_ACTIONS, seedDemo } from '../../tools/src/commands/seed.command';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, expectProblem, sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `auditstack seed` on a fresh database, then the embedded engine runs the demo actions. */
describe('seed and the demo actions (embedded mode)', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let client: Client;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url, { ENGINE_EMBEDDED_RESYNC_SECONDS: '1' });
    client = await sql(db.url);
    token = (await createTokens(db.url, { admin: ['admin'] })).admin!;
  });

  afterAll(async () => {
    await engine?.close();
    await client?.end();
    await db?.drop();
  });

  const query = async (text: string, params?: unknown[]): Promise<Record<string, unknown>[]> => (await client.query(text, params)).rows;

  it('is idempotent', async () => {
    const first = await seedDemo(query, { engineUrl: engine.url });
    expect(first.createdActions).toEqual([
      'evidence_checkpoint',
      'evidence_verify',
      ...OPERATIONS_ACTIONS.map((o) => o.name),
      'ping_check',
      'infra_docs_check',
      'mail_posture',
    ]);
    expect(first.createdServices).toHaveLength(2);
    const second = await seedDemo(query, { engineUrl: engine.url });
    expect(second).toEqual({ projectId: first.projectId, platformProjectId: first.platformProjectId, createdActions: [], createdServices: [] });
    expect((await query('SELECT count(*)::int AS n FROM audit.actions'))[0]!.n).toBe(5 + OPERATIONS_ACTIONS.length);
    // The mail-posture workbook is stored, valid, and its action seeded paused (DNS needs the internet).
    const workbook = (await query(`SELECT version, spec FROM audit.workbooks WHERE name = 'mail-domain-posture'`))[0]!;
    expect(workbook.version).toBe(1);
    expect(WorkbookSpecSchema.safeParse(workbook.spec).success).toBe(true);
    expect((await query(`SELECT status, config FROM audit.actions WHERE name = 'mail_posture'`))[0]).toEqual({
      status: 'paused',
      config: { workbook: 'mail-domain-posture' },
    });
  });

  it('the demo ping check passes and infra_docs_check lists the undocumented service; the overview shows the score', async () => {
    const actions = await api<{ items: Json[] }>(engine.url, '/v1/actions', token);
    const byName = Object.fromEntries(actions.body.items.map((a) => [a.name, a]));
    const runIds: Record<string, string> = {};
    for (const name of ['ping_check', 'infra_docs_check']) {
      runIds[name] = (await api<Json>(engine.url, `/v1/actions/${byName[name].id}/run`, token, { method: 'POST' })).body.run_id;
    }
    const runs = await waitFor('both demo runs', async () => {
      const got = await Promise.all(Object.values(runIds).map((id) => api<Json>(engine.url, `/v1/runs/${id}`, token)));
      return got.every((r) => r.status === 200) ? got.map((r) => r.body) : undefined;
    });
    const [ping, docs] = runs;
    expect(ping).toMatchObject({ status: 'pass', action_type: 'http' });
    expect(docs).toMatchObject({ status: 'fail', action_type: 'sql_assertion' });
    expect(docs!.output.checks[0]).toMatchObject({ check_id: 'infra_docs_check', status: 'fail', target: 'audit.services' });
    expect(docs!.output.checks[0].message).toContain('legacy-sftp');
    expect(docs!.output.checks[0].message).not.toContain('auditstack-engine');

    const overview = await api<Json>(engine.url, '/v1/overview', token);
    const card = overview.body.projects.find((p: Json) => p.name === DEMO_PROJECT);
    expect(card.badge).toBe('red');
    expect(card.score_text).toBe(`${card.total - 1}/${card.total}`);
  });

  it('the services API keeps the inventory current; documenting the element turns infra_docs_check green', async () => {
    const bad = await api<Json>(engine.url, '/v1/services/legacy-sftp', token, { method: 'PUT', body: { service_type: 'vm', compliance_workbook: 'maybe' } });
    expect(expectProblem(bad, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ path: 'compliance_workbook', in: 'body' })]);
    const put = await api<Json>(engine.url, '/v1/services/legacy-sftp', token, {
      method: 'PUT',
      body: { service_type: 'vm', host: 'sftp.internal.example', compliance_workbook: 'yes', workbook_url: 'https://example.org/wb/sftp' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ service_name: 'legacy-sftp', compliance_workbook: 'yes' });
    expect((await api<{ items: Json[] }>(engine.url, '/v1/services', token)).body.items.map((s) => s.service_name)).toEqual([
      'auditstack-engine',
      'legacy-sftp',
    ]);
    const docs = (await api<{ items: Json[] }>(engine.url, '/v1/actions', token)).body.items.find((a) => a.name === 'infra_docs_check')!;
    const { body } = await api<Json>(engine.url, `/v1/actions/${docs.id}/run`, token, { method: 'POST' });
    const run = await waitFor('the infra_docs_check run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, token);
      return res.status === 200 ? res.body : undefined;
    });
    expect(run.status).toBe('pass');
    await api(engine.url, '/v1/services/legacy-sftp', token, { method: 'PUT', body: { service_type: 'vm', host: 'sftp.internal.example' } });
  });

  it('the self-audit: evidence_checkpoint and evidence_verify pass; tampering with a run turns verification red', async () => {
    const actions = await api<{ items: Json[] }>(engine.url, '/v1/actions', token);
    const byName = Object.fromEntries(actions.body.items.map((a) => [a.name, a]));
    const runNow = async (name: string): Promise<Json> => {
      const { body } = await api<Json>(engine.url, `/v1/actions/${byName[name].id}/run`, token, { method: 'POST' });
      return waitFor(`the ${name} run`, async () => {
        const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, token);
        return res.status === 200 ? res.body : undefined;
      });
    };
    const checkpoint = await runNow('evidence_checkpoint');
    expect(checkpoint).toMatchObject({ status: 'pass' });
    expect(checkpoint.output.checks[0].evidence.tree_size).toBeGreaterThan(0);
    const verified = await runNow('evidence_verify');
    expect(verified.message).toMatch(/^1\/1 checks pass/);
    expect(verified).toMatchObject({ status: 'pass' });

    await client.query("UPDATE audit.runs SET message = 'tampered' WHERE id = $1", [checkpoint.id]);
    const red = await runNow('evidence_verify');
    expect(red.status).toBe('fail');
    expect(red.output.checks[0].status).toBe('fail');
    expect(red.output.checks[0].evidence.problems.length).toBeGreaterThan(0);
  });

  it('`auditstack jobs list` and `jobs run` (embedded mode: through the engine API)', async () => {
    // Asynchronous: the engine under test serves the CLI's requests from this very process.
    const cli = (args: string[]): Promise<{ status: number | null; stdout: string }> => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, ENGINE_URL: engine.url, AUDITSTACK_TOKEN: token };
      delete env.REDIS_URL;
      return new Promise((resolve) => {
        execFile(process.execPath, [join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js'), ...args], { env, timeout: 60_000 }, (error, stdout) =>
          resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    };
    const list = await cli(['jobs', 'list', '--json']);
    expect(list.status).toBe(0);
    const jobs = JSON.parse(list.stdout) as Json[];
    expect(jobs.map((j) => j.name).sort()).toEqual(
      ['evidence_checkpoint', 'evidence_verify', 'infra_docs_check', 'mail_posture', 'ping_check', ...OPERATIONS_ACTIONS.map((o) => o.name)].sort(),
    );
    expect(jobs.find((j) => j.name === 'ping_check')!.next).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    const run = await cli(['jobs', 'run', 'ping_check', '--project', DEMO_PROJECT, '--wait', '20']);
    expect(run.stdout).toMatch(/^pass: /);
    expect(run.status).toBe(0);
  });

  it('a plain SQL pause is reflected in the schedule and the actions gauge', async () => {
    // The in-process queue holds one schedule per active action (mail_posture is seeded paused).
    await client.query("UPDATE audit.actions SET status = 'paused' WHERE name = 'ping_check'");
    const metrics = await waitFor(
      'the paused count',
      async () => {
        const text = await (await fetch(`${engine.url}/metrics`)).text();
        return /auditstack_engine_actions\{status="paused"\} 2/.test(text) ? text : undefined;
      },
      3000,
    );
    expect(metrics).toContain(`auditstack_engine_actions{status="active"} ${3 + OPERATIONS_ACTIONS.length}`);
  });
});
