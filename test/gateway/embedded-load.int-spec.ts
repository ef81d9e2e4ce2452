import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';
import type { TestDatabase } from '../support/db';
import { startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

/**
 * Issue 12 item 4: under a few thousand API calls the gateway on the embedded
 * database logged `Connection terminated unexpectedly` and answered 500. The
 * default `npm start` setup (backend `auto`, embedded PGlite) with checkpoints
 * every second must answer every call.
 *
 * CI runs 1,000 sequential and 4×250 concurrent calls; the release check runs
 * the figures:
 *   EMBEDDED_LOAD_SEQUENTIAL=20000 EMBEDDED_LOAD_CONCURRENT=2000 \
 *     npx jest --selectProjects integration --runInBand test/gateway/embedded-load.int-spec.ts
 */
const SEQUENTIAL = Number(process.env.EMBEDDED_LOAD_SEQUENTIAL ?? 1000);
const CONCURRENT = Number(process.env.EMBEDDED_LOAD_CONCURRENT ?? 250);
const WORKERS = 4;
/** What the gateway logged when the embedded database dropped it. */
const DROP_SIGNS = /Connection terminated|ECONNRESET|checkpoint failed|terminating connection/;

describe('gateway on the embedded database under sustained load (checkpoints every second)', () => {
  let embedded: EmbeddedTestDatabase;
  let gw: GatewayHarness;
  let writer: string;
  let reader: string;
  const logged: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    // The gateway logs through process.stdout/stderr: keep every line that says a connection was dropped.
    const tap =
      (write: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        const text = String(chunk);
        if (DROP_SIGNS.test(text)) logged.push(text.trim());
        return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = tap(writes.out) as typeof process.stdout.write;
    process.stderr.write = tap(writes.err) as typeof process.stderr.write;
    embedded = await startEmbeddedTestDatabase();
    const ds = createDataSource({ url: embedded.url, applicationName: 'migrate', migrations: [...MIGRATIONS], poolMax: 1 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    const db: TestDatabase = { name: 'embedded', url: embedded.url, drop: async () => undefined };
    gw = await startGateway({ AUDIT_BACKEND: 'auto', CHECKPOINT_EVERY_SECONDS: '1', CHECKPOINT_EVERY_LEAVES: '50' }, { db });
    writer = await gw.token('writer', ['events.write']);
    reader = await gw.token('reader', ['events.read']);
  }, 180_000);

  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await gw?.close();
    await embedded?.release();
  });

  /** One API call: a write or a read, alternating; returns the status (0: the request failed). */
  async function call(i: number): Promise<number> {
    try {
      const res =
        i % 2 === 0
          ? await gw.call('/v1/tool-events', writer, { body: [toolEvent({ event_id: randomUUID(), req_id: `load-${i}` })] })
          : await gw.call('/v1/whoami', reader);
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  async function checkpoints(): Promise<number> {
    const sql = new Client({ connectionString: embedded.url });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit.checkpoints');
      return Number(rows[0]!.n);
    } finally {
      await sql.end();
    }
  }

  it(`${SEQUENTIAL} sequential and ${WORKERS}×${CONCURRENT} concurrent calls: every one answered 200, checkpoints made, nothing dropped`, async () => {
    const before = await checkpoints();
    const started = Date.now();
    const failures: Record<string, number> = {};
    for (let i = 0; i < SEQUENTIAL; i++) {
      const status = await call(i);
      if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
    }
    const sequentialMs = Date.now() - started;
    const concurrentStart = Date.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        for (let i = 0; i < CONCURRENT; i++) {
          const status = await call(w * CONCURRENT + i);
          if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
        }
      }),
    );
    const concurrentMs = Date.now() - concurrentStart;
    const made = (await checkpoints()) - before;
    writes.out(
      `embedded load: ${SEQUENTIAL} sequential (${sequentialMs} ms), ${WORKERS}×${CONCURRENT} concurrent (${concurrentMs} ms), ` +
        `errors ${JSON.stringify(failures)}, checkpoints ${made}, dropped-connection log lines ${logged.length}\n`,
    );
    expect(failures).toEqual({});
    expect(logged).toEqual([]);
    expect(made).toBeGreaterThan(0);
  }, 3_600_000);
});
