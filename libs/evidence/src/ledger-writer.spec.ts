import { sha256 } from './hash.util';
import type { LedgerInput } from './ledger.util';
import { LedgerWriter, LEDGER_LOCK_KEY, type SqlExecutor, checkpointFromRow, headFromRow, ledgerEntryFromRow } from './ledger-writer';

const input = (i: number): LedgerInput => ({
  kind: i % 2 ? 'run' : 'lifecycle',
  ref: `ref-${i}`,
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  payload: { i, name: `row ${i}` },
});

/** In-memory stand-in for the three statements the writer issues. */
class FakeDb implements SqlExecutor {
  readonly statements: string[] = [];
  readonly ledger: unknown[][] = [];
  head: { size: string; chain_hash: Buffer; frontier: Buffer[] | string } = { size: '0', chain_hash: Buffer.alloc(32), frontier: '{}' };

  async query<R>(text: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    this.statements.push(text.split('\n')[0]!.trim());
    if (text.startsWith('SELECT size')) return { rows: [this.head as unknown as R] };
    if (text.startsWith('INSERT')) {
      const cols = params as unknown[][];
      cols[0]!.forEach((_, i) => this.ledger.push(cols.map((c) => c[i])));
    }
    if (text.startsWith('UPDATE')) {
      this.head = { size: params[0] as string, chain_hash: params[1] as Buffer, frontier: params[2] as Buffer[] };
    }
    return { rows: [] };
  }
}

describe('LedgerWriter', () => {
  it('locks, reads the head for update, inserts with unnest and moves the head', async () => {
    const db = new FakeDb();
    const w = new LedgerWriter();
    await w.append(db, [input(0), input(1)]);
    const r = await w.append(db, [input(2)]);
    expect(db.statements.slice(0, 4)).toEqual([
      `SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`,
      'SELECT size, chain_hash, frontier FROM audit.ledger_head WHERE id = 1 FOR UPDATE',
      'INSERT INTO audit.ledger (seq, kind, ref, ts, payload_hash, leaf_hash, chain_hash)',
      'UPDATE audit.ledger_head SET size = $1, chain_hash = $2, frontier = $3::bytea[], updated_at = now() WHERE id = 1',
    ]);
    expect(db.ledger.map((row) => row[0])).toEqual(['0', '1', '2']);
    expect(r.head.size).toBe(3);
    expect(db.head.size).toBe('3');
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
    const c = checkpointFromRow({ tree_size: '7', root_hash: h, checkpoint_hash: h, prev_checkpoint_hash: null, note: 'n', timestamp_kind: 'local', timestamp_token: h });
    expect(c).toMatchObject({ treeSize: 7, prevCheckpointHash: null, timestampKind: 'local' });
  });
});
