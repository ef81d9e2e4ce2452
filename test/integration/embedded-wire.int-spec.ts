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
