import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { freePort } from '../support/ports';
import { TEST_REDIS_URL } from '../support/services';
import { sql, startEngine, uniqueQueuePrefix, waitFor, type RunningEngine } from './support/engine-harness';

const ROOT = join(__dirname, '..', '..');

/** A 6-field schedule (seconds first) that fires once, at `at` (whole second, UTC). */
function onceAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`;
}

/**
 * A worker killed with SIGKILL in the middle of a run: BullMQ's stalled-job
 * check gives the job to another engine, which runs it again; the firing
 * still has exactly one run row.
 */
describe('a worker killed mid-run', () => {
  let db: TestDatabase;
  let queue: ReturnType<typeof uniqueQueuePrefix>;
  let child: ChildProcess | null = null;
  let survivor: RunningEngine | null = null;
  let target: Server;
  let client: Client;
  const arrivals: number[] = [];
  let onFirstRequest: () => void = () => undefined;

  const env = (): Record<string, string> => ({
    REDIS_URL: TEST_REDIS_URL,
    ENGINE_QUEUE_PREFIX: queue.prefix,
    ENGINE_ALLOW_SECOND_SCHEDULES: 'true',
    ENGINE_JOB_LOCK_MS: '2000',
    ENGINE_STALLED_INTERVAL_MS: '1000',
  });

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    queue = uniqueQueuePrefix();
    client = await sql(db.url);
    // The slow target: the first request hangs (the worker dies while waiting), later ones answer at once.
    target = createServer((req, res) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) {
        onFirstRequest();
        return; // never answered
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await survivor?.close();
    target?.closeAllConnections();
    await new Promise((r) => target?.close(r));
    await client?.end();
    await queue?.cleanup();
    await db?.drop();
  });

  it('the job is retried on another engine and the firing has exactly one run', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['-r', join(ROOT, 'tools/bin/register.js'), join(ROOT, 'apps/engine/src/main.ts')], {
      env: { ...process.env, ...env(), DATABASE_URL: db.url, ENGINE_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitFor(
      'the child engine',
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${port}/ping`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      250,
    );

    const projectId = (await client.query<{ id: string }>("INSERT INTO audit.projects (name) VALUES ('crash') RETURNING id")).rows[0]!.id;
    const firing = new Date(Math.ceil((Date.now() + 2500) / 1000) * 1000);
    const firstRequest = new Promise<void>((r) => (onFirstRequest = r));
    const actionId = (
      await client.query<{ id: string }>(
        `INSERT INTO audit.actions (project_id, name, action_type, schedule, config, timeout_ms)
         VALUES ($1, 'slow', 'http', $2, $3, 60000) RETURNING id`,
        [projectId, onceAt(firing), JSON.stringify({ url: `http://127.0.0.1:${(target.address() as { port: number }).port}/slow`, timeout_ms: 60_000 })],
      )
    ).rows[0]!.id;

    await firstRequest;
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    // Nothing was written by the dead worker.
    expect((await client.query('SELECT 1 FROM audit.runs WHERE action_id = $1', [actionId])).rowCount).toBe(0);

    survivor = await startEngine(db.url, env());
    const runs = await waitFor(
      'the retried run',
      async () => {
        const { rows } = await client.query('SELECT * FROM audit.runs WHERE action_id = $1', [actionId]);
        return rows.length > 0 ? rows : undefined;
      },
      20_000,
      200,
    );
    // Give any duplicate a chance to appear before counting.
    await new Promise((r) => setTimeout(r, 2000));
    const all = (await client.query('SELECT * FROM audit.runs WHERE action_id = $1', [actionId])).rows;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: runs[0].id, status: 'pass', trigger: 'retry', job_id: `repeat:${actionId}:${firing.getTime()}` });
    expect(all[0].scheduled_at.getTime()).toBe(firing.getTime());
    expect(arrivals.length).toBe(2);
    const leaves = await client.query("SELECT 1 FROM audit.ledger WHERE kind = 'run' AND ref = $1", [all[0].id]);
    expect(leaves.rowCount).toBe(1);
  });
});
