import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';

/**
 * The embedded database is one PGlite session shared by every client of the
 * stack (engine, gateway, CLI). Concurrent clients using the extended protocol
 * and transactions must not see each other's statements, portals or
 * transactions.
 */
describe('embedded database under concurrent clients', () => {
  let db: EmbeddedTestDatabase;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
    await client.query('INSERT INTO counters SELECT g, 0 FROM generate_series(1, 8) g');
    await client.end();
  });

  afterAll(async () => db?.release());

  it('parameterised queries from many connections at once all get their own answers', async () => {
    const pool = new Pool({ connectionString: db.url, max: 12 });
    try {
      const results = await Promise.all(
        Array.from({ length: 400 }, (_, i) => pool.query<{ v: number; s: string }>('SELECT $1::int AS v, $2::text AS s', [i, `row-${i}`])),
      );
      results.forEach((r, i) => expect(r.rows).toEqual([{ v: i, s: `row-${i}` }]));
    } finally {
      await pool.end();
    }
  });

  it('interleaved transactions commit or roll back as a whole', async () => {
    const pool = new Pool({ connectionString: db.url, max: 8 });
    try {
      await Promise.all(
        Array.from({ length: 80 }, async (_, i) => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('UPDATE counters SET n = n + 1 WHERE id = $1', [(i % 8) + 1]);
            await client.query('SELECT pg_sleep(0.001)');
            await client.query(i % 4 === 0 ? 'ROLLBACK' : 'COMMIT');
          } finally {
            client.release();
          }
        }),
      );
      const { rows } = await pool.query<{ total: string }>('SELECT sum(n) AS total FROM counters');
      expect(Number(rows[0]!.total)).toBe(60);
    } finally {
      await pool.end();
    }
  });

  it('a client that disconnects inside a transaction leaves nothing open for the next one', async () => {
    const quitter = new Client({ connectionString: db.url });
    quitter.on('error', () => undefined); // we cut it on purpose
    await quitter.connect();
    await quitter.query('BEGIN');
    await quitter.query('UPDATE counters SET n = 1000 WHERE id = 1');
    (quitter as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const next = new Client({ connectionString: db.url });
    await next.connect();
    try {
      const { rows } = await next.query<{ n: number }>('SELECT n FROM counters WHERE id = 1');
      expect(rows[0]!.n).not.toBe(1000);
      await next.query('BEGIN');
      await next.query('COMMIT');
    } finally {
      await next.end();
    }
  });
});

/** Who may connect, and what one connection can leave behind for the next (issue 11 item 3). */
describe('embedded database: authentication, clean lends, engine-breaking statements', () => {
  let db: EmbeddedTestDatabase;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
  });
  afterAll(async () => db?.release());

  const withPassword = (password: string | null): string => {
    const url = new URL(db.url);
    url.password = password ?? '';
    return url.toString();
  };
  async function connectError(url: string): Promise<{ code?: string; message: string } | null> {
    const client = new Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return null;
    } catch (error) {
      return error as { code?: string; message: string };
    }
  }
  function psql(password: string | null, sql: string): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, PGPASSFILE: '/dev/null', PGCONNECT_TIMEOUT: '10' };
    delete env.PGPASSWORD;
    if (password !== null) env.PGPASSWORD = password;
    const result = spawnSync('psql', ['-X', '-w', '-At', '-h', '127.0.0.1', '-p', String(db.port), '-U', 'postgres', '-d', 'postgres', '-c', sql], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('the password file is private (0600) and the registration file too', () => {
    expect(statSync(join(db.home, 'embedded-password')).mode & 0o777).toBe(0o600);
    expect(statSync(join(db.home, 'embedded-reader-password')).mode & 0o777).toBe(0o600);
    expect(statSync(join(db.home, 'embedded.json')).mode & 0o777).toBe(0o600);
  });

  it('attack: connecting with a wrong password is refused with 28P01', async () => {
    const error = await connectError(withPassword('not-the-password-0123456789'));
    expect(error?.code).toBe('28P01');
  });

  it('attack: connecting with no password is refused', async () => {
    const error = await connectError(withPassword(null));
    expect(error).not.toBeNull();
  });

  it('attack: an unknown user name (any password) is refused with 28P01', async () => {
    const url = new URL(db.url);
    url.username = 'nobody';
    expect((await connectError(url.toString()))?.code).toBe('28P01');
  });

  it('attack: psql without the password is refused; with the README line it connects', () => {
    const without = psql(null, 'SELECT 1');
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/password/i);
    const wrong = psql('wrong-password-0123456789', 'SELECT 1');
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('password authentication failed');
    const right = psql(readFileSync(join(db.home, 'embedded-password'), 'utf8').trim(), 'SELECT 41 + 1');
    expect(right.stderr).toBe('');
    expect(right.stdout.trim()).toBe('42');
  });

  it('attack: a client that sends queries before authenticating gets nothing from the database', async () => {
    const answer = await new Promise<Buffer>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: db.port });
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.on('error', () => undefined);
      const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
      const startup = Buffer.alloc(8);
      startup.writeInt32BE(8 + params.length);
      startup.writeInt32BE(196608, 4);
      const query = Buffer.from("Q\0\0\0\x16SELECT 'leaked'\0");
      query.writeInt32BE(query.length - 1, 1);
      socket.write(Buffer.concat([startup, params, query]));
    });
    // AuthenticationSASL, then a FATAL 28P01 for the message that is not a SASL response; no row.
    expect(answer[0]).toBe(0x52);
    expect(answer.toString('latin1')).toContain('28P01');
    expect(answer.toString('latin1')).not.toContain('leaked');
  });

  it("attack: one client's SET, search_path and advisory lock are not seen by the next client", async () => {
    const first = new Client({ connectionString: db.url });
    await first.connect();
    const defaultPath = (await first.query<{ search_path: string }>('SHOW search_path')).rows[0]!.search_path;
    await first.query('SET default_transaction_read_only = on');
    await first.query("SET search_path = 'nowhere'");
    await first.query('SELECT pg_advisory_lock(1)');
    expect((await first.query('SHOW default_transaction_read_only')).rows[0]).toEqual({ default_transaction_read_only: 'on' });
    expect((await first.query('SHOW search_path')).rows[0]).toEqual({ search_path: 'nowhere' });
    const second = new Client({ connectionString: db.url });
    await second.connect();
    try {
      expect((await second.query('SHOW default_transaction_read_only')).rows[0]).toEqual({ default_transaction_read_only: 'off' });
      expect((await second.query('SHOW search_path')).rows[0]).toEqual({ search_path: defaultPath });
      expect((await second.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(1) AS ok')).rows[0]!.ok).toBe(true);
      await second.query('CREATE TABLE IF NOT EXISTS lend_probe (n int)'); // writable: not read-only
      await second.query('SELECT pg_advisory_unlock_all()');
    } finally {
      await second.end();
      await first.end();
    }
  });

  it('a named prepared statement lives as long as its connection: the next connection can reuse the name', async () => {
    const first = new Client({ connectionString: db.url });
    await first.connect();
    expect((await first.query({ name: 'probe', text: 'SELECT $1::int AS n', values: [1] })).rows).toEqual([{ n: 1 }]);
    expect((await first.query({ name: 'probe', text: 'SELECT $1::int AS n', values: [2] })).rows).toEqual([{ n: 2 }]);
    await first.end();
    const second = new Client({ connectionString: db.url });
    await second.connect();
    try {
      expect((await second.query({ name: 'probe', text: "SELECT 'other'::text AS s" })).rows).toEqual([{ s: 'other' }]);
    } finally {
      await second.end();
    }
  });

  it('a lend switch costs less than the query itself twice over (small queries, 2 clients alternating vs 1)', async () => {
    const a = new Client({ connectionString: db.url });
    const b = new Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    try {
      const rounds = 300;
      const time = async (clients: Client[]): Promise<number> => {
        const started = process.hrtime.bigint();
        for (let i = 0; i < rounds; i++) await clients[i % clients.length]!.query('SELECT $1::int AS n', [i]);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      await time([a, b]); // warm up
      const same = await time([a]);
      const switching = await time([a, b]);
      process.stdout.write(`embedded lend switch: ${rounds} small queries, one client ${same.toFixed(0)} ms, alternating ${switching.toFixed(0)} ms\n`);
      expect(switching).toBeLessThan(2 * same);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it.each([
    ["COPY (SELECT 1) TO PROGRAM 'id'", 'PROGRAM'],
    ["COPY lend_probe FROM PROGRAM 'id'", 'PROGRAM'],
    ["copy /* c */ (select 'a from b') to '/pglite/data/PG_VERSION'", 'server file'],
    ["COPY lend_probe FROM E'/pglite/data/global/pg_control'", 'server file'],
    ["ALTER SYSTEM SET shared_preload_libraries = 'nothing'", 'ALTER SYSTEM'],
    ["SELECT lo_export(0, '/pglite/data/PG_VERSION')", 'lo_export'],
  ])('attack: %s is refused with an error; the connection and the database stay usable', async (sql, reason) => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const mode of ['simple', 'extended'] as const) {
        const query = (mode === 'extended' ? { text: sql, values: [], queryMode: 'extended' } : sql) as string;
        await expect(client.query(query)).rejects.toMatchObject({ code: '42501', message: expect.stringContaining(reason) });
        expect((await client.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      }
    } finally {
      await client.end();
    }
  });

  it('attack: COPY … TO PROGRAM through dynamic SQL (DO/EXECUTE) ends in an error, not a frozen engine', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query("DO $$BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''id'''; END$$")).rejects.toThrow(/could not execute command/);
      expect((await client.query<{ n: number }>('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await client.end();
    }
    const other = new Client({ connectionString: db.url });
    await other.connect();
    expect((await other.query<{ n: number }>('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);
    await other.end();
  });

  it('COPY to STDOUT and from STDIN (what psql \\copy uses) still work', () => {
    const password = readFileSync(join(db.home, 'embedded-password'), 'utf8').trim();
    const out = psql(password, "COPY (SELECT 'x' AS a) TO STDOUT");
    expect(out.stdout.trim()).toBe('x');
  });
});

/** The datasource login for SQL checks (issue 11 items 1 and 3): confined to its role, fails closed. */
describe('embedded database: the auditstack_audit_reader login', () => {
  let db: EmbeddedTestDatabase;

  beforeAll(async () => {
    db = await startEmbeddedTestDatabase();
  });
  afterAll(async () => db?.release());

  async function reader(): Promise<Client> {
    const client = new Client({ connectionString: db.readerUrl });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  it('fault: without the role (migration not applied) the reader is refused, never served as superuser', async () => {
    const error = await reader().then(
      async (c) => {
        const r = await c.query('SELECT current_user AS u').catch((e: Error) => e);
        await c.end().catch(() => undefined);
        return r;
      },
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/cannot confine login "auditstack_audit_reader"/);
  });

  it('attack: a wrong reader password is refused', async () => {
    const url = new URL(db.readerUrl);
    url.password = 'wrong-password-0123456789';
    const client = new Client({ connectionString: url.toString() });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
  });

  describe('with the role in place', () => {
    beforeAll(async () => {
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      // As migration 1795342100000 creates it: a plain login role that may read one view.
      await admin.query('CREATE ROLE auditstack_audit_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT');
      await admin.query('CREATE SCHEMA audit');
      await admin.query("CREATE TABLE audit.api_tokens (hash text); INSERT INTO audit.api_tokens VALUES ('secret-hash')");
      await admin.query("CREATE VIEW audit.services AS SELECT 'svc'::text AS name");
      await admin.query('GRANT USAGE ON SCHEMA audit TO auditstack_audit_reader; GRANT SELECT ON audit.services TO auditstack_audit_reader');
      await admin.end();
    });

    it('runs as the reader: reads its view, not the tokens', async () => {
      const client = await reader();
      try {
        expect((await client.query('SELECT session_user AS s, current_user AS c')).rows[0]).toEqual({
          s: 'auditstack_audit_reader',
          c: 'auditstack_audit_reader',
        });
        expect((await client.query('SELECT name FROM audit.services')).rows).toEqual([{ name: 'svc' }]);
        await expect(client.query('SELECT hash FROM audit.api_tokens')).rejects.toMatchObject({ code: '42501' });
      } finally {
        await client.end();
      }
    });

    it("the engine's sandbox sequence works (BEGIN READ ONLY, set_config timeouts, extended query, ROLLBACK, DISCARD ALL) and leaves it the reader", async () => {
      const client = await reader();
      try {
        await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await client.query({ text: "SELECT set_config('statement_timeout', $1, true) IS NOT NULL AS ok", values: ['1000'] });
        expect((await client.query({ text: 'SELECT count(*)::int AS n FROM audit.services', values: [] })).rows).toEqual([{ n: 1 }]);
        await client.query('ROLLBACK');
        await client.query('DISCARD ALL');
        expect((await client.query('SELECT session_user AS s')).rows).toEqual([{ s: 'auditstack_audit_reader' }]);
        await expect(client.query('SELECT hash FROM audit.api_tokens')).rejects.toMatchObject({ code: '42501' });
      } finally {
        await client.end();
      }
    });

    it.each([
      'SET SESSION AUTHORIZATION postgres',
      'RESET SESSION AUTHORIZATION',
      "SELECT set_config('session_authorization', 'postgres', false)",
      "SELECT set_config('session_' || 'authorization', 'postgres', false)",
      "SELECT pg_catalog.set_config($1, 'postgres', false)",
      'SET ROLE postgres',
      'SELECT 1; SELECT 2',
      "SELECT U&\"set\\005fconfig\"('session_authorization', 'postgres', false)",
      "COPY (SELECT 1) TO PROGRAM 'id'",
      'CREATE TABLE audit.x (n int)',
      "DO $$BEGIN PERFORM set_config('session_authorization', 'postgres', false); END$$",
    ])('attack: the reader cannot escalate: %s', async (sql) => {
      const client = await reader();
      try {
        const values = sql.includes('$1') ? ['session_authorization'] : [];
        for (const query of [sql, { text: sql, values, queryMode: 'extended' }]) {
          if (typeof query === 'string' && values.length) continue;
          await expect(client.query(query as string)).rejects.toThrow();
          expect((await client.query('SELECT session_user AS s, current_user AS c')).rows[0]).toEqual({
            s: 'auditstack_audit_reader',
            c: 'auditstack_audit_reader',
          });
        }
      } finally {
        await client.end();
      }
      // The next (superuser) client finds a clean superuser session.
      const admin = new Client({ connectionString: db.url });
      await admin.connect();
      expect((await admin.query('SELECT session_user AS s, current_user AS c')).rows[0]).toEqual({ s: 'postgres', c: 'postgres' });
      await admin.end();
    });
  });
});
