import { createDataSource } from '@auditstack/audit-core/server';
import { MIGRATIONS } from '@auditstack/migrations';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';
import type { TestDatabase } from '../support/db';
import { lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const id = (suffix: string): string => `00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;

/**
 * The timeline on the embedded PGlite database (the `npm start` default): its per-domain
 * statements (to_char keys, row comparisons, a UNION ALL of per-status run scans) run there too,
 * in parallel, and page the same merged order as on PostgreSQL.
 */
describe('GET /v1/timeline on the embedded database', () => {
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

  it('merges lifecycle and tool events newest first and pages them by 2', async () => {
    const admin = await gw.token('admin', ['admin']);
    const at = (mm: string): string => `2026-11-20T10:${mm}:00Z`;
    const lifecycle = await gw.call('/v1/lifecycle-events', admin, {
      body: [lifecycleEvent({ event_id: id('a1'), ts: at('00') }), lifecycleEvent({ event_id: id('a2'), ts: at('02') })],
    });
    expect(((await lifecycle.json()) as Json)['accepted']).toBe(2);
    const tools = await gw.call('/v1/tool-events', admin, {
      body: [toolEvent({ event_id: id('b1'), ts: at('01') }), toolEvent({ event_id: id('b2'), ts: at('02'), req_id: 'req-2' })],
    });
    expect(((await tools.json()) as Json)['accepted']).toBe(2);
    const reader = await gw.token('reader', ['events.read']);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res = await gw.call(`/v1/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`, reader);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      pages.push((body['items'] as Json[]).map((i) => `${i['domain'] as string}:${(i['id'] as string).slice(-2)}`));
      cursor = body['next_cursor'] as string | null;
    } while (cursor && pages.length < 5);
    // 10:02 is a tie: tool sorts after lifecycle in the key, so it comes first (descending).
    expect(pages).toEqual([
      ['tool:b2', 'lifecycle:a2'],
      ['tool:b1', 'lifecycle:a1'],
    ]);
  });
});
