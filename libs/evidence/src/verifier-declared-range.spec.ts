import { createCheckpoint } from './checkpoint';
import type { EvidenceErrorCode } from './evidence.error';
import { type LedgerEntry, type LedgerHead, type LedgerInput, GENESIS_HEAD, appendEntries } from './ledger.util';
import { LocalStamper } from './local-stamper';
import { CompactRange } from './merkle.util';
import { NoteKeyring, generateNoteKey, parseSignerKey, verifierKeyOf } from './signed-note';
import { retentionEntry } from './retention.util';
import { RETENTION_KIND, type DeclaredRange, type StoredCheckpoint, type VerifyInput, type VerifyReport, verifyEvidence } from './verifier';

const ORIGIN = 'auditstack.test/declared';
const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
const keyring = NoteKeyring.fromVerifierKeys([verifierKeyOf(signer)]);
const T0 = Date.UTC(2026, 11, 1, 0, 0, 0);

/** The test's declaring row: a `marker` whose payload is `{ declares: { from_seq, to_seq } }`. */
const declaredRange = (kind: string, payload: unknown): DeclaredRange | null => {
  const d = (payload as { declares?: DeclaredRange } | null)?.declares;
  return kind === 'marker' && d ? d : null;
};

interface Ledger {
  entries: LedgerEntry[];
  rows: Map<string, unknown>;
  tombstones: Map<number, unknown>;
  checkpoints: StoredCheckpoint[];
  head: LedgerHead;
  now: Date;
}

/**
 * A ledger of `inputs` (every leaf one second apart, all fresh: well inside any retention floor)
 * with a signed checkpoint after each size listed in `checkpointAt` and one at the end.
 */
async function build(inputs: readonly LedgerInput[], checkpointAt: readonly number[]): Promise<Ledger> {
  let clock = new Date(T0);
  const stamper = new LocalStamper({ signer, now: () => clock });
  const l: Ledger = { entries: [], rows: new Map(), tombstones: new Map(), checkpoints: [], head: GENESIS_HEAD, now: clock };
  let prev: Buffer | null = null;
  const checkpoint = async (): Promise<void> => {
    const cp = createCheckpoint(
      { origin: ORIGIN, size: l.head.size, rootHash: CompactRange.fromHashes(l.head.size, l.head.frontier).root(), prevCheckpointHash: prev },
      signer,
    );
    const ts = await stamper.stamp(cp.hash);
    l.checkpoints.push({
      treeSize: cp.body.size,
      rootHash: cp.body.rootHash,
      checkpointHash: cp.hash,
      prevCheckpointHash: prev,
      note: cp.note,
      timestampKind: ts.kind,
      timestampToken: ts.token,
    });
    prev = cp.hash;
  };
  for (const [i, input] of inputs.entries()) {
    clock = new Date(T0 + (i + 1) * 1000);
    const r = appendEntries(l.head, [input]);
    l.head = r.head;
    l.entries.push(...r.entries);
    if (input.kind === RETENTION_KIND) l.tombstones.set(i, input.payload);
    else l.rows.set(`${input.kind}/${input.ref}`, input.payload);
    if (checkpointAt.includes(i + 1) || i === inputs.length - 1) await checkpoint();
  }
  l.now = new Date(clock.getTime() + 5_000);
  return l;
}

const row = (i: number, kind = 'tool'): LedgerInput => ({ kind, ref: `r${i}`, ts: new Date(T0 + i * 1000), payload: { i, demo: kind !== 'real' } });
const marker = (seq: number, declares: DeclaredRange): LedgerInput => ({
  kind: 'marker',
  ref: `m${seq}`,
  ts: new Date(T0 + seq * 1000),
  payload: { declares },
});
const tombstone = (seq: number, kind: string, from: number, to: number, declared = true): LedgerInput =>
  retentionEntry({ ref: `t${seq}`, ts: new Date(T0 + seq * 1000), kind, fromSeq: from, toSeq: to, ...(declared ? { declared: true as const } : { days: 30 }) });

function verify(l: Ledger, patch: Partial<VerifyInput> = {}): Promise<VerifyReport> {
  return verifyEvidence({
    entries: l.entries,
    fetchPayload: async (kind, ref) => {
      const key = `${kind}/${ref}`;
      return l.rows.has(key) ? { found: true, payload: l.rows.get(key) } : { found: false };
    },
    rows: [...l.rows.keys()].map((k) => ({ kind: k.split('/')[0]!, ref: k.split('/')[1]! })),
    tombstones: l.tombstones,
    declaredRange,
    checkpoints: l.checkpoints,
    keyring,
    origin: ORIGIN,
    stampers: { local: new LocalStamper({ keyring }) },
    policy: { now: l.now, retentionFloorDays: 30 },
    ...patch,
  });
}

const codes = (r: VerifyReport): EvidenceErrorCode[] => [...new Set(r.problems.map((p) => p.code))].sort();
/** Deletes the rows of `kind` with leaf seq in [from, to]. */
function prune(l: Ledger, kind: string, from: number, to: number): void {
  for (const e of l.entries) if (e.kind === kind && e.seq >= from && e.seq <= to) l.rows.delete(`${kind}/${e.ref}`);
}

/**
 * Layout used below: real rows 0–4 (checkpoint at 5), a demo load of rows 5–9
 * and its declaring marker at 10 in one go, real rows 11–12, tombstone(s) after.
 */
function demoLedger(declares: DeclaredRange = { from_seq: 5, to_seq: 9 }, tombstoneRange: [number, number] = [5, 10]): LedgerInput[] {
  return [
    ...[0, 1, 2, 3, 4].map((i) => row(i, 'real')),
    ...[5, 6, 7, 8, 9].map((i) => row(i)),
    marker(10, declares),
    row(11, 'real'),
    row(12, 'real'),
    tombstone(13, 'tool', ...tombstoneRange),
  ];
}

describe('verifyEvidence — a declared range removed as a whole (the demo fleet)', () => {
  it('accepts fresh rows removed under a declared tombstone when the marker right after them declares exactly that range', async () => {
    const l = await build(demoLedger(), [5, 11]);
    prune(l, 'tool', 5, 9);
    const r = await verify(l);
    expect(r.problems).toEqual([]);
    expect(r.counts.pruned).toBe(5);
  });

  it('a partial check (payloadRange) that stops before the declaring marker still re-hashes it: no false alarm', async () => {
    const l = await build(demoLedger(), [5, 11]);
    prune(l, 'tool', 5, 9);
    const r = await verify(l, { payloadRange: { from: 3, to: 10 } });
    expect(r.problems).toEqual([]);
    expect(r.counts.pruned).toBe(5);
  });

  it('the same fresh rows under an ordinary retention tombstone stay a RETENTION_VIOLATION (the floor is not lifted for anything else)', async () => {
    const inputs = demoLedger();
    inputs[13] = tombstone(13, 'tool', 5, 10, false);
    const l = await build(inputs, [5, 11]);
    prune(l, 'tool', 5, 9);
    expect(codes(await verify(l))).toEqual(['RETENTION_VIOLATION']);
  });

  it('forged declaration over rows already published: a checkpoint inside (from, to] → RETENTION_VIOLATION at the tombstone', async () => {
    // Rows 5–9 were checkpointed at size 8 before the "demo_loaded" marker was appended at 10.
    const l = await build(demoLedger(), [5, 8, 11]);
    prune(l, 'tool', 5, 9);
    const r = await verify(l);
    expect(codes(r)).toEqual(['RETENTION_VIOLATION']);
    expect(r.problems[0]).toMatchObject({ seq: 13, detail: expect.stringContaining('checkpoint of size 8') });
  });

  it('a checkpoint of size to_seq (every row but not the marker) is a split too', async () => {
    const l = await build(demoLedger(), [5, 10, 11]);
    prune(l, 'tool', 5, 9);
    expect(codes(await verify(l))).toEqual(['RETENTION_VIOLATION']);
  });

  it('a tombstone wider or narrower than the declaration → RETENTION_VIOLATION', async () => {
    for (const [declares, range] of [
      [{ from_seq: 6, to_seq: 9 }, [5, 10]],
      [{ from_seq: 5, to_seq: 9 }, [4, 10]],
      [{ from_seq: 5, to_seq: 8 }, [5, 10]],
    ] as [DeclaredRange, [number, number]][]) {
      const l = await build(demoLedger(declares, range), [5, 11]);
      prune(l, 'tool', range[0], 9);
      const r = await verify(l);
      expect(codes(r)).toContain('RETENTION_VIOLATION');
    }
  });

  it('no declaring row at to_seq (a plain row there, or a declaration not right after the range) → RETENTION_VIOLATION', async () => {
    const inputs = demoLedger();
    inputs[10] = row(10, 'real');
    const l = await build(inputs, [5, 11]);
    prune(l, 'tool', 5, 9);
    expect(codes(await verify(l))).toEqual(['RETENTION_VIOLATION']);
  });

  it('a declaring marker edited after the fact declares nothing: PAYLOAD_MISMATCH and RETENTION_VIOLATION', async () => {
    const inputs = demoLedger({ from_seq: 7, to_seq: 9 }, [5, 10]);
    const l = await build(inputs, [5, 11]);
    l.rows.set('marker/m10', { declares: { from_seq: 5, to_seq: 9 } });
    prune(l, 'tool', 5, 9);
    expect(codes(await verify(l))).toEqual(['PAYLOAD_MISMATCH', 'RETENTION_VIOLATION']);
  });

  it('the declaration is honoured only through declaredRange: without it the tombstone is a RETENTION_VIOLATION', async () => {
    const l = await build(demoLedger(), [5, 11]);
    prune(l, 'tool', 5, 9);
    expect(codes(await verify(l, { declaredRange: undefined }))).toEqual(['RETENTION_VIOLATION']);
  });

  it('real rows deleted inside a declared range but of another kind are still LEAF_WITHOUT_ROW', async () => {
    const inputs = demoLedger();
    inputs[7] = row(7, 'real');
    const l = await build(inputs, [5, 11]);
    prune(l, 'tool', 5, 9);
    prune(l, 'real', 7, 7);
    expect(codes(await verify(l))).toEqual(['LEAF_WITHOUT_ROW']);
  });

  it('a declared tombstone that excuses no missing row (rows still there) is no finding', async () => {
    const l = await build(demoLedger(), [5, 8, 11]);
    expect((await verify(l)).problems).toEqual([]);
  });

  it('a tombstone whose declared flag is not `true` is malformed', async () => {
    const l = await build(demoLedger(), [5, 11]);
    l.tombstones.set(13, { ...(l.tombstones.get(13) as object), declared: 'yes' });
    expect(codes(await verify(l))).toContain('MALFORMED_INPUT');
  });
});
