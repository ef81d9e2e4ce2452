import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { GATEWAY_MARKERS, LEDGER_KINDS } from '@auditstack/audit-core';
import { insertLedgeredRows, recordRetention, withTransaction, type SqlPool } from '@auditstack/evidence-store';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { auditstack, lifecycleRow, poolFor, prng, tempHome, toolRow } from '../evidence/evidence-fixture';

interface Problem {
  code: string;
  seq?: number;
  checkpoint?: number;
  detail: string;
}

/** `auditstack verify --json` as a user runs it: exit code and the problem codes. */
async function verify(env: Record<string, string>): Promise<{ code: number; codes: string[]; problems: Problem[]; pruned: number }> {
  const run = await auditstack(['verify', '--json'], env);
  let report: { problems: Problem[]; counts: { pruned: number } };
  try {
    report = JSON.parse(run.stdout) as typeof report;
  } catch {
    throw new Error(`verify printed no JSON (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  }
  return { code: run.code, codes: [...new Set(report.problems.map((p) => p.code))].sort(), problems: report.problems, pruned: report.counts.pruned };
}

/** `auditstack demo [args] --json` and its document. */
async function demo(env: Record<string, string>, args: string[] = []): Promise<{ code: number; doc: Record<string, unknown>; stderr: string }> {
  const run = await auditstack(['demo', ...args, '--json'], env);
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    if (run.code === 0) throw new Error(`demo printed no JSON: ${run.stderr.slice(0, 2000)}`);
  }
  return { code: run.code, doc, stderr: run.stderr };
}

/** Real (non-demo) traffic written the way the gateway writes it: rows with their leaves. */
async function writeReal(pool: Pool, n: number, seed: number): Promise<void> {
  const rand = prng(seed);
  await withTransaction(pool as unknown as SqlPool, async (tx) => {
    await insertLedgeredRows(
      tx,
      LEDGER_KINDS.lifecycle,
      Array.from({ length: n }, () => lifecycleRow(rand, new Date(Date.now() - 60_000))),
    );
    await insertLedgeredRows(
      tx,
      LEDGER_KINDS.tool,
      Array.from({ length: n }, () => toolRow(rand, new Date(Date.now() - 60_000))),
    );
  });
}

const ledgerSize = async (pool: Pool): Promise<number> => Number((await pool.query<{ size: string }>('SELECT size FROM audit.ledger_head')).rows[0]!.size);
const demoRows = async (pool: Pool): Promise<number> =>
  Number(
    (
      await pool.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM audit.lifecycle_events WHERE engine_id LIKE 'demo-%' OR product_id LIKE 'demo-%' OR metadata->>'policy_id' LIKE 'demo-%')
              + (SELECT count(*) FROM audit.tool_events WHERE workspace_id LIKE 'demo-%')
              + (SELECT count(*) FROM audit.observability_events WHERE engine_id LIKE 'demo-%')
              + (SELECT count(*) FROM audit.cluster_audit_events WHERE cluster_id LIKE 'demo-%')
              + (SELECT count(*) FROM audit.gateway_markers WHERE marker = 'tool_call_denied') AS n`,
      )
    ).rows[0]!.n,
  );
const realRows = async (pool: Pool): Promise<number> =>
  Number(
    (
      await pool.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM audit.lifecycle_events WHERE engine_id NOT LIKE 'demo-%') + (SELECT count(*) FROM audit.tool_events WHERE workspace_id NOT LIKE 'demo-%') AS n`,
      )
    ).rows[0]!.n,
  );

const figures: string[] = [];

/**
 * `auditstack demo` and `auditstack demo --remove` against a real PostgreSQL,
 * judged by the real `auditstack verify`: the attacks first (issue 14, item 6).
 */
describe('auditstack demo: a removable demo fleet the verifier can tell from an erasure', () => {
  let db: TestDatabase;
  let pool: Pool;
  let env: Record<string, string>;
  beforeEach(async () => {
    db = await createTestDatabase({ migrated: true });
    pool = poolFor(db.url, 2);
    env = { DATABASE_URL: db.url, AUDITSTACK_HOME: tempHome() };
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });
  afterAll(() => console.log(`auditstack demo:\n  ${figures.join('\n  ')}`));

  it('(a) real traffic, demo load, more real traffic, remove → verify exit 0 before and after; exactly the demo rows are gone', async () => {
    await writeReal(pool, 40, 1);
    expect((await auditstack(['checkpoint'], env)).code).toBe(0);

    const loaded = await demo(env);
    expect(loaded.code).toBe(0);
    expect(loaded.doc).toMatchObject({ loaded: true, range: { count: expect.any(Number) } });
    const range = loaded.doc.range as { from_seq: number; to_seq: number; count: number; marker_seq: number };
    expect(range.from_seq).toBe(80);
    expect(range.to_seq - range.from_seq + 1).toBe(range.count);
    expect(range.marker_seq).toBe(range.to_seq + 1);
    const counts = loaded.doc.counts as Record<string, number>;
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(range.count);
    expect(await demoRows(pool)).toBe(range.count);
    const afterLoad = await verify(env);
    expect(afterLoad.codes).toEqual([]);
    expect(afterLoad.code).toBe(0);

    await writeReal(pool, 25, 2);
    expect((await auditstack(['checkpoint'], env)).code).toBe(0);
    const removed = await demo(env, ['--remove']);
    expect(removed.code).toBe(0);
    const [only] = removed.doc.removed as { deleted: Record<string, number>; tombstone_seqs: number[] }[];
    expect(only!.deleted).toEqual(counts);
    expect(only!.tombstone_seqs).toHaveLength(Object.keys(counts).length);
    expect(await demoRows(pool)).toBe(0);
    expect(await realRows(pool)).toBe(130);
    const markers = await pool.query<{ marker: string }>(`SELECT marker FROM audit.gateway_markers ORDER BY ledger_seq`);
    expect(markers.rows.map((r) => r.marker)).toEqual([GATEWAY_MARKERS.demoLoaded, GATEWAY_MARKERS.demoRemoved]);

    const afterRemove = await verify(env);
    figures.push(`(a) load ${range.count} demo rows → verify exit ${afterLoad.code}; remove → verify exit ${afterRemove.code}, ${afterRemove.pruned} pruned`);
    expect(afterRemove.codes).toEqual([]);
    expect(afterRemove.code).toBe(0);
    expect(afterRemove.pruned).toBe(range.count);

    // Offline too: a whole bundle, and one whose payload range ends before the demo_loaded marker.
    const trust = join(env.AUDITSTACK_HOME!, 'keys', 'trusted-keys.txt');
    for (const [name, args] of [
      ['whole', []],
      ['demo rows only', ['--from', String(range.from_seq), '--to', String(range.to_seq + 1)]],
    ] as const) {
      const out = join(env.AUDITSTACK_HOME!, `bundle-${name.replace(/ /g, '-')}`);
      expect((await auditstack(['export', '--out', out, ...args], env)).code).toBe(0);
      const offline = await auditstack(['verify', '--bundle', out, '--trust', trust], env);
      figures.push(`(a) bundle (${name}) after removal → verify --bundle exit ${offline.code}`);
      expect(offline.stdout).toMatch(/^verify OK/);
      expect(offline.code).toBe(0);
    }
  });

  it('(b) a forged demo_loaded marker over real, checkpointed rows: `demo --remove` refuses; deleting them by hand with a declared tombstone → verify exit 1 RETENTION_VIOLATION', async () => {
    await writeReal(pool, 30, 3);
    expect((await auditstack(['checkpoint'], env)).code).toBe(0);
    // The attacker appends a marker declaring the 60 real rows [0, 59] a demo, as the loader would word it.
    await withTransaction(pool as unknown as SqlPool, (tx) =>
      insertLedgeredRows(tx, LEDGER_KINDS.marker, [
        { id: randomUUID(), ts: new Date(), marker: GATEWAY_MARKERS.demoLoaded, details: { from_seq: 0, to_seq: 59, count: 60 } },
      ]),
    );
    const refused = await demo(env, ['--remove']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/without the demo prefix; nothing removed/);
    expect(await realRows(pool)).toBe(60);

    // So they delete by hand and append the declared tombstones the remover would have written.
    let tombstones: number[] = [];
    await withTransaction(pool as unknown as SqlPool, async (tx) => {
      await tx.query('DELETE FROM audit.lifecycle_events WHERE ledger_seq BETWEEN 0 AND 59');
      await tx.query('DELETE FROM audit.tool_events WHERE ledger_seq BETWEEN 0 AND 59');
      tombstones = [
        (await recordRetention(tx, { kind: LEDGER_KINDS.lifecycle, fromSeq: 0, toSeq: 60, declared: true })).seq,
        (await recordRetention(tx, { kind: LEDGER_KINDS.tool, fromSeq: 0, toSeq: 60, declared: true })).seq,
      ];
    });
    expect((await auditstack(['checkpoint'], env)).code).toBe(0);
    const forged = await verify(env);
    figures.push(`(b) forged demo_loaded over 60 checkpointed real rows + declared tombstones → verify exit ${forged.code} ${forged.codes.join(',')}`);
    expect(forged.code).toBe(1);
    expect(forged.codes).toEqual(['RETENTION_VIOLATION']);
    expect(forged.problems.map((p) => p.seq).sort()).toEqual(tombstones);
    expect(forged.problems[0]!.detail).toMatch(/checkpoint of size 60 covers part of the range/);
  });

  it('(c) remove twice → the second removes nothing and writes nothing; verify exit 0', async () => {
    expect((await demo(env)).code).toBe(0);
    expect((await demo(env, ['--remove'])).doc.removed).toHaveLength(1);
    const size = await ledgerSize(pool);
    const again = await demo(env, ['--remove']);
    expect(again.code).toBe(0);
    expect(again.doc).toMatchObject({ removed: [], checkpoint_tree_size: null });
    expect(await ledgerSize(pool)).toBe(size);
    const v = await verify(env);
    figures.push(`(c) remove twice → second removed ${(again.doc.removed as unknown[]).length}, ledger size unchanged (${size}); verify exit ${v.code}`);
    expect(v.code).toBe(0);
  });

  it('(d) `demo` on a database that holds the demo loads nothing more, also when two run at once; after a removal it loads afresh', async () => {
    const [one, two] = await Promise.all([demo(env, ['--no-checkpoint']), demo(env, ['--no-checkpoint'])]);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect([one.doc.loaded, two.doc.loaded].sort()).toEqual([false, true]);
    const count = ((one.doc.loaded ? one : two).doc.range as { count: number }).count;
    const size = await ledgerSize(pool);
    const third = await demo(env);
    expect(third.doc).toMatchObject({ loaded: false });
    expect(await ledgerSize(pool)).toBe(size);
    expect(await demoRows(pool)).toBe(count);
    expect((await pool.query(`SELECT 1 FROM audit.gateway_markers WHERE marker = 'demo_loaded'`)).rowCount).toBe(1);

    // Removed, then loaded again: a new range, its own marker; both removals verify.
    expect((await demo(env, ['--remove'])).code).toBe(0);
    const reloaded = await demo(env);
    expect(reloaded.doc).toMatchObject({ loaded: true });
    expect((reloaded.doc.range as { from_seq: number }).from_seq).toBeGreaterThan(size);
    expect((await verify(env)).code).toBe(0);
    expect((await demo(env, ['--remove'])).code).toBe(0);
    const v = await verify(env);
    figures.push(`(d) two concurrent loads → one loaded ${count} rows, one refused; reload after removal, remove → verify exit ${v.code}`);
    expect(v.codes).toEqual([]);
    expect(v.code).toBe(0);
  });
});
