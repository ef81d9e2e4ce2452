import { sha256 } from './hash.util';
import { rootOf } from './merkle.util';
import type { LedgerInput } from './ledger.util';
import { LedgerWriter, type SqlExecutor, checkpointFromRow, headFromRow, ledgerEntryFromRow } from './ledger-writer';

const input = (i: number): LedgerInput => ({
  kind: i % 2 ? 'run' : 'lifecycle',
  ref: `ref-${i}`,
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  payload: { i, name: `row ${i}` },
});

/** In-memory stand-in for the two statements the writer issues per batch. */
class FakeDb implements SqlExecutor {
  readonly statements: string[] = [];
  readonly ledger: unknown[][] = [];
  readonly subtrees: unknown[][] = [];
  head: { size: string; chain_hash: Buffer; frontier: Buffer[] | string } = { size: '0', chain_hash: Buffer.alloc(32), frontier: '{}' };

  async query<R>(text: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    this.statements.push(text.replace(/\s+/g, ' ').trim());
    if (text.startsWith('SELECT size')) return { rows: [this.head as unknown as R] };
    if (text.startsWith('WITH rows') || text.startsWith('INSERT INTO audit.ledger ')) {
      const [first, kinds, refs, ms, packed, levels, idx, hashes, size, chain, frontier] = params as [
        string,
        string[],
        string[],
        number[],
        Buffer,
        number[],
        string[],
        Buffer[],
        string,
        Buffer,
        Buffer[],
      ];
      kinds.forEach((kind, i) =>
        this.ledger.push([
          String(Number(first) + i),
          kind,
          refs[i],
          new Date(ms[i]!),
          ...[0, 1, 2].map((h) => packed.subarray(i * 96 + h * 32, i * 96 + h * 32 + 32)),
        ]),
      );
      if (text.startsWith('WITH rows')) {
        levels.forEach((level, i) => this.subtrees.push([level, idx[i], hashes[i]]));
        this.head = { size, chain_hash: chain, frontier };
      }
    }
    return { rows: [] };
  }
}

describe('LedgerWriter', () => {
  it('takes the lock and the head in one statement, then writes rows, subtrees and head in one', async () => {
    const db = new FakeDb();
    const w = new LedgerWriter();
    const first = await w.append(db, [input(0), input(1)]);
    const r = await w.append(db, [input(2)]);
    expect(db.statements).toHaveLength(4);
    expect(db.statements[0]).toBe('SELECT size, chain_hash, frontier FROM audit.ledger_head WHERE id = 1 FOR UPDATE');
    expect(db.statements[1]).toMatch(
      /^WITH rows AS \( INSERT INTO audit\.ledger .* INSERT INTO audit\.ledger_subtrees .* UPDATE audit\.ledger_head SET size = \$9/,
    );
    expect(db.ledger.map((row) => row[0])).toEqual(['0', '1', '2']);
    const stored = [...first.entries, ...r.entries];
    db.ledger.forEach((row, i) => {
      expect(row[3]).toEqual(stored[i]!.ts);
      expect(
        (row[4] as Buffer).equals(stored[i]!.payloadHash) && (row[5] as Buffer).equals(stored[i]!.leafHash) && (row[6] as Buffer).equals(stored[i]!.chainHash),
      ).toBe(true);
    });
    expect(r.head.size).toBe(3);
    expect(db.head.size).toBe('3');
  });

  it('hands the completed subtrees of ≥ 256 leaves to the store', async () => {
    const db = new FakeDb();
    const w = new LedgerWriter();
    const inputs = Array.from({ length: 600 }, (_, i) => input(i));
    await w.append(db, inputs.slice(0, 300));
    await w.append(db, inputs.slice(300));
    // Level 8 closes at 256 and 512 leaves; level 9 at 512.
    expect(db.subtrees.map(([level, idx]) => `${String(level)}:${String(idx)}`)).toEqual(['8:0', '8:1', '9:0']);
    const leaves = db.ledger.map((row) => row[5] as Buffer);
    expect((db.subtrees[2]![2] as Buffer).equals(rootOf(leaves.slice(0, 512)))).toBe(true);
    expect((db.subtrees[1]![2] as Buffer).equals(rootOf(leaves.slice(256, 512)))).toBe(true);
  });

  it('sends a large batch in chunks of 256 rows, the head with the last; a bad input anywhere sends no row at all', async () => {
    const db = new FakeDb();
    const w = new LedgerWriter();
    const r = await w.append(
      db,
      Array.from({ length: 600 }, (_, i) => input(i)),
    );
    expect(db.statements.map((q) => q.slice(0, 26))).toEqual([
      'SELECT size, chain_hash, f',
      'INSERT INTO audit.ledger (',
      'INSERT INTO audit.ledger (',
      'WITH rows AS ( INSERT INTO',
    ]);
    expect(db.ledger.map((row) => Number(row[0]))).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(db.head.size).toBe('600');
    expect(r.entries[599]!.chainHash.equals(db.head.chain_hash)).toBe(true);
    const bad = new FakeDb();
    const inputs = Array.from({ length: 600 }, (_, i) => input(i));
    inputs[590] = { ...inputs[590]!, ref: '' };
    await expect(w.append(bad, inputs)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    expect(bad.ledger).toEqual([]);
    expect(bad.statements).toHaveLength(1);
  });

  it('parses a text bytea[] frontier and rejects a corrupt head', () => {
    const h = sha256(Buffer.from('x'));
    expect(headFromRow({ size: '1', chain_hash: h, frontier: `{"\\\\x${h.toString('hex')}"}` }).frontier[0]!.equals(h)).toBe(true);
    expect(() => headFromRow({ size: 'x', chain_hash: h, frontier: [] })).toThrow(expect.objectContaining({ code: 'HEAD_INVALID' }));
    expect(() => headFromRow({ size: '0', chain_hash: Buffer.alloc(3), frontier: [] })).toThrow(expect.objectContaining({ code: 'HEAD_INVALID' }));
  });

  it('fails when the head row is missing', async () => {
    const db: SqlExecutor = { query: async () => ({ rows: [] }) };
    await expect(new LedgerWriter().append(db, [input(0)])).rejects.toMatchObject({ code: 'HEAD_INVALID' });
  });
});

describe('row mappers', () => {
  it('map pg rows (bigint as string) to entries and checkpoints, and reject wrong types', () => {
    const h = sha256(Buffer.from('x'));
    const e = ledgerEntryFromRow({ seq: '42', kind: 'run', ref: 'r', ts: '2026-11-22T08:00:00.000Z', payload_hash: h, leaf_hash: h, chain_hash: h });
    expect(e).toMatchObject({ seq: 42, kind: 'run', ts: new Date('2026-11-22T08:00:00.000Z') });
    expect(() => ledgerEntryFromRow({ seq: 'x', kind: 'run', ref: 'r', ts: new Date(), payload_hash: h, leaf_hash: h, chain_hash: h })).toThrow(
      expect.objectContaining({ code: 'MALFORMED_INPUT' }),
    );
    const c = checkpointFromRow({
      tree_size: '7',
      root_hash: h,
      checkpoint_hash: h,
      prev_checkpoint_hash: null,
      note: 'n',
      timestamp_kind: 'local',
      timestamp_token: h,
    });
    expect(c).toMatchObject({ treeSize: 7, prevCheckpointHash: null, timestampKind: 'local' });
  });
});
