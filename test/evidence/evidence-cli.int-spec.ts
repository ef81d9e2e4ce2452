import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyConsistency, verifyInclusion } from '@auditstack/evidence';
import { EvidenceService, verifyBundle, type SqlPool } from '@auditstack/evidence-store';
import type { TestDatabase } from '../support/db';
import { auditstack, buildLedger, createEvidenceDatabase, poolFor, tempHome } from './evidence-fixture';

/**
 * `auditstack verify | export | proof | checkpoint` as a user runs them, on a
 * database of 10,000 events: verify passes, a superuser's one-row edit fails
 * it naming PAYLOAD_MISMATCH and the seq, and an exported bundle still
 * verifies offline once the database is gone.
 */
describe('auditstack evidence CLI', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof poolFor>;
  let home: string;
  let env: Record<string, string>;
  let bundle: string;

  beforeAll(async () => {
    db = await createEvidenceDatabase();
    pool = poolFor(db.url, 2);
    home = tempHome();
    env = { DATABASE_URL: db.url, AUDITSTACK_HOME: home };
    await buildLedger(pool as unknown as SqlPool, new EvidenceService({ db: pool as unknown as SqlPool, home }), 10_000, 3);
    bundle = join(home, 'bundle');
  });

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await db?.drop();
  });

  it('verify exits 0 on an untouched database of 10,000 events', async () => {
    const run = await auditstack(['verify'], env);
    expect(run.stderr).not.toMatch(/auditstack:/);
    expect(run.stdout).toMatch(/^verify OK \(database\): 10000 entries, 10000 payloads re-hashed/);
    expect(run.code).toBe(0);
  });

  it('checkpoint, proof inclusion and proof consistency print proofs naming their checkpoint', async () => {
    const cp = await auditstack(['checkpoint'], env);
    expect(cp.code).toBe(0);
    expect(cp.stdout).toMatch(/^auditstack\.local\/ledger\n10000\n/);
    const inc = await auditstack(['proof', 'inclusion', '4321'], env);
    expect(inc.code).toBe(0);
    const p = JSON.parse(inc.stdout) as { tree_size: number; leaf_hash: string; proof: string[]; checkpoint: { tree_size: number; root_hash: string } };
    expect(p.checkpoint.tree_size).toBe(10_000);
    const hex = (h: string): Buffer => Buffer.from(h, 'hex');
    expect(verifyInclusion(4321, p.tree_size, hex(p.leaf_hash), p.proof.map(hex), hex(p.checkpoint.root_hash))).toBe(true);
    const con = await auditstack(['proof', 'consistency', '500', '10000'], env);
    expect(con.code).toBe(0);
    const c = JSON.parse(con.stdout) as { proof: string[]; old_root: string; new_root: string; old_checkpoint: { tree_size: number } | null };
    expect(c.old_checkpoint?.tree_size).toBe(500);
    expect(verifyConsistency(500, 10_000, c.proof.map(hex), hex(c.old_root), hex(c.new_root))).toBe(true);
    expect((await auditstack(['proof', 'inclusion', '123456'], env)).code).not.toBe(0);
  });

  it('export writes a bundle whose manifest lists every file with its SHA-256', async () => {
    const run = await auditstack(['export', '--out', bundle], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as {
      counts: Record<string, number>;
      files: Record<string, { sha256: string }>;
    };
    expect(manifest.counts).toMatchObject({ entries: 10_000, payloads: 10_000 });
    expect(Object.keys(manifest.files).sort()).toEqual(['anchors.jsonl', 'checkpoints.jsonl', 'keys/trusted-keys.txt', 'ledger.jsonl', 'payloads.jsonl']);
  });

  it('export --from --to carries the payloads of that range only, and still verifies chain, tree and checkpoints in full', async () => {
    const partial = join(home, 'partial');
    const run = await auditstack(['export', '--out', partial, '--from', '100', '--to', '300'], env);
    expect(run.code).toBe(0);
    const report = await verifyBundle(partial);
    expect(report.problems).toEqual([]);
    expect(report.counts).toMatchObject({ entries: 10_000, payloadsChecked: 200, payloadsSkipped: 9800 });
  });

  it('verify exits non-zero naming PAYLOAD_MISMATCH and the seq after a superuser edits one lifecycle row', async () => {
    const { rows } = await pool.query<{ ledger_seq: string }>(
      `UPDATE audit.lifecycle_events SET metadata = '{"reason":"edited by a superuser"}'
       WHERE event_id = (SELECT event_id FROM audit.lifecycle_events ORDER BY ledger_seq OFFSET 777 LIMIT 1) RETURNING ledger_seq`,
    );
    const seq = rows[0]!.ledger_seq;
    const run = await auditstack(['verify'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^verify FAILED \(database\): 1 problem\(s\): PAYLOAD_MISMATCH×1/);
    expect(run.stdout).toContain(`PAYLOAD_MISMATCH at seq ${seq}:`);
    const json = await auditstack(['verify', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: [{ code: 'PAYLOAD_MISMATCH', seq: Number(seq) }] });
  });

  it('the exported bundle verifies offline with the database dropped; a doctored bundle does not', async () => {
    await pool.end();
    await db.drop();
    const run = await auditstack(['verify', '--bundle', bundle, '--anchor', join(home, 'anchors', 'anchors.jsonl')], { ...env, DATABASE_URL: db.url });
    expect(run.stdout).toMatch(/^verify OK \(bundle /);
    expect(run.code).toBe(0);

    const payloads = join(bundle, 'payloads.jsonl');
    const lines = readFileSync(payloads, 'utf8').split('\n');
    const victim = JSON.parse(lines[10]!) as { seq: number; payload: Record<string, unknown> };
    lines[10] = JSON.stringify({ ...victim, payload: { ...victim.payload, status: 'doctored' } });
    writeFileSync(payloads, lines.join('\n'));
    const doctored = await verifyBundle(bundle);
    expect(doctored.ok).toBe(false);
    expect(doctored.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'MALFORMED_INPUT', detail: expect.stringContaining('payloads.jsonl does not match its manifest') }),
        expect.objectContaining({ code: 'PAYLOAD_MISMATCH', seq: victim.seq }),
      ]),
    );
  });
});
