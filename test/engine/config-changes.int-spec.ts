import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { configChangePayload } from '@auditstack/audit-core';
import { payloadHash } from '@auditstack/evidence';
import { EvidenceService, type SqlPool } from '@auditstack/evidence-store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, sql, startEngine, type RunningEngine } from './support/engine-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every mutation through the engine API is an `audit.config_changes` row and
 * a ledger leaf of kind `config`, written in the mutation's transaction; the
 * online verifier re-hashes the rows (issue #3 item 5).
 */
describe('config changes', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let tokens: Record<string, string>;
  let pool: Pool;
  const home = mkdtempSync(join(tmpdir(), 'auditstack-config-changes-'));

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url);
    tokens = await createTokens(db.url, { ops: ['actions.read', 'actions.write'] });
    pool = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await engine?.close();
    await db?.drop();
  });

  const changesOf = async (subjectId: string): Promise<Json[]> =>
    (await pool.query('SELECT * FROM audit.config_changes WHERE subject_id = $1 ORDER BY at, change', [subjectId])).rows;

  it('an action create and pause are two config rows and two leaves; the verifier passes, and fails on a tampered row', async () => {
    const project = await api<Json>(engine.url, '/v1/projects', tokens.ops, { method: 'POST', body: { name: 'changes' } });
    expect(project.status).toBe(201);
    const created = await api<Json>(engine.url, '/v1/actions', tokens.ops, {
      method: 'POST',
      body: { project_id: project.body.id, name: 'ping', action_type: 'http', schedule: '0 0 1 1 *', config: { url: `${engine.url}/ping` } },
    });
    expect(created.status).toBe(201);
    const paused = await api<Json>(engine.url, `/v1/actions/${created.body.id}/pause`, tokens.ops, { method: 'POST' });
    expect(paused.status).toBe(200);

    const rows = await changesOf(created.body.id);
    expect(rows.map((r) => [r.subject_kind, r.change])).toEqual([
      ['action', 'create'],
      ['action', 'pause'],
    ]);
    const [create, pause] = rows;
    expect(create!.before).toBeNull();
    expect(create!.after).toMatchObject({ id: created.body.id, status: 'active', config: { url: `${engine.url}/ping` } });
    expect(pause!.before).toMatchObject({ status: 'active' });
    expect(pause!.after).toMatchObject({ status: 'paused' });
    // The actor is the token's name and id, never its secret.
    expect(create!.actor).toMatch(/^ops \([0-9a-f-]{36}\)$/);
    expect(JSON.stringify(rows)).not.toContain(tokens.ops);

    const leaves = (
      await pool.query("SELECT seq, ref, payload_hash FROM audit.ledger WHERE kind = 'config' AND ref = ANY($1::text[]) ORDER BY seq", [rows.map((r) => r.id)])
    ).rows;
    expect(leaves).toHaveLength(2);
    rows.forEach((row, i) => {
      expect(String(leaves[i].seq)).toBe(String(row.ledger_seq));
      expect(Buffer.from(leaves[i].payload_hash).equals(payloadHash(configChangePayload(row)))).toBe(true);
    });

    const evidence = new EvidenceService({ db: pool as unknown as SqlPool, home });
    await evidence.checkpointNow();
    const report = await evidence.verifyOnline();
    expect(report.problems ?? []).toEqual([]);
    expect(report.ok).toBe(true);

    const client = await sql(db.url);
    try {
      await client.query(`UPDATE audit.config_changes SET after = jsonb_set(after, '{status}', '"active"') WHERE id = $1`, [pause!.id]);
    } finally {
      await client.end();
    }
    const tampered = await evidence.verifyOnline();
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'PAYLOAD_MISMATCH', seq: Number(pause!.ledger_seq) })]));
  });

  it('projects, updates, deletes, the services inventory and workbook saves are recorded too; a refused change records nothing', async () => {
    const project = await api<Json>(engine.url, '/v1/projects', tokens.ops, { method: 'POST', body: { name: 'doomed' } });
    const action = await api<Json>(engine.url, '/v1/actions', tokens.ops, {
      method: 'POST',
      body: { project_id: project.body.id, name: 'a', action_type: 'http', schedule: '0 0 1 1 *', config: { url: `${engine.url}/ping` } },
    });
    expect((await api(engine.url, `/v1/actions/${action.body.id}`, tokens.ops, { method: 'PATCH', body: { description: 'x' } })).status).toBe(200);
    expect((await api(engine.url, `/v1/actions/${action.body.id}/resume`, tokens.ops, { method: 'POST' })).status).toBe(200);
    // A 400 (unknown field) and a 409 (duplicate name) store no change.
    expect((await api(engine.url, `/v1/actions/${action.body.id}`, tokens.ops, { method: 'PATCH', body: { colour: 'red' } })).status).toBe(400);
    expect((await api(engine.url, '/v1/projects', tokens.ops, { method: 'POST', body: { name: 'doomed' } })).status).toBe(409);
    expect((await api(engine.url, `/v1/projects/${project.body.id}`, tokens.ops, { method: 'DELETE' })).status).toBe(204);
    expect((await changesOf(action.body.id)).map((r) => r.change)).toEqual(['create', 'update', 'resume', 'delete']);
    expect((await changesOf(project.body.id)).map((r) => r.change)).toEqual(['create', 'delete']);

    expect((await api(engine.url, '/v1/services/billing', tokens.ops, { method: 'PUT', body: { service_type: 'service' } })).status).toBe(200);
    expect((await api(engine.url, '/v1/services/billing', tokens.ops, { method: 'PUT', body: { service_type: 'vm' } })).status).toBe(200);
    expect((await api(engine.url, '/v1/services/billing', tokens.ops, { method: 'DELETE' })).status).toBe(204);
    const services = await changesOf('billing');
    expect(services.map((r) => [r.subject_kind, r.change])).toEqual([
      ['service', 'create'],
      ['service', 'update'],
      ['service', 'delete'],
    ]);
    expect(services[1]!.before).toMatchObject({ service_type: 'service' });
    expect(services[1]!.after).toMatchObject({ service_type: 'vm' });

    const spec = { name: 'tiny', steps: [{ id: 'ping', kind: 'http', url: `${engine.url}/ping` }] };
    expect((await api(engine.url, '/v1/workbooks', tokens.ops, { method: 'POST', body: spec })).status).toBe(201);
    expect((await api(engine.url, '/v1/workbooks', tokens.ops, { method: 'POST', body: spec })).status).toBe(201);
    const saves = await changesOf('tiny');
    expect(saves.map((r) => [r.subject_kind, r.change, r.before?.version ?? null, r.after.version])).toEqual([
      ['workbook', 'save', null, 1],
      ['workbook', 'save', 1, 2],
    ]);

    const uncovered = await pool.query(
      `SELECT c.id FROM audit.config_changes c LEFT JOIN audit.ledger l ON l.kind = 'config' AND l.ref = c.id::text WHERE l.seq IS NULL`,
    );
    expect(uncovered.rows).toEqual([]);
  });
});
