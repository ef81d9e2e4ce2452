import { Client } from 'pg';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import {
  LedgerWriter,
  SUBTREE_CACHE_MIN_LEVEL,
  type SubtreeSource,
  consistencyProof,
  consistencyProofRanges,
  hashLeafRangesFrom,
  inclusionProof,
  inclusionProofRanges,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '@auditstack/evidence';
import { EvidenceService, insertLedgeredRows, ledgerSubtreeSource, recordRetention, type SqlPool } from '@auditstack/evidence-store';
import { MIGRATIONS } from '@auditstack/migrations';
import type { TestDatabase } from '../support/db';
import { createEvidenceDatabase, lifecycleRow, poolFor, prng, tempHome, toolRow, writeMixedBatch } from './evidence-fixture';

/** The PostgreSQL side of the ledger on a real database: concurrent writers, retention, proofs. */
describe('evidence store on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof poolFor>;
  let service: EvidenceService;

  beforeAll(async () => {
    db = await createEvidenceDatabase();
    pool = poolFor(db.url, 4);
    service = new EvidenceService({ db: pool as unknown as SqlPool, home: tempHome(), policy: { everyLeaves: 1000 } });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('4 writers on 4 connections appending in parallel produce one gapless chain that verifies', async () => {
    const writers = await Promise.all(
      [1, 2, 3, 4].map(async (w) => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        return { w, client, rand: prng(w) };
      }),
    );
    const txPerWriter = 40;
    const rowsPerTx = 25;
    try {
      await Promise.all(
        writers.map(async ({ w, client, rand }) => {
          const asPool = { query: client.query.bind(client), connect: async () => Object.assign(client, { release: () => undefined }) } as unknown as SqlPool;
          for (let t = 0; t < txPerWriter; t++) {
            await client.query('BEGIN');
            try {
              const rows = Array.from({ length: rowsPerTx }, () => ({ ...(w % 2 ? lifecycleRow(rand, new Date()) : toolRow(rand, new Date())) }));
              await insertLedgeredRows(client, w % 2 ? LEDGER_KINDS.lifecycle : LEDGER_KINDS.tool, rows);
              await client.query('COMMIT');
            } catch (error) {
              await client.query('ROLLBACK');
              throw error;
            }
            if (t % 10 === 9) await new EvidenceService({ db: asPool, home: service.home }).maybeCheckpoint('tick');
          }
        }),
      );
    } finally {
      await Promise.all(writers.map(({ client }) => client.end()));
    }
    await service.checkpointNow();
    const total = 4 * txPerWriter * rowsPerTx;
    const { rows } = await pool.query<{ n: string; lo: string; hi: string; distinct_seq: string }>(
      'SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT seq) AS distinct_seq FROM audit.ledger',
    );
    expect(rows[0]).toEqual({ n: String(total), lo: '0', hi: String(total - 1), distinct_seq: String(total) });
    expect((await LedgerWriter.readHead(pool)).size).toBe(total);
    // Every row carries the seq of its own leaf.
    const mismatched = await pool.query(
      `SELECT count(*)::int AS n FROM (SELECT event_id::text AS ref, ledger_seq FROM audit.lifecycle_events UNION ALL SELECT event_id::text, ledger_seq FROM audit.tool_events) r
       LEFT JOIN audit.ledger l ON l.ref = r.ref AND l.seq = r.ledger_seq WHERE l.seq IS NULL`,
    );
    expect(mismatched.rows[0].n).toBe(0);
    const report = await service.verifyOnline();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts).toMatchObject({ entries: total, payloadsChecked: total, rows: total });
  });

  it('serves inclusion and consistency proofs that verify against the signed checkpoints', async () => {
    const latest = (await service.latestCheckpoint())!;
    const proof = await service.inclusionProof(1234);
    expect(proof.checkpoint.tree_size).toBe(latest.tree_size);
    expect(
      verifyInclusion(
        1234,
        proof.tree_size,
        Buffer.from(proof.leaf_hash, 'hex'),
        proof.proof.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(latest.root_hash, 'hex'),
      ),
    ).toBe(true);
    const { items } = await service.listCheckpoints({ limit: 100 });
    const older = items[items.length - 1]!;
    const c = await service.consistencyProof(older.tree_size, latest.tree_size);
    expect(c.old_checkpoint?.tree_size).toBe(older.tree_size);
    expect(
      verifyConsistency(
        older.tree_size,
        latest.tree_size,
        c.proof.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(older.root_hash, 'hex'),
        Buffer.from(latest.root_hash, 'hex'),
      ),
    ).toBe(true);
    await expect(service.inclusionProof(10_000_000)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.consistencyProof(5, 3)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes the subtree cache with the leaves; proofs read O(log n) cached hashes and < 512 leaves, equal to a full recomputation', async () => {
    const head = await LedgerWriter.readHead(pool);
    const leaves = (await pool.query<{ leaf_hash: Buffer }>('SELECT leaf_hash FROM audit.ledger ORDER BY seq')).rows.map((r) => r.leaf_hash);
    const levels = await pool.query<{ level: number; n: number }>('SELECT level, count(*)::int AS n FROM audit.ledger_subtrees GROUP BY level ORDER BY level');
    expect(levels.rows[0]).toEqual({ level: SUBTREE_CACHE_MIN_LEVEL, n: Math.floor(head.size / 2 ** SUBTREE_CACHE_MIN_LEVEL) });
    const sample = await pool.query<{ level: number; idx: string; hash: Buffer }>(
      'SELECT level, idx, hash FROM audit.ledger_subtrees ORDER BY level DESC, idx DESC LIMIT 3',
    );
    for (const t of sample.rows) {
      const span = 2 ** t.level;
      expect(t.hash.equals(rootOf(leaves.slice(Number(t.idx) * span, (Number(t.idx) + 1) * span)))).toBe(true);
    }
    const src = ledgerSubtreeSource(pool);
    let leafReads = 0;
    let cached = 0;
    const counting: SubtreeSource = {
      subtrees: async (keys) => {
        const got = await src.subtrees(keys);
        cached += got.size;
        return got;
      },
      leafHashes: async (ranges) => {
        const got = await src.leafHashes(ranges);
        leafReads += got.reduce((a, l) => a + l.length, 0);
        return got;
      },
    };
    const hex = (hs: Buffer[]): string[] => hs.map((h) => h.toString('hex'));
    for (const [index, size] of [
      [1234, head.size],
      [0, head.size],
      [head.size - 1, head.size],
      [777, 3001],
    ] as const) {
      leafReads = 0;
      cached = 0;
      const proof = await hashLeafRangesFrom(inclusionProofRanges(index, size), counting, SUBTREE_CACHE_MIN_LEVEL);
      expect(hex(proof)).toEqual(hex(inclusionProof(leaves, index, size)));
      expect(leafReads).toBeLessThan(2 * 2 ** SUBTREE_CACHE_MIN_LEVEL);
      expect(cached).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    }
    // Without the cache (a ledger written before it existed) the same proofs come from the leaves.
    const cold = await hashLeafRangesFrom(consistencyProofRanges(1000, head.size), ledgerSubtreeSource(pool, { cache: false }), SUBTREE_CACHE_MIN_LEVEL);
    expect(hex(cold)).toEqual(hex(consistencyProof(leaves, 1000, head.size)));
  });

  it('the migration backfills exactly the subtrees the writer stores (for ledgers written before the cache)', async () => {
    const written = await pool.query<{ level: number; idx: string; hash: Buffer }>('SELECT level, idx, hash FROM audit.ledger_subtrees ORDER BY level, idx');
    const migration = MIGRATIONS.map((M) => new M()).find((m) => m.name === 'LedgerMsTimeAndSubtrees1795341700000')!;
    const backfill = migration.upSql.find((q) => q.startsWith('DO'))!;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM audit.ledger_subtrees');
      await client.query(backfill);
      const rebuilt = await client.query<{ level: number; idx: string; hash: Buffer }>(
        'SELECT level, idx, hash FROM audit.ledger_subtrees ORDER BY level, idx',
      );
      expect(rebuilt.rows.length).toBeGreaterThan(0);
      expect(rebuilt.rows).toEqual(written.rows);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('serves a valid proof even when a cached subtree was edited (rebuilt from the leaves)', async () => {
    const { rows } = await pool.query<{ hash: Buffer }>(`SELECT hash FROM audit.ledger_subtrees WHERE level = $1 AND idx = 0`, [SUBTREE_CACHE_MIN_LEVEL + 1]);
    await pool.query(`UPDATE audit.ledger_subtrees SET hash = $2 WHERE level = $1 AND idx = 0`, [SUBTREE_CACHE_MIN_LEVEL + 1, Buffer.alloc(32, 7)]);
    try {
      const latest = (await service.latestCheckpoint())!;
      const proof = await service.inclusionProof(3000);
      expect(
        verifyInclusion(
          3000,
          proof.tree_size,
          Buffer.from(proof.leaf_hash, 'hex'),
          proof.proof.map((h) => Buffer.from(h, 'hex')),
          Buffer.from(latest.root_hash, 'hex'),
        ),
      ).toBe(true);
    } finally {
      await pool.query(`UPDATE audit.ledger_subtrees SET hash = $2 WHERE level = $1 AND idx = 0`, [SUBTREE_CACHE_MIN_LEVEL + 1, rows[0]!.hash]);
    }
  });

  it('stores ts exactly as the leaf hashes it (milliseconds); a sub-millisecond edit no longer goes unnoticed', async () => {
    const type = await pool.query<{ t: string }>(
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'audit.ledger'::regclass AND attname = 'ts'`,
    );
    expect(type.rows[0]!.t).toBe('timestamp(3) with time zone');
    // A verify after the round trip through PostgreSQL recomputes the same leaf bytes from the stored value.
    const entry = (await service.entry(42)).entry;
    const exact = await pool.query<{ us: string }>(`SELECT (extract(epoch FROM ts) * 1000000)::int8::text AS us FROM audit.ledger WHERE seq = 42`);
    expect(BigInt(exact.rows[0]!.us)).toBe(BigInt(new Date(entry.ts).getTime()) * 1000n);
    const client = await pool.connect();
    try {
      // Exact at the far end of the range too (the float8 interval arithmetic is rounded back by the column).
      await client.query('BEGIN');
      const far = new Date('9999-12-31T23:59:59.999Z');
      const [written] = (await new LedgerWriter().append(client, [{ kind: 'note', ref: 'far-future', ts: far, payload: { x: 1 } }])).entries;
      const back = await client.query<{ us: string }>(`SELECT (extract(epoch FROM ts) * 1000000)::int8::text AS us FROM audit.ledger WHERE seq = $1`, [
        written!.seq,
      ]);
      expect(BigInt(back.rows[0]!.us)).toBe(BigInt(far.getTime()) * 1000n);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      // A superuser widens the column again and moves one time by 0.4 ms: the old reader truncated this away.
      await client.query('ALTER TABLE audit.ledger DISABLE TRIGGER USER');
      await client.query('ALTER TABLE audit.ledger ALTER COLUMN ts TYPE timestamptz');
      await client.query(`UPDATE audit.ledger SET ts = ts + interval '400 microseconds' WHERE seq = 42`);
      const report = await service.verifyWith(client);
      expect(report.ok).toBe(false);
      expect(report.problems.filter((p) => p.seq === 42).map((p) => p.code)).toEqual(expect.arrayContaining(['MALFORMED_INPUT', 'LEAF_MISMATCH']));
      // Everything else is the consequence: roots recomputed over the changed leaf differ from the signed ones.
      expect(report.problems.filter((p) => p.seq !== 42).map((p) => p.code)).toEqual(expect.arrayContaining(['ROOT_MISMATCH']));
      expect(report.problems.every((p) => p.seq === 42 || p.code === 'ROOT_MISMATCH')).toBe(true);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('a legitimate retention run (rows older than the period deleted + tombstone) raises no alarm', async () => {
    // Events dated 40 days ago (back-filled), then a 30-day retention: every pruned leaf is older than the period.
    const rand = prng(99);
    for (let i = 0; i < 4; i++) await writeMixedBatch(pool as unknown as SqlPool, rand, 250, Date.now() - 40 * 86_400_000);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ lo: string; hi: string }>(
        `SELECT min(ledger_seq) AS lo, max(ledger_seq) + 1 AS hi FROM audit.lifecycle_events WHERE ts < now() - interval '35 days'`,
      );
      const from = Number(rows[0]!.lo);
      const to = Number(rows[0]!.hi);
      const deleted = await client.query('DELETE FROM audit.lifecycle_events WHERE ledger_seq >= $1 AND ledger_seq < $2', [from, to]);
      expect(deleted.rowCount).toBeGreaterThan(100);
      await recordRetention(client, { kind: LEDGER_KINDS.lifecycle, fromSeq: from, toSeq: to, days: 30 });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await service.checkpointNow();
    const report = await service.verifyOnline();
    expect(report.problems).toEqual([]);
    expect(report.counts.pruned).toBeGreaterThan(100);
  });
});
