import { openCheckpoint } from './checkpoint';
import { DEFAULT_CHECKPOINT_POLICY, CheckpointWriter, checkpointDue } from './checkpoint-writer';
import { GENESIS_HEAD, type LedgerInput, appendEntries } from './ledger.util';
import type { SqlExecutor } from './ledger-writer';
import { LocalStamper } from './local-stamper';
import { NoteKeyring, generateNoteKey, parseSignerKey, verifierKeyOf } from './signed-note';

const ORIGIN = 'auditstack.test/ledger';
const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
const t0 = new Date('2026-11-22T08:00:00.000Z');
const at = (s: number): Date => new Date(t0.getTime() + s * 1000);

describe('checkpointDue', () => {
  const last = { treeSize: 10, createdAt: t0 };
  it.each([
    ['first checkpoint', 0, null, 0, 'tick', true],
    ['1000 new leaves', 1010, last, 1, 'tick', true],
    ['grown and 60 s old', 11, last, 60, 'tick', true],
    ['grown but recent', 11, last, 59, 'tick', false],
    ['idle, before heartbeat', 10, last, 3599, 'tick', false],
    ['idle heartbeat', 10, last, 3600, 'tick', true],
    ['shutdown after growth', 11, last, 1, 'shutdown', true],
    ['shutdown without growth', 10, last, 1, 'shutdown', false],
    ['forced', 10, last, 0, 'force', true],
  ] as const)('%s', (_n, size, l, secs, reason, expected) => {
    expect(checkpointDue(size, l, at(secs), DEFAULT_CHECKPOINT_POLICY, reason)).toBe(expected);
  });
});

class FakeDb implements SqlExecutor {
  head = appendEntries(
    GENESIS_HEAD,
    [0, 1, 2].map((i): LedgerInput => ({ kind: 'run', ref: `r${i}`, ts: t0, payload: { i } })),
  ).head;
  checkpoints: unknown[][] = [];
  async query<R>(text: string, params: unknown[] = []): Promise<{ rows: R[] }> {
    if (text.startsWith('SELECT size')) return { rows: [{ size: String(this.head.size), chain_hash: this.head.chainHash, frontier: this.head.frontier } as R] };
    if (text.startsWith('SELECT tree_size')) {
      const l = this.checkpoints[this.checkpoints.length - 1];
      return { rows: l ? [{ tree_size: l[0], checkpoint_hash: l[2], created_at: l[8] } as R] : [] };
    }
    if (text.startsWith('INSERT INTO audit.checkpoints')) this.checkpoints.push(params);
    return { rows: [] };
  }
}

describe('CheckpointWriter', () => {
  it('creates a chained, signed, timestamped checkpoint when due and nothing when not', async () => {
    let now = at(0);
    const db = new FakeDb();
    const w = new CheckpointWriter({ origin: ORIGIN, signer, stamper: new LocalStamper({ signer, now: () => now }), now: () => now });
    const first = await w.maybeCreate(db);
    expect(first?.checkpoint.body).toMatchObject({ size: 3, prevCheckpointHash: null });
    now = at(10);
    expect(await w.maybeCreate(db)).toBeNull();
    db.head = appendEntries(db.head, [{ kind: 'run', ref: 'r3', ts: now, payload: { i: 3 } }]).head;
    const second = await w.maybeCreate(db, 'shutdown');
    expect(second?.checkpoint.body.prevCheckpointHash?.equals(first!.checkpoint.hash)).toBe(true);
    const ring = NoteKeyring.fromVerifierKeys([verifierKeyOf(signer)]);
    expect(openCheckpoint(second!.checkpoint.note, ring, ORIGIN).body.size).toBe(4);
    expect(second!.anchor).toMatchObject({ treeSize: 4, timestampKind: 'local' });
    expect(db.checkpoints).toHaveLength(2);
  });

  it('refuses a signer whose name is not the origin', () => {
    expect(() => new CheckpointWriter({ origin: 'other/log', signer, stamper: new LocalStamper({ signer }) })).toThrow(
      expect.objectContaining({ code: 'MALFORMED_INPUT' }),
    );
  });
});
