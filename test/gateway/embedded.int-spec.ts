import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';
import type { TestDatabase } from '../support/db';
import { assertLedgerCovers, lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

/** The default `npm start` setup: the gateway (backend `auto`) on the embedded PGlite database. */
describe('gateway ingest on the embedded database', () => {
  let embedded: EmbeddedTestDatabase;
  let gw: GatewayHarness;

  beforeAll(async () => {
    embedded = await startEmbeddedTestDatabase();
    const ds = createDataSource({ url: embedded.url, applicationName: 'migrate', migrations: [...MIGRATIONS], poolMax: 1 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
    const db: TestDatabase = { name: 'embedded', url: embedded.url, drop: async () => undefined };
    gw = await startGateway({ AUDIT_BACKEND: 'auto' }, { db });
  });
  afterAll(async () => {
    await gw?.close();
    await embedded?.release();
  });

  it('batches and single events are stored once each, ledger-covered', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    // One client at a time: PGlite runs one statement at a time, and its socket server does not keep
    // another connection's extended-protocol messages out of an open transaction (see the report).
    const responses: Response[] = [];
    for (const [i, id] of ids.entries()) {
      responses.push(
        await gw.call(i % 2 ? '/v1/tool-events' : '/v1/lifecycle-events', writer, {
          body: i % 2 ? [toolEvent({ event_id: id })] : lifecycleEvent({ event_id: id }),
        }),
      );
    }
    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
    const retry = await gw.call('/v1/tool-events', writer, { body: [toolEvent({ event_id: ids[1] })] });
    expect(((await retry.json()) as { duplicate: number }).duplicate).toBe(1);
    const sql = new Client({ connectionString: embedded.url });
    await sql.connect();
    try {
      expect(await assertLedgerCovers(sql)).toBe(40);
    } finally {
      await sql.end();
    }
  });
});
