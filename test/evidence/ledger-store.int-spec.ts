import { Client } from 'pg';
import { LEDGER_KINDS } from '@auditstack/audit-core';
import { LedgerWriter, verifyConsistency, verifyInclusion } from '@auditstack/evidence';
import { EvidenceService, insertLedgeredRows, recordRetention, type SqlPool } from '@auditstack/evidence-store';
import type { TestDatabase } from '../support/db';
import { buildLedger, createEvidenceDatabase, lifecycleRow, poolFor, prng, tempHome, toolRow } from './evidence-fixture';

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
    expect(verifyInclusion(1234, proof.tree_size, Buffer.from(proof.leaf_hash, 'hex'), proof.proof.map((h) => Buffer.from(h, 'hex')), Buffer.from(latest.root_hash, 'hex'))).toBe(true);
    const { items } = await service.listCheckpoints({ limit: 100 });
    const older = items[items.length - 1]!;
    const c = await service.consistencyProof(older.tree_size, latest.tree_size);
    expect(c.old_checkpoint?.tree_size).toBe(older.tree_size);
    expect(
      verifyConsistency(older.tree_size, latest.tree_size, c.proof.map((h) => Buffer.from(h, 'hex')), Buffer.from(older.root_hash, 'hex'), Buffer.from(latest.root_hash, 'hex')),
    ).toBe(true);
    await expect(service.inclusionProof(10_000_000)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.consistencyProof(5, 3)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a legitimate retention run (rows deleted + tombstone) raises no alarm', async () => {
    await buildLedger(pool as unknown as SqlPool, service, 1000, 99);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ lo: string; hi: string }>(
        `SELECT min(ledger_seq) AS lo, max(ledger_seq) + 1 AS hi FROM audit.lifecycle_events WHERE ledger_seq < 2000`,
      );
      const from = Number(rows[0]!.lo);
      const to = Number(rows[0]!.hi);
      const deleted = await client.query('DELETE FROM audit.lifecycle_events WHERE ledger_seq >= $1 AND ledger_seq < $2', [from, to]);
      expect(deleted.rowCount).toBeGreaterThan(100);
      await recordRetention(client, { kind: LEDGER_KINDS.lifecycle, fromSeq: from, toSeq: to });
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
