import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { LEDGER_KINDS, LEDGER_ROW_SOURCES } from '@auditstack/audit-core';
import { CompactRange, parseNote, parseSignerKey, generateNoteKey, signNote, type EvidenceErrorCode, type VerifyProblem } from '@auditstack/evidence';
import { EvidenceService, recordRetention, type SqlPool } from '@auditstack/evidence-store';
import type { TestDatabase } from '../support/db';
import { buildLedger, createEvidenceDatabase, lifecycleRow, poolFor, prng, runRow, tempHome, toolRow } from './evidence-fixture';

const EVENTS = 10_000;
const MUTATIONS = Number(process.env.AUDITSTACK_FUZZ_MUTATIONS ?? 1000);
const SEED = Number(process.env.AUDITSTACK_FUZZ_SEED ?? 20261122);
/**
 * Mutations per pristine copy. 1 = one mutation per copy (a full online
 * verification of 10,000 events each: ~0.5 s apiece here, too slow for CI);
 * the default groups mutations that cannot mask one another and judges each
 * on its own finding.
 */
const GROUP = Math.max(1, Number(process.env.AUDITSTACK_FUZZ_GROUP ?? 25));

interface LeafInfo {
  seq: number;
  kind: string;
  ref: string;
  leafHash: Buffer;
  chainHash: Buffer;
}

interface Mutation {
  /** Mutation kind, for the tally. */
  kind: string;
  /** Code the verifier must report. */
  expect: EvidenceErrorCode;
  /** The finding that proves detection: the expected code at this mutation's own seq / checkpoint / ref. */
  match: (p: VerifyProblem) => boolean;
  /** Anchor file to verify against (edited copies). */
  anchorFile?: string;
  describe: string;
}

const TABLE_EDITS: Record<string, { table: string; key: string; set: string }> = {
  [LEDGER_KINDS.lifecycle]: { table: 'audit.lifecycle_events', key: 'event_id', set: `metadata = metadata || '{"tampered": true}'` },
  [LEDGER_KINDS.tool]: { table: 'audit.tool_events', key: 'event_id', set: 'out_size = out_size + 1' },
  [LEDGER_KINDS.run]: { table: 'audit.runs', key: 'id', set: `status = CASE status WHEN 'pass' THEN 'fail' ELSE 'pass' END` },
};

/**
 * The tamper fuzzer (issue 3): a real database with ≥ 10,000 mixed events,
 * checkpoints and an anchor file; each mutation is applied by a superuser in a
 * transaction, verified inside it, then rolled back, so every mutation sees a
 * pristine copy. Every mutation must be detected with the expected code at
 * the expected place; unmodified data and a legitimate retention run must
 * raise nothing.
 */
describe('tamper fuzzer over a real database', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof poolFor>;
  let service: EvidenceService;
  let leaves: LeafInfo[];
  let checkpointSizes: number[];
  let anchorLines: string[];
  let home: string;

  beforeAll(async () => {
    db = await createEvidenceDatabase();
    pool = poolFor(db.url, 2);
    home = tempHome();
    service = new EvidenceService({ db: pool as unknown as SqlPool, home, policy: { everyLeaves: 1000 } });
    await buildLedger(pool as unknown as SqlPool, service, EVENTS, SEED);
    const { rows } = await pool.query<{ seq: string; kind: string; ref: string; leaf_hash: Buffer; chain_hash: Buffer }>(
      'SELECT seq, kind, ref, leaf_hash, chain_hash FROM audit.ledger ORDER BY seq',
    );
    leaves = rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, ref: r.ref, leafHash: r.leaf_hash, chainHash: r.chain_hash }));
    checkpointSizes = (await pool.query<{ tree_size: string }>('SELECT tree_size FROM audit.checkpoints ORDER BY id')).rows.map((r) => Number(r.tree_size));
    anchorLines = readFileSync(service.anchorFile, 'utf8').split('\n').filter(Boolean);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('builds ≥ 10,000 mixed events with checkpoints and anchors that verify (no false alarm)', async () => {
    expect(leaves.length).toBe(EVENTS);
    expect(new Set(leaves.map((l) => l.kind))).toEqual(new Set([LEDGER_KINDS.lifecycle, LEDGER_KINDS.tool, LEDGER_KINDS.run]));
    expect(checkpointSizes.length).toBeGreaterThanOrEqual(10);
    expect(checkpointSizes[checkpointSizes.length - 1]).toBe(EVENTS);
    expect(anchorLines).toHaveLength(checkpointSizes.length);
    const report = await service.verifyOnline();
    expect(report.problems).toEqual([]);
  });

  /** Local mutations: each lands on its own seq, ≥ 100 away from any other in the round. */
  async function mutateAt(tx: PoolClient, kind: string, seq: number, rand: () => number): Promise<Mutation> {
    const leaf = leaves[seq]!;
    const unlockLedger = (): Promise<unknown> => tx.query('ALTER TABLE audit.ledger DISABLE TRIGGER USER');
    const atSeq =
      (code: EvidenceErrorCode, s: number) =>
      (p: VerifyProblem): boolean =>
        p.code === code && p.seq === s;
    switch (kind) {
      case 'update_payload': {
        const edit = TABLE_EDITS[leaf.kind]!;
        const res = await tx.query(`UPDATE ${edit.table} SET ${edit.set} WHERE ${edit.key} = $1`, [leaf.ref]);
        expect(res.rowCount).toBe(1);
        return { kind, expect: 'PAYLOAD_MISMATCH', match: atSeq('PAYLOAD_MISMATCH', seq), describe: `UPDATE ${edit.table} row ${leaf.ref} (seq ${seq})` };
      }
      case 'delete_row': {
        const edit = TABLE_EDITS[leaf.kind]!;
        const res = await tx.query(`DELETE FROM ${edit.table} WHERE ${edit.key} = $1`, [leaf.ref]);
        expect(res.rowCount).toBe(1);
        return { kind, expect: 'LEAF_WITHOUT_ROW', match: atSeq('LEAF_WITHOUT_ROW', seq), describe: `DELETE ${edit.table} row ${leaf.ref} (seq ${seq})` };
      }
      case 'swap_seqs': {
        const b = seq + 1 + Math.floor(rand() * 50);
        await unlockLedger();
        await tx.query('UPDATE audit.ledger SET seq = -1 WHERE seq = $1', [seq]);
        await tx.query('UPDATE audit.ledger SET seq = $1 WHERE seq = $2', [seq, b]);
        await tx.query('UPDATE audit.ledger SET seq = $1 WHERE seq = -1', [b]);
        return { kind, expect: 'LEAF_MISMATCH', match: atSeq('LEAF_MISMATCH', seq), describe: `swap ledger seqs ${seq} and ${b}` };
      }
      case 'edit_ledger_row': {
        await unlockLedger();
        const variants: [string, string, EvidenceErrorCode][] = [
          ['ts', `ts = ts + interval '1 millisecond'`, 'LEAF_MISMATCH'],
          ['ref', `ref = '${randomUUID()}'`, 'LEAF_MISMATCH'],
          ['kind', `kind = CASE kind WHEN 'tool' THEN 'lifecycle' ELSE 'tool' END`, 'LEAF_MISMATCH'],
          ['payload_hash', `payload_hash = sha256(payload_hash)`, 'LEAF_MISMATCH'],
          ['leaf_hash', `leaf_hash = sha256(leaf_hash)`, 'LEAF_MISMATCH'],
          ['chain_hash', `chain_hash = sha256(chain_hash)`, 'CHAIN_BROKEN'],
        ];
        const [col, set, code] = variants[Math.floor(rand() * variants.length)]!;
        await tx.query(`UPDATE audit.ledger SET ${set} WHERE seq = $1`, [seq]);
        return { kind: `${kind}.${col}`, expect: code, match: atSeq(code, seq), describe: `edit ledger ${col} at seq ${seq}` };
      }
      default:
        throw new Error(`unknown local mutation ${kind}`);
    }
  }

  async function insertForgedRow(tx: PoolClient, rand: () => number, round: number): Promise<Mutation> {
    const which = [LEDGER_KINDS.lifecycle, LEDGER_KINDS.tool, LEDGER_KINDS.run][round % 3]!;
    const source = LEDGER_ROW_SOURCES[which]!;
    const row =
      which === LEDGER_KINDS.lifecycle ? lifecycleRow(rand, new Date()) : which === LEDGER_KINDS.tool ? toolRow(rand, new Date()) : runRow(rand, new Date());
    const payload: Record<string, unknown> = { ...source.payload(row), ledger_seq: Math.floor(rand() * leaves.length) };
    const cols = [...source.columns, 'ledger_seq'].map((c) => `"${c}"`).join(', ');
    await tx.query(`INSERT INTO ${source.table} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${source.table}, $1::json)`, [
      JSON.stringify([payload]),
    ]);
    const ref = String(payload[source.key]);
    return {
      kind: 'insert_forged_row',
      expect: 'ROW_WITHOUT_LEAF',
      match: (p) => p.code === 'ROW_WITHOUT_LEAF' && p.detail.includes(ref),
      describe: `INSERT forged ${which} row ${ref}`,
    };
  }

  async function mutateCheckpoint(tx: PoolClient, idx: number, rand: () => number): Promise<Mutation> {
    const size = checkpointSizes[idx]!;
    if (rand() < 0.5) {
      await tx.query('DELETE FROM audit.checkpoints WHERE tree_size = $1', [size]);
      // A dropped checkpoint breaks the checkpoint chain at the next one (its anchor also disagrees).
      const next = checkpointSizes[idx + 1]!;
      return {
        kind: 'drop_checkpoint',
        expect: 'CHECKPOINT_CHAIN_BROKEN',
        match: (p) => p.code === 'CHECKPOINT_CHAIN_BROKEN' && p.checkpoint === next,
        describe: `drop checkpoint ${size}`,
      };
    }
    const { rows } = await tx.query<{ note: string }>('SELECT note FROM audit.checkpoints WHERE tree_size = $1', [size]);
    const rogue = parseSignerKey(generateNoteKey(service.origin).signerKey);
    await tx.query('UPDATE audit.checkpoints SET note = $1 WHERE tree_size = $2', [signNote(parseNote(rows[0]!.note).text, [rogue]), size]);
    return {
      kind: 'resign_unknown_key',
      expect: 'UNKNOWN_KEY',
      match: (p) => p.code === 'UNKNOWN_KEY' && p.checkpoint === size,
      describe: `re-sign checkpoint ${size} with an unknown key`,
    };
  }

  function editAnchorFile(idx: number, rand: () => number, round: number): Mutation {
    const lines = [...anchorLines];
    const rec = JSON.parse(lines[idx]!) as Record<string, unknown>;
    const size = checkpointSizes[idx]!;
    const drawn = Math.floor(rand() * 4);
    // Deleting the first or the last line is the trust state's to catch (ANCHOR_TRUNCATED, see forgery.int-spec.ts):
    // to the verifier alone, the first is "before anchoring began" and the last may be an anchor still being written.
    const variant = drawn === 2 && (idx === 0 || idx === anchorLines.length - 1) ? 0 : drawn;
    let m: Pick<Mutation, 'expect' | 'match'>;
    if (variant === 0) {
      lines[idx] = JSON.stringify({ ...rec, rootHash: (rec['rootHash'] as string).replace(/^./, (c) => (c === '0' ? '1' : '0')) });
      m = { expect: 'ANCHOR_INCONSISTENT', match: (p) => p.code === 'ANCHOR_INCONSISTENT' && p.checkpoint === size };
    } else if (variant === 1) {
      lines[idx] = JSON.stringify({ ...rec, treeSize: (rec['treeSize'] as number) + 1 });
      m = { expect: 'ANCHOR_INCONSISTENT', match: (p) => p.code === 'ANCHOR_INCONSISTENT' && p.checkpoint === size };
    } else if (variant === 2) {
      lines.splice(idx, 1);
      m = { expect: 'ANCHOR_MISSING', match: (p) => p.code === 'ANCHOR_MISSING' && p.checkpoint === size };
    } else {
      lines[idx] = lines[idx]!.slice(0, -5);
      m = { expect: 'ANCHOR_INCONSISTENT', match: (p) => p.code === 'ANCHOR_INCONSISTENT' && p.detail.includes(`anchor line ${idx + 1}:`) };
    }
    const path = join(home, `anchors-mutated-${round}.jsonl`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return {
      kind: `edit_anchor_file.${['root', 'size', 'delete', 'garble'][variant]}`,
      ...m,
      anchorFile: path,
      describe: `edit anchor line ${idx + 1} (checkpoint ${size})`,
    };
  }

  async function truncateTail(tx: PoolClient, rand: () => number): Promise<Mutation> {
    const cut = 1 + Math.floor(rand() * 400);
    const keep = leaves.length - cut;
    await tx.query('ALTER TABLE audit.ledger DISABLE TRIGGER USER');
    const gone = leaves.slice(keep);
    await tx.query('DELETE FROM audit.ledger WHERE seq >= $1', [keep]);
    for (const kindName of [LEDGER_KINDS.lifecycle, LEDGER_KINDS.tool, LEDGER_KINDS.run]) {
      const refs = gone.filter((l) => l.kind === kindName).map((l) => l.ref);
      if (refs.length) await tx.query(`DELETE FROM ${TABLE_EDITS[kindName]!.table} WHERE ${TABLE_EDITS[kindName]!.key} = ANY($1::uuid[])`, [refs]);
    }
    // A thorough attacker also rewinds the head to a consistent state: only the signed checkpoint gives it away.
    const range = CompactRange.of(leaves.slice(0, keep).map((l) => l.leafHash));
    await tx.query('UPDATE audit.ledger_head SET size = $1, chain_hash = $2, frontier = $3::bytea[] WHERE id = 1', [
      keep,
      leaves[keep - 1]!.chainHash,
      range.toHashes(),
    ]);
    const last = checkpointSizes[checkpointSizes.length - 1]!;
    return {
      kind: 'truncate_tail',
      expect: 'SEQUENCE_GAP',
      match: (p) => p.code === 'SEQUENCE_GAP' && p.checkpoint === last,
      describe: `truncate the last ${cut} leaves and their rows`,
    };
  }

  const LOCAL_KINDS = ['update_payload', 'delete_row', 'swap_seqs', 'edit_ledger_row'];

  /**
   * One round on one pristine copy: up to GROUP mutations that cannot mask one
   * another — local ones on seqs ≥ 100 apart, one forged row, one checkpoint
   * edit (drop or re-sign), one anchor-file edit on another checkpoint, and
   * every 3rd round a tail truncation (which touches only the leaves after the
   * last-but-one checkpoint). Each is judged alone: its own code at its own
   * seq / checkpoint / ref.
   */
  async function applyRound(tx: PoolClient, rand: () => number, round: number, budget: number): Promise<Mutation[]> {
    const out: Mutation[] = [];
    const add = async (make: () => Promise<Mutation> | Mutation): Promise<void> => {
      if (out.length < budget) out.push(await make());
    };
    if (GROUP === 1) {
      // One mutation per copy, cycling through every kind.
      const kinds = ['local', 'forged', 'checkpoint', 'anchor', 'truncate'];
      const kind = kinds[round % kinds.length]!;
      const cp = Math.floor(rand() * (checkpointSizes.length - 1));
      if (kind === 'local') await add(() => mutateAt(tx, LOCAL_KINDS[Math.floor(round / kinds.length) % LOCAL_KINDS.length]!, Math.floor(rand() * 9000), rand));
      else if (kind === 'forged') await add(() => insertForgedRow(tx, rand, round));
      else if (kind === 'checkpoint') await add(() => mutateCheckpoint(tx, cp, rand));
      else if (kind === 'anchor') await add(() => editAnchorFile(cp, rand, round));
      else await add(() => truncateTail(tx, rand));
      return out;
    }
    const truncate = round % 3 === 0;
    const locals = Math.max(1, GROUP - 3 - (truncate ? 1 : 0));
    const slot = Math.floor(9000 / locals);
    for (let k = 0; k < locals; k++) {
      await add(() => mutateAt(tx, LOCAL_KINDS[(round + k) % LOCAL_KINDS.length]!, k * slot + Math.floor(rand() * (slot - 100)), rand));
    }
    const cpIdx = Math.floor(rand() * (checkpointSizes.length - 1));
    let anchorIdx = Math.floor(rand() * (checkpointSizes.length - 2));
    if (anchorIdx >= cpIdx) anchorIdx++;
    await add(() => insertForgedRow(tx, rand, round));
    await add(() => mutateCheckpoint(tx, cpIdx, rand));
    await add(() => editAnchorFile(anchorIdx, rand, round));
    if (truncate) await add(() => truncateTail(tx, rand));
    return out;
  }

  it(`detects every one of ${MUTATIONS} random mutations with the right code at the right place, with no false alarm`, async () => {
    const rand = prng(SEED);
    const tally = new Map<string, { applied: number; detected: number }>();
    const misses: string[] = [];
    let applied = 0;
    let caught = 0;
    let copies = 0;
    let controls = 0;
    let falseAlarms = 0;
    const client = await pool.connect();
    const started = Date.now();
    try {
      for (let round = 0; applied < MUTATIONS; round++) {
        await client.query('BEGIN');
        try {
          // Every 10th copy is first verified untouched: any finding there is a false alarm.
          if (round % 10 === 0) {
            controls++;
            const report = await service.verifyWith(client);
            if (!report.ok) {
              falseAlarms++;
              misses.push(`control ${round}: ${JSON.stringify(report.problems.slice(0, 3))}`);
            }
          }
          const ms = await applyRound(client, rand, round, MUTATIONS - applied);
          copies++;
          const anchorFile = ms.find((m) => m.anchorFile)?.anchorFile;
          const report = await service.verifyWith(client, anchorFile ? { anchorFile } : {});
          for (const m of ms) {
            applied++;
            const t = tally.get(m.kind) ?? { applied: 0, detected: 0 };
            t.applied++;
            if (!report.ok && report.problems.some(m.match)) {
              caught++;
              t.detected++;
            } else misses.push(`round ${round}: ${m.describe}: expected ${m.expect}, got ${JSON.stringify(report.problems.slice(0, 6))}`);
            tally.set(m.kind, t);
          }
        } finally {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      client.release();
    }
    const seconds = (Date.now() - started) / 1000;
    const byKind = [...tally.entries()]
      .sort()
      .map(([k, v]) => `${k} ${v.detected}/${v.applied}`)
      .join(', ');
    process.stdout.write(
      `tamper fuzzer: ${applied} mutations applied, ${caught} detected, ${falseAlarms} false alarms\n` +
        `  ${EVENTS} events; ${copies} pristine copies (≤ ${GROUP} non-interfering mutations each) + ${controls} clean controls; seed ${SEED}; ${seconds.toFixed(1)} s\n` +
        `  by kind: ${byKind}\n`,
    );
    expect(misses).toEqual([]);
    expect(applied).toBeGreaterThanOrEqual(MUTATIONS);
    expect(caught).toBe(applied);
    expect(falseAlarms).toBe(0);
  });

  it('raises no false alarm after a legitimate retention run (rows deleted + tombstone)', async () => {
    // The run happens 40 days from now, with a 30-day retention: every pruned row is older than the period then.
    const later = new Date(Date.now() + 40 * 86_400_000);
    const policy = { now: later, heartbeatSeconds: 1e9, maxUncoveredSeconds: 1e9 };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (const kind of [LEDGER_KINDS.tool, LEDGER_KINDS.run]) {
        const edit = TABLE_EDITS[kind]!;
        const from = 2000;
        const to = 6000;
        const res = await client.query(`DELETE FROM ${edit.table} WHERE ledger_seq >= $1 AND ledger_seq < $2`, [from, to]);
        expect(res.rowCount).toBeGreaterThan(0);
        await recordRetention(client, { kind, fromSeq: from, toSeq: to, days: 30, ts: later });
      }
      const report = await service.verifyWith(client, { policy });
      expect(report.problems).toEqual([]);
      expect(report.counts.pruned).toBeGreaterThan(1000);
      // The same deletion without its tombstone is tampering.
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`DELETE FROM audit.tool_events WHERE ledger_seq >= 2000 AND ledger_seq < 6000`);
      const tampered = await service.verifyWith(client, { policy });
      expect(tampered.counts.byCode.LEAF_WITHOUT_ROW).toBeGreaterThan(500);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
