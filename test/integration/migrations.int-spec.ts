import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { MIGRATIONS } from '@auditstack/migrations';
import { createTestDatabase } from '../support/db';
import { startEmbeddedTestDatabase } from '../support/embedded-db';

const run = promisify(execFile);
const MIGRATION_NAMES = MIGRATIONS.map((M) => new M().name);
const CLI = join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js');

interface Backend {
  url: string;
  release(): Promise<void>;
}

/** The same suite runs on the machine's PostgreSQL and on the embedded PGlite. */
const backends: Array<[string, () => Promise<Backend>]> = [
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase({ migrated: false });
      return { url: db.url, release: db.drop };
    },
  ],
  ['embedded PGlite', startEmbeddedTestDatabase],
];

function cli(url: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: url }, timeout: 60_000 });
}

describe.each(backends)('migrations on %s', (_name, open) => {
  let backend: Backend;
  let client: Client;

  beforeAll(async () => {
    backend = await open();
    client = new Client({ connectionString: backend.url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await backend.release();
  });

  async function schemaObjects(): Promise<number> {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'audit'`,
    );
    return Number(rows[0]!.n);
  }

  it('--dry-run on an empty database prints the SQL and changes nothing', async () => {
    const { stdout, stderr } = await cli(backend.url, 'migrate', '--dry-run');
    expect(stderr).toContain(`${MIGRATION_NAMES.length} pending migration(s); dry run, nothing applied`);
    expect(stdout).toContain('CREATE TABLE audit.ledger (');
    for (const name of MIGRATION_NAMES) expect(stdout).toContain(`-- migration ${name}`);
    expect(await schemaObjects()).toBe(0);
    const { rows } = await client.query(`SELECT to_regclass('public.auditstack_migrations') AS t`);
    expect(rows[0].t).toBeNull();
  });

  it('applies every migration from empty, and the second run applies nothing', async () => {
    const first = await cli(backend.url, 'migrate');
    expect(first.stdout).toContain(`applied ${MIGRATION_NAMES.length} migration(s): ${MIGRATION_NAMES.join(', ')}`);
    const objects = await schemaObjects();
    expect(objects).toBeGreaterThan(20);
    const second = await cli(backend.url, 'migrate');
    expect(second.stdout.trim()).toBe('no pending migrations');
    expect(await schemaObjects()).toBe(objects);
    const dry = await cli(backend.url, 'migrate', '--dry-run');
    expect(dry.stderr).toContain('no pending migrations; nothing would run');
  });

  it('entities and the migrated schema agree (the generated migration is empty)', async () => {
    const { stdout } = await cli(backend.url, 'migrate', '--check-drift');
    expect(stdout).toContain('no drift');
  });

  it('the ledger is append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await client.query(
      `INSERT INTO audit.ledger (seq, kind, ref, ts, payload_hash, leaf_hash, chain_hash)
       VALUES (0, 'config', 'x', now(), '\\x00', '\\x00', '\\x00')`,
    );
    await expect(client.query(`UPDATE audit.ledger SET ref = 'y' WHERE seq = 0`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(client.query(`DELETE FROM audit.ledger WHERE seq = 0`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(client.query(`TRUNCATE audit.ledger`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const { rows } = await client.query(`SELECT ref FROM audit.ledger WHERE seq = 0`);
    expect(rows).toEqual([{ ref: 'x' }]);
  });

  it('an event dated two years ahead lands in the default partition', async () => {
    const ts = new Date(Date.now() + 2 * 365 * 86_400_000).toISOString();
    await client.query(`INSERT INTO audit.lifecycle_events (event_id, ts, action, actor) VALUES (gen_random_uuid(), $1, 'start', 'system')`, [ts]);
    const { rows } = await client.query(`SELECT tableoid::regclass::text AS part FROM audit.lifecycle_events WHERE ts = $1`, [ts]);
    expect(rows).toEqual([{ part: 'audit.lifecycle_events_default' }]);
  });

  it('creating a month ahead moves its rows out of the default partition', async () => {
    const now = new Date();
    const monthAfterNext = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 15));
    await client.query(
      `INSERT INTO audit.tool_events (event_id, ts, tool, action, status, duration_ms, in_size, out_size)
       VALUES (gen_random_uuid(), $1, 'search', 'call', 'ok', 5, 10, 20)`,
      [monthAfterNext],
    );
    const created = await client.query(`SELECT audit.ensure_partitions(2) AS n`);
    // One new month for each partitioned table: runs, lifecycle, tool, observability and cluster audit events.
    expect(created.rows[0].n).toBe(5);
    const { rows } = await client.query(`SELECT tableoid::regclass::text AS part FROM audit.tool_events WHERE ts = $1`, [monthAfterNext]);
    const suffix = `${monthAfterNext.getUTCFullYear()}_${String(monthAfterNext.getUTCMonth() + 1).padStart(2, '0')}`;
    expect(rows).toEqual([{ part: `audit.tool_events_p${suffix}` }]);
    expect((await client.query(`SELECT audit.ensure_partitions(2) AS n`)).rows[0].n).toBe(0);
  });

  it('the ingest role inserts events and moves the ledger head, but cannot UPDATE or DELETE events', async () => {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE auditstack_ingest');
      await client.query(
        `INSERT INTO audit.lifecycle_events (event_id, ts, action, actor) VALUES ('00000000-0000-4000-8000-000000000001', now(), 'stop', 'system')`,
      );
      await client.query(`UPDATE audit.ledger_head SET updated_at = now() WHERE id = 1`);
      await client.query('SAVEPOINT s');
      await expect(client.query(`UPDATE audit.lifecycle_events SET actor = 'admin'`)).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query(`DELETE FROM audit.tool_events`)).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK TO SAVEPOINT s');
      await expect(client.query(`UPDATE audit.api_tokens SET revoked_at = now()`)).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('ROLLBACK');
    }
  });
});

describe('actions NOTIFY trigger on PostgreSQL', () => {
  it('announces every change of audit.actions on the auditstack_actions channel', async () => {
    const db = await createTestDatabase({ migrated: true });
    const listener = new Client({ connectionString: db.url });
    const writer = new Client({ connectionString: db.url });
    await Promise.all([listener.connect(), writer.connect()]);
    try {
      const received: Array<{ op: string; id: string }> = [];
      listener.on('notification', (n) => received.push(JSON.parse(n.payload ?? '{}')));
      await listener.query('LISTEN auditstack_actions');
      const project = await writer.query(`INSERT INTO audit.projects (name) VALUES ('demo') RETURNING id`);
      const action = await writer.query(
        `INSERT INTO audit.actions (project_id, name, action_type, schedule) VALUES ($1, 'ping', 'http', '* * * * *') RETURNING id`,
        [project.rows[0].id],
      );
      await writer.query(`UPDATE audit.actions SET status = 'paused' WHERE id = $1`, [action.rows[0].id]);
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toEqual([
        { op: 'INSERT', id: action.rows[0].id },
        { op: 'UPDATE', id: action.rows[0].id },
      ]);
    } finally {
      await Promise.all([listener.end(), writer.end()]);
      await db.drop();
    }
  });
});
