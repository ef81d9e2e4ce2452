import type { Client } from 'pg';
import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';
import { sql, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

/**
 * Embedded mode as `npm start` runs it: PGlite and the in-process queue.
 * PGlite may not deliver NOTIFY across connections, so plain SQL edits must
 * reach the schedule through the embedded re-sync.
 */
describe('embedded mode (PGlite, in-process queue)', () => {
  let db: EmbeddedTestDatabase;
  let engine: RunningEngine;
  let client: Client;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
    const dataSource = createDataSource({ url: db.url, applicationName: 'test-migrate', migrations: [...MIGRATIONS], poolMax: 1 });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
    engine = await startEngine(db.url, { ENGINE_ALLOW_SECOND_SCHEDULES: 'true', ENGINE_EMBEDDED_RESYNC_SECONDS: '1', DATABASE_POOL_MAX: '3' });
    client = await sql(db.url);
  });

  afterAll(async () => {
    await engine?.close();
    await client?.end();
    await db?.release();
  });

  it('runs an action inserted in SQL every second, one run per firing, and a SQL pause stops it within 2 s', async () => {
    const projectId = (await client.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('embedded') RETURNING id")).rows[0]!.id;
    const actionId = (
      await client.query<{ id: string }>(
        `INSERT INTO audit.actions (project_id, name, action_type, schedule, config) VALUES ($1, 'tick', 'tcp_port', '* * * * * *', $2) RETURNING id`,
        [projectId, JSON.stringify({ host: '127.0.0.1', port: Number(new URL(engine.url).port) })],
      )
    ).rows[0]!.id;
    const runsOf = async (): Promise<{ scheduled_at: Date; status: string; ledger_seq: string | null }[]> =>
      (await client.query('SELECT scheduled_at, status, ledger_seq FROM audit.runs WHERE action_id = $1 ORDER BY scheduled_at', [actionId])).rows;

    await waitFor('three runs', async () => ((await runsOf()).length >= 3 ? true : undefined), 10_000, 200);
    const runs = await runsOf();
    expect(new Set(runs.map((r) => r.scheduled_at.getTime())).size).toBe(runs.length);
    expect(runs.every((r) => r.status === 'pass' && r.ledger_seq !== null)).toBe(true);

    await client.query("UPDATE audit.actions SET status = 'paused' WHERE id = $1", [actionId]);
    const pausedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3500));
    expect((await runsOf()).filter((r) => r.scheduled_at.getTime() > pausedAt + 2000)).toEqual([]);
  });
});
