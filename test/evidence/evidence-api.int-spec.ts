import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { NoteKeyring, openCheckpoint, verifyConsistency, verifyInclusion } from '@auditstack/evidence';
import { EvidenceService, type SqlPool, recordTokenChange } from '@auditstack/evidence-store';
import { bootstrapService } from '@auditstack/service-kit';
import type { TestDatabase } from '../support/db';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { GatewayModule } from '../../apps/gateway/src/gateway.module';
import { buildLedger, createEvidenceDatabase, poolFor, tempHome, writeMixedBatch, prng } from './evidence-fixture';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/** The gateway's evidence API over HTTP on a real database; proofs checked with libs/evidence. */
describe('gateway evidence API over HTTP', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof poolFor>;
  let gateway: NestFastifyApplication | undefined;
  let url: string;
  let home: string;
  let readerToken: string;
  let otherToken: string;
  let closeTokens: () => Promise<void>;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'warn';
    db = await createEvidenceDatabase();
    pool = poolFor(db.url, 2);
    home = tempHome();
    // Writers elsewhere (the engine, another replica) share the ledger, the key and the anchor file.
    await buildLedger(pool as unknown as SqlPool, new EvidenceService({ db: pool as unknown as SqlPool, home }), 2500, 7);
    const env = {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: '0',
      AUDITSTACK_HOME: home,
      CHECKPOINT_EVERY_SECONDS: '3600',
      SHED_EVENT_LOOP_DELAY_MS: '0',
    };
    gateway = await bootstrapService({
      module: GatewayModule.forRoot(loadGatewayConfig(env)),
      name: 'gateway',
      title: 'gateway',
      description: 'test',
      port: 0,
      host: '127.0.0.1',
    });
    url = await gateway.getUrl();
    const ds = await createDataSource({ url: db.url, applicationName: 'test', poolMax: 1 }).initialize();
    const repo = new ApiTokenRepository(ds, recordTokenChange);
    readerToken = (await repo.create({ name: 'auditor', entitlements: ['evidence.read'], actor: 'test' })).token;
    otherToken = (await repo.create({ name: 'reader', entitlements: ['events.read'], actor: 'test' })).token;
    closeTokens = () => ds.destroy();
  });

  afterAll(async () => {
    await gateway?.close();
    await closeTokens?.();
    await pool?.end();
    await db?.drop();
  });

  const get = async (path: string, token: string | null = readerToken): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('401 without a token, 403 without evidence.read', async () => {
    for (const path of [
      '/v1/evidence/checkpoints',
      '/v1/evidence/checkpoints/latest',
      '/v1/evidence/proofs/inclusion/1',
      '/v1/evidence/proofs/consistency?from=1&to=2',
      '/v1/evidence/entries/1',
    ]) {
      expect((await get(path, null)).status).toBe(401);
      const forbidden = await get(path, otherToken);
      expect(forbidden.status).toBe(403);
      expect(String(forbidden.body['detail'])).toContain('evidence.read');
    }
  });

  it('lists signed checkpoints newest first, with keyset pages, verifiable with the published key', async () => {
    const first = await get('/v1/evidence/checkpoints?limit=2');
    expect(first.status).toBe(200);
    const items = first.body['items'] as { tree_size: number; note: string; key_id: string; root_hash: string; timestamp_kind: string }[];
    expect(items).toHaveLength(2);
    expect(items[0]!.tree_size).toBeGreaterThanOrEqual(items[1]!.tree_size);
    expect(items[0]!.timestamp_kind).toBe('local');
    expect(items[0]!.key_id).toMatch(/^auditstack\.local\/ledger\+[0-9a-f]{8}$/);
    const keyring = NoteKeyring.fromVerifierKeys([first.body['verifier_key'] as string]);
    for (const c of items) expect(openCheckpoint(c.note, keyring, 'auditstack.local/ledger').body.rootHash.equals(hex(c.root_hash))).toBe(true);
    const next = await get(`/v1/evidence/checkpoints?limit=2&cursor=${first.body['next_cursor'] as string}`);
    expect((next.body['items'] as { tree_size: number }[])[0]!.tree_size).toBeLessThanOrEqual(items[1]!.tree_size);
    const latest = await get('/v1/evidence/checkpoints/latest');
    expect(latest.body['tree_size']).toBe(items[0]!.tree_size);
  });

  it('serves inclusion and consistency proofs that verify against the signed roots', async () => {
    const latest = (await get('/v1/evidence/checkpoints/latest')).body as { tree_size: number; root_hash: string };
    const inc = (await get('/v1/evidence/proofs/inclusion/1234')).body as {
      tree_size: number;
      leaf_hash: string;
      proof: string[];
      checkpoint: { root_hash: string };
    };
    expect(inc.tree_size).toBe(latest.tree_size);
    expect(verifyInclusion(1234, inc.tree_size, hex(inc.leaf_hash), inc.proof.map(hex), hex(latest.root_hash))).toBe(true);
    expect(verifyInclusion(1235, inc.tree_size, hex(inc.leaf_hash), inc.proof.map(hex), hex(latest.root_hash))).toBe(false);

    const all = (await get('/v1/evidence/checkpoints?limit=100')).body['items'] as { tree_size: number; root_hash: string }[];
    const old = all[all.length - 1]!;
    const atOld = (await get(`/v1/evidence/proofs/inclusion/0?tree_size=${old.tree_size}`)).body as { tree_size: number; leaf_hash: string; proof: string[] };
    expect(verifyInclusion(0, old.tree_size, hex(atOld.leaf_hash), atOld.proof.map(hex), hex(old.root_hash))).toBe(true);
    const con = (await get(`/v1/evidence/proofs/consistency?from=${old.tree_size}&to=${latest.tree_size}`)).body as { proof: string[]; old_root: string };
    expect(con.old_root).toBe(old.root_hash);
    expect(verifyConsistency(old.tree_size, latest.tree_size, con.proof.map(hex), hex(old.root_hash), hex(latest.root_hash))).toBe(true);
  });

  it('returns a ledger entry with the checkpoint covering it (for "verify inclusion")', async () => {
    const { status, body } = await get('/v1/evidence/entries/42');
    expect(status).toBe(200);
    const entry = body['entry'] as { seq: number; leaf_hash: string };
    const cp = body['checkpoint'] as { tree_size: number };
    expect(entry.seq).toBe(42);
    expect(entry.leaf_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(cp.tree_size).toBeGreaterThan(42);
  });

  it('400 naming the field for bad input; 404 for an unknown seq or tree size', async () => {
    const bad = await get('/v1/evidence/entries/abc');
    expect(bad.status).toBe(400);
    expect(String(bad.body['detail'])).toMatch(/^seq/);
    const badSize = await get('/v1/evidence/proofs/inclusion/3?tree_size=-1');
    expect(badSize.status).toBe(400);
    expect(String(badSize.body['detail'])).toMatch(/^tree_size/);
    const reversed = await get('/v1/evidence/proofs/consistency?from=9&to=3');
    expect(reversed.status).toBe(400);
    expect(String(reversed.body['detail'])).toMatch(/^from/);
    const missing = await get('/v1/evidence/proofs/consistency?to=3');
    expect(missing.status).toBe(400);
    expect(String(missing.body['detail'])).toMatch(/^from/);
    expect((await get('/v1/evidence/entries/99999999')).status).toBe(404);
    expect((await get('/v1/evidence/proofs/inclusion/99999999')).status).toBe(404);
    expect((await get('/v1/evidence/proofs/inclusion/3?tree_size=7')).status).toBe(404);
    expect((await get('/v1/evidence/checkpoints?limit=0')).status).toBe(400);
    const notCovered = await get('/v1/evidence/entries/99999999');
    expect(notCovered.body).toMatchObject({ status: 404, code: 'EVIDENCE_NOT_FOUND', evidence_code: 'NOT_FOUND' });
  });

  it('makes a checkpoint at orderly shutdown covering what was appended since the last one', async () => {
    // The ledger's size, not the latest checkpoint's: creating this spec's tokens appended ledgered config changes since.
    const before = Number((await pool.query<{ size: string }>('SELECT size FROM audit.ledger_head')).rows[0]!.size);
    await writeMixedBatch(pool as unknown as SqlPool, prng(11), 17, Date.now());
    await gateway!.close();
    gateway = undefined;
    const { rows } = await pool.query<{ tree_size: string }>('SELECT tree_size FROM audit.checkpoints ORDER BY id DESC LIMIT 1');
    expect(Number(rows[0]!.tree_size)).toBe(before + 17);
    const report = await new EvidenceService({ db: pool as unknown as SqlPool, home }).verifyOnline();
    expect(report.problems).toEqual([]);
  });
});
