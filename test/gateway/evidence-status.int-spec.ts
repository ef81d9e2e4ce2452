import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { EvidenceService } from '@auditstack/evidence-store';
import type { EvidenceStatus } from '../../apps/gateway/src/evidence/evidence-status.service';
import { startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

/** `GET /v1/evidence/status`: what the dashboard's evidence page and an operator read at a glance. */
describe('gateway evidence status', () => {
  let gw: GatewayHarness;
  let pool: Pool;
  let reader: string;

  beforeAll(async () => {
    gw = await startGateway({ CHECKPOINT_EVERY_LEAVES: '500', CHECKPOINT_EVERY_SECONDS: '600', CHECKPOINT_HEARTBEAT_SECONDS: '7200' });
    pool = new Pool({ connectionString: gw.db.url, max: 2 });
    reader = await gw.token('auditor', ['evidence.read']);
  });
  afterAll(async () => {
    await pool?.end();
    await gw?.close();
  });

  const status = async (): Promise<EvidenceStatus> => {
    const res = await gw.call('/v1/evidence/status', reader);
    expect(res.status).toBe(200);
    return (await res.json()) as EvidenceStatus;
  };

  it('needs evidence.read', async () => {
    expect((await gw.call('/v1/evidence/status')).status).toBe(401);
    const writer = await gw.token('writer', ['events.write']);
    expect((await gw.call('/v1/evidence/status', writer)).status).toBe(403);
  });

  it('reports the ledger size, the uncovered tail, the configured cadence and whether the anchor matches the newest checkpoint', async () => {
    const writer = await gw.token('writer2', ['events.write']);
    expect(
      (await gw.call('/v1/tool-events', writer, { body: [toolEvent({ req_id: 'a' }), toolEvent({ req_id: 'b' }), toolEvent({ req_id: 'c' })] })).status,
    ).toBe(200);
    const before = await status();
    // 3 events plus the ledgered token creations (config changes).
    const size = Number((await pool.query<{ size: string }>('SELECT size FROM audit.ledger_head')).rows[0]!.size);
    expect(size).toBeGreaterThanOrEqual(3);
    expect(before.ledger_size).toBe(size);
    expect(before.cadence).toEqual({ every_leaves: 500, every_seconds: 600, heartbeat_seconds: 7200 });
    expect(before.uncovered_leaves).toBe(size - (before.latest_checkpoint?.tree_size ?? 0));
    expect(before.verifier_key).toMatch(/^auditstack\.local\/ledger\+[0-9a-f]{8}\+/);

    const evidence = new EvidenceService({ db: pool, home: gw.home });
    const made = await evidence.checkpointNow();
    const after = await status();
    expect(after.latest_checkpoint).toMatchObject({ tree_size: size, checkpoint_hash: made.checkpointHash, timestamp_kind: made.timestampKind });
    expect(after.uncovered_leaves).toBe(0);
    expect(after.anchor).toMatchObject({
      present: true,
      matches_latest_checkpoint: true,
      problem: null,
      last: { tree_size: size, checkpoint_hash: made.checkpointHash },
    });
    expect(JSON.stringify(after)).not.toContain(gw.home); // no server paths

    // An anchor line that is not a record is reported, not trusted.
    appendFileSync(join(gw.home, 'anchors', 'anchors.jsonl'), '{"treeSize": "three"}\n');
    const damaged = await status();
    expect(damaged.anchor).toMatchObject({ present: true, matches_latest_checkpoint: false, last: null });
    expect(damaged.anchor.problem).toMatch(/anchor line/);
  });
});
