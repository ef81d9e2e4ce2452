import fc from 'fast-check';
import { createCheckpoint } from './checkpoint';
import type { EvidenceErrorCode } from './evidence.error';
import type { AnchorRecord } from './file-anchor-sink';
import { type LedgerEntry, type LedgerHead, type LedgerInput, GENESIS_HEAD, appendEntries } from './ledger.util';
import { LocalStamper } from './local-stamper';
import { CompactRange } from './merkle.util';
import { NoteKeyring, generateNoteKey, parseSignerKey, verifierKeyOf } from './signed-note';
import { retentionEntry } from './retention.util';
import { RETENTION_KIND, type StoredCheckpoint, type VerifyInput, type VerifyReport, verifyEvidence } from './verifier';

const ORIGIN = 'auditstack.test/ledger';
const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
const keyring = NoteKeyring.fromVerifierKeys([verifierKeyOf(signer)]);
const T0 = Date.UTC(2026, 10, 22, 0, 0, 0);

interface Fixture {
  entries: LedgerEntry[];
  rows: Map<string, unknown>;
  tombstones: Map<number, unknown>;
  checkpoints: StoredCheckpoint[];
  anchors: AnchorRecord[];
  head: LedgerHead;
  now: Date;
}

/** Builds a valid ledger of `n` leaves with a checkpoint every `every` leaves (and one at the end). */
async function build(n: number, every: number, extra: (i: number) => LedgerInput | null = () => null): Promise<Fixture> {
  let clock = new Date(T0);
  const stamper = new LocalStamper({ signer, now: () => clock });
  const fx: Fixture = { entries: [], rows: new Map(), tombstones: new Map(), checkpoints: [], anchors: [], head: GENESIS_HEAD, now: clock };
  let prevHash: Buffer | null = null;
  const checkpoint = async (): Promise<void> => {
    const range = CompactRange.fromHashes(fx.head.size, fx.head.frontier);
    const cp = createCheckpoint({ origin: ORIGIN, size: fx.head.size, rootHash: range.root(), prevCheckpointHash: prevHash }, signer);
    const ts = await stamper.stamp(cp.hash);
    fx.checkpoints.push({
      treeSize: cp.body.size,
      rootHash: cp.body.rootHash,
      checkpointHash: cp.hash,
      prevCheckpointHash: prevHash,
      note: cp.note,
      timestampKind: ts.kind,
      timestampToken: ts.token,
    });
    fx.anchors.push({
      treeSize: cp.body.size,
      rootHash: cp.body.rootHash.toString('hex'),
      checkpointHash: cp.hash.toString('hex'),
      note: cp.note,
      timestampKind: ts.kind,
      timestampToken: ts.token.toString('base64'),
      anchoredAt: clock.toISOString(),
    });
    prevHash = cp.hash;
  };
  for (let i = 0; i < n; i++) {
    clock = new Date(T0 + (i + 1) * 1000);
    const input: LedgerInput = extra(i) ?? { kind: i % 3 ? 'run' : 'lifecycle', ref: `r${i}`, ts: clock, payload: { i, status: 'ok', at: clock } };
    const r = appendEntries(fx.head, [input]);
    fx.head = r.head;
    fx.entries.push(...r.entries);
    if (input.kind === RETENTION_KIND) fx.tombstones.set(i, input.payload);
    else fx.rows.set(`${input.kind}/${input.ref}`, input.payload);
    if ((i + 1) % every === 0 || i === n - 1) await checkpoint();
  }
  fx.now = new Date(clock.getTime() + 5_000);
  return fx;
}

const DAY = 86_400_000;

/** Leaf `i` as a back-dated event (40 days before T0) for the first 10 leaves: old enough for any retention of ≤ 30 days. */
function oldRow(i: number): LedgerInput | null {
  if (i >= 10) return null;
  const ts = new Date(T0 - 40 * DAY + i * 1000);
  return { kind: i % 3 ? 'run' : 'lifecycle', ref: `r${i}`, ts, payload: { i, status: 'ok', at: ts } };
}

function inputOf(fx: Fixture, patch: Partial<VerifyInput> = {}): VerifyInput {
  return {
    entries: fx.entries,
    fetchPayload: async (kind, ref) => {
      const key = `${kind}/${ref}`;
      return fx.rows.has(key) ? { found: true, payload: fx.rows.get(key) } : { found: false };
    },
    rows: [...fx.rows.keys()].map((k) => ({ kind: k.split('/')[0]!, ref: k.split('/')[1]! })),
    tombstones: fx.tombstones,
    checkpoints: fx.checkpoints,
    anchors: fx.anchors,
    head: fx.head,
    keyring,
    origin: ORIGIN,
    stampers: { local: new LocalStamper({ keyring }) },
    policy: { now: fx.now, maxUncoveredLeaves: 10, maxUncoveredSeconds: 60, heartbeatSeconds: 3600 },
    ...patch,
  };
}

const codes = (r: VerifyReport): EvidenceErrorCode[] => [...new Set(r.problems.map((p) => p.code))].sort();
const clone = (fx: Fixture): Fixture => ({
  ...fx,
  entries: fx.entries.map((e) => ({ ...e })),
  rows: new Map(fx.rows),
  tombstones: new Map(fx.tombstones),
  checkpoints: fx.checkpoints.map((c) => ({ ...c })),
  anchors: fx.anchors.map((a) => ({ ...a })),
});
const flip = (b: Buffer): Buffer => {
  const c = Buffer.from(b);
  c[0]! ^= 1;
  return c;
};

describe('verifyEvidence', () => {
  let base: Fixture;
  beforeAll(async () => {
    base = await build(40, 8);
  });

  it('passes an untouched ledger and reports progress', async () => {
    const phases: string[] = [];
    const r = await verifyEvidence({ ...inputOf(base), onProgress: (p) => phases.push(p.phase) });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({ entries: 40, payloadsChecked: 40, rows: 40, checkpoints: 5, validCheckpoints: 5, anchors: 5 });
    expect(phases).toEqual(expect.arrayContaining(['checkpoints', 'entries', 'rows', 'anchors', 'done']));
  });

  it('uses batched lookups when given, one call per batch', async () => {
    const calls: number[] = [];
    const r = await verifyEvidence({
      ...inputOf(base),
      fetchPayload: undefined,
      batchSize: 16,
      fetchPayloads: async (keys) => {
        calls.push(keys.length);
        return keys.map((k) => ({ found: true as const, payload: base.rows.get(`${k.kind}/${k.ref}`) }));
      },
    });
    expect(r.ok).toBe(true);
    expect(calls).toEqual([16, 16, 8]);
  });

  it('fails closed when a payload lookup throws or answers short', async () => {
    const throwing = await verifyEvidence({ ...inputOf(base), fetchPayload: async () => Promise.reject(new Error('db down')) });
    expect(throwing.ok).toBe(false);
    const short = await verifyEvidence({ ...inputOf(base), fetchPayload: undefined, fetchPayloads: async () => [] });
    expect(codes(short)).toContain('MALFORMED_INPUT');
  });

  it('accepts entries from an async iterable (streaming)', async () => {
    async function* gen(): AsyncIterable<LedgerEntry> {
      yield* base.entries;
    }
    expect((await verifyEvidence(inputOf(base, { entries: gen() }))).ok).toBe(true);
  });

  it('legitimate retention: pruned rows covered by a tombstone produce no problem', async () => {
    const fx = await build(24, 8, (i) =>
      i === 20
        ? { kind: RETENTION_KIND, ref: 'retention-1', ts: new Date(T0 + 21_000), payload: { kind: 'run', from_seq: 0, to_seq: 10, reason: 'test' } }
        : oldRow(i),
    );
    for (let i = 0; i < 10; i++) if (i % 3) fx.rows.delete(`run/r${i}`);
    const r = await verifyEvidence(inputOf(fx));
    expect(r.problems).toEqual([]);
    expect(r.counts.pruned).toBe(6);
  });

  const cases: [EvidenceErrorCode, string, (fx: Fixture) => Partial<VerifyInput> | void][] = [
    ['PAYLOAD_MISMATCH', 'a stored row is updated', (fx) => void fx.rows.set('run/r4', { i: 4, status: 'tampered' })],
    [
      'LEAF_MISMATCH',
      'a ledger payload_hash is edited (leaf not recomputed)',
      (fx) => void (fx.entries[5] = { ...fx.entries[5]!, payloadHash: flip(fx.entries[5]!.payloadHash) }),
    ],
    [
      'CHAIN_BROKEN',
      'a leaf_hash and payload are rewritten consistently but not the chain',
      (fx) => {
        fx.entries[6] = { ...fx.entries[6]!, chainHash: flip(fx.entries[6]!.chainHash) };
      },
    ],
    ['ROW_WITHOUT_LEAF', 'a forged row is inserted', (fx) => void fx.rows.set('run/forged', { i: -1 })],
    ['LEAF_WITHOUT_ROW', 'a row is deleted without a tombstone', (fx) => void fx.rows.delete('run/r7')],
    ['SEQUENCE_GAP', 'a ledger row is deleted', (fx) => void fx.entries.splice(12, 1)],
    ['SEQUENCE_GAP', 'the tail is truncated below the last checkpoint', (fx) => ({ entries: fx.entries.slice(0, 37), head: undefined })],
    [
      'ROOT_MISMATCH',
      'the whole chain is rewritten after an edit (chain re-hashed)',
      (fx) => {
        const rewritten = appendEntries(
          GENESIS_HEAD,
          fx.entries.map((e, i) => ({ kind: e.kind, ref: e.ref, ts: e.ts, payload: i === 3 ? { forged: true } : fx.rows.get(`${e.kind}/${e.ref}`) })),
        );
        fx.entries = rewritten.entries;
        fx.rows.set(`${fx.entries[3]!.kind}/${fx.entries[3]!.ref}`, { forged: true });
        return { entries: fx.entries, head: rewritten.head };
      },
    ],
    ['CHECKPOINT_CHAIN_BROKEN', 'a checkpoint is dropped', (fx) => void fx.checkpoints.splice(2, 1)],
    [
      'SIGNATURE_INVALID',
      'a checkpoint note is edited',
      (fx) => {
        const c = fx.checkpoints[1]!;
        fx.checkpoints[1] = { ...c, note: c.note.replace(`\n${c.treeSize}\n`, `\n${c.treeSize + 1}\n`) };
      },
    ],
    [
      'UNKNOWN_KEY',
      'a checkpoint is re-signed with an unknown key',
      (fx) => {
        const other = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
        const c = fx.checkpoints[4]!;
        const text = c.note.slice(0, c.note.lastIndexOf('\n\n') + 1);
        const cp = createCheckpoint({ origin: ORIGIN, size: c.treeSize, rootHash: c.rootHash, prevCheckpointHash: c.prevCheckpointHash }, other);
        expect(cp.text).toBe(text);
        fx.checkpoints[4] = { ...c, note: cp.note };
      },
    ],
    [
      'TIMESTAMP_INVALID',
      "a timestamp token is swapped for another checkpoint's",
      (fx) => {
        fx.checkpoints[2] = { ...fx.checkpoints[2]!, timestampToken: fx.checkpoints[1]!.timestampToken };
      },
    ],
    [
      'UNCOVERED_TAIL',
      'more leaves than allowed after the last checkpoint',
      (fx) => ({ checkpoints: fx.checkpoints.slice(0, 3), anchors: fx.anchors.slice(0, 3) }),
    ],
    ['ANCHOR_MISSING', 'an anchor line is deleted', (fx) => void fx.anchors.splice(1, 1)],
    ['ANCHOR_INCONSISTENT', 'an anchor line is edited', (fx) => void (fx.anchors[3] = { ...fx.anchors[3]!, rootHash: 'f'.repeat(64) })],
    [
      'CADENCE_VIOLATION',
      'no checkpoint for longer than the heartbeat',
      (fx) => ({ policy: { now: new Date(fx.now.getTime() + 2 * 3600_000), maxUncoveredLeaves: 10, maxUncoveredSeconds: 1e9, heartbeatSeconds: 3600 } }),
    ],
    ['MALFORMED_INPUT', 'a stored hash column has the wrong length', (fx) => void (fx.entries[9] = { ...fx.entries[9]!, leafHash: Buffer.alloc(3) })],
  ];

  it.each(cases)('detects %s when %s', async (expected, _desc, mutate) => {
    const fx = clone(base);
    const patch = mutate(fx) ?? {};
    const r = await verifyEvidence(inputOf(fx, patch));
    expect(r.ok).toBe(false);
    expect(codes(r)).toContain(expected);
  });

  it('locates a PAYLOAD_MISMATCH at the exact seq', async () => {
    const fx = clone(base);
    fx.rows.set('lifecycle/r9', { i: 9, status: 'tampered' });
    const r = await verifyEvidence(inputOf(fx));
    expect(r.problems).toEqual([expect.objectContaining({ code: 'PAYLOAD_MISMATCH', seq: 9 })]);
  });

  it('reports INCONSISTENT_CHECKPOINTS when an earlier signed root contradicts a later one that matches the data', async () => {
    const fx = clone(base);
    const c = fx.checkpoints[1]!;
    const wrong = createCheckpoint({ origin: ORIGIN, size: c.treeSize, rootHash: flip(c.rootHash), prevCheckpointHash: c.prevCheckpointHash }, signer);
    const ts = await new LocalStamper({ signer, now: () => new Date(T0 + 16_000) }).stamp(wrong.hash);
    fx.checkpoints[1] = { ...c, note: wrong.note, rootHash: wrong.body.rootHash, checkpointHash: wrong.hash, timestampToken: ts.token };
    const r = await verifyEvidence(inputOf(fx, { anchors: undefined }));
    expect(codes(r)).toEqual(expect.arrayContaining(['INCONSISTENT_CHECKPOINTS', 'ROOT_MISMATCH']));
  });

  it('retentionEntry builds a tombstone the verifier honours, and refuses a bad range', async () => {
    const fx = await build(12, 6, (i) =>
      i === 10 ? retentionEntry({ ref: 'ret-2', ts: new Date(T0 + 11_000), kind: 'lifecycle', fromSeq: 0, toSeq: 10, refs: ['r0', 'r3'] }) : oldRow(i),
    );
    fx.rows.delete('lifecycle/r0');
    fx.rows.delete('lifecycle/r3');
    expect((await verifyEvidence(inputOf(fx))).problems).toEqual([]);
    fx.rows.delete('lifecycle/r6');
    expect(codes(await verifyEvidence(inputOf(fx)))).toEqual(['LEAF_WITHOUT_ROW']);
    expect(() => retentionEntry({ ref: 'x', ts: new Date(), kind: 'run', fromSeq: 5, toSeq: 4 })).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });

  it('refuses a tombstone that does not hash to its retention entry', async () => {
    const fx = await build(24, 8, (i) =>
      i === 20 ? { kind: RETENTION_KIND, ref: 'retention-1', ts: new Date(T0 + 21_000), payload: { kind: 'run', from_seq: 0, to_seq: 10 } } : null,
    );
    fx.tombstones.set(20, { kind: 'run', from_seq: 0, to_seq: 20 });
    const r = await verifyEvidence(inputOf(fx));
    expect(codes(r)).toContain('PAYLOAD_MISMATCH');
  });

  it('every code in the table above is exercised', () => {
    const covered = new Set(cases.map(([c]) => c));
    for (const c of [
      'CHAIN_BROKEN',
      'LEAF_MISMATCH',
      'PAYLOAD_MISMATCH',
      'ROW_WITHOUT_LEAF',
      'LEAF_WITHOUT_ROW',
      'SEQUENCE_GAP',
      'ROOT_MISMATCH',
      'CHECKPOINT_CHAIN_BROKEN',
      'SIGNATURE_INVALID',
      'UNKNOWN_KEY',
      'TIMESTAMP_INVALID',
      'UNCOVERED_TAIL',
      'ANCHOR_MISSING',
      'ANCHOR_INCONSISTENT',
      'CADENCE_VIOLATION',
    ] as const) {
      expect(covered.has(c)).toBe(true);
    }
  });
});

describe('verifyEvidence — in-memory tamper fuzzer', () => {
  type Mutation = [EvidenceErrorCode, (fx: Fixture, pick: number) => Partial<VerifyInput> | void];
  const mutations: Mutation[] = [
    [
      'PAYLOAD_MISMATCH',
      (fx, p) => {
        const key = [...fx.rows.keys()][p % fx.rows.size]!;
        fx.rows.set(key, { ...(fx.rows.get(key) as object), status: 'edited' });
      },
    ],
    ['LEAF_WITHOUT_ROW', (fx, p) => void fx.rows.delete([...fx.rows.keys()][p % fx.rows.size]!)],
    ['ROW_WITHOUT_LEAF', (fx, p) => void fx.rows.set(`run/forged-${p}`, { forged: p })],
    [
      'LEAF_MISMATCH',
      (fx, p) => {
        const i = p % (fx.entries.length - 1);
        const a = fx.entries[i]!;
        const b = fx.entries[i + 1]!;
        fx.entries[i] = { ...b, seq: a.seq };
        fx.entries[i + 1] = { ...a, seq: b.seq };
      },
    ],
    [
      'LEAF_MISMATCH',
      (fx, p) => {
        const i = p % fx.entries.length;
        fx.entries[i] = { ...fx.entries[i]!, ts: new Date(fx.entries[i]!.ts.getTime() + 1) };
      },
    ],
    ['SEQUENCE_GAP', (fx, p) => void fx.entries.splice(p % fx.entries.length, 1)],
    ['SEQUENCE_GAP', (fx, p) => ({ entries: fx.entries.slice(0, fx.entries.length - 1 - (p % 5)), head: undefined })],
    ['CHECKPOINT_CHAIN_BROKEN', (fx, p) => void fx.checkpoints.splice(p % (fx.checkpoints.length - 1), 1)],
    ['ANCHOR_INCONSISTENT', (fx) => void fx.checkpoints.pop()],
    [
      'ANCHOR_INCONSISTENT',
      (fx, p) => {
        const i = p % fx.anchors.length;
        fx.anchors[i] = { ...fx.anchors[i]!, treeSize: fx.anchors[i]!.treeSize + 1 };
      },
    ],
    // A line between two anchored ones: the first and last lines are the trust state's to guard (see the store).
    ['ANCHOR_MISSING', (fx, p) => void fx.anchors.splice(1 + (p % (fx.anchors.length - 2)), 1)],
    [
      'UNKNOWN_KEY',
      (fx, p) => {
        const i = p % fx.checkpoints.length;
        const c = fx.checkpoints[i]!;
        const rogue = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
        fx.checkpoints[i] = {
          ...c,
          note: createCheckpoint({ origin: ORIGIN, size: c.treeSize, rootHash: c.rootHash, prevCheckpointHash: c.prevCheckpointHash }, rogue).note,
        };
      },
    ],
  ];
  let base: Fixture;
  beforeAll(async () => {
    base = await build(60, 7);
  });

  it('detects every random mutation with its code, and raises nothing on the untouched ledger', async () => {
    expect((await verifyEvidence(inputOf(base))).ok).toBe(true);
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(mutations.length - 1), fc.nat(10_000), async (m, pick) => {
        const [expected, mutate] = mutations[m]!;
        const fx = clone(base);
        const patch = mutate(fx, pick) ?? {};
        const r = await verifyEvidence(inputOf(fx, patch));
        applied++;
        expect(r.ok).toBe(false);
        expect(codes(r)).toContain(expected);
      }),
      { numRuns: 200 },
    );
    expect(applied).toBe(200);
  });
});

describe('verifyEvidence entry sources', () => {
  it('gives the same report for an array, an async stream and pages of the same entries', async () => {
    const inputs = Array.from({ length: 25 }, (_, i) => ({ kind: 'run', ref: `r${i}`, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), payload: { i } }));
    const { entries, head } = appendEntries(GENESIS_HEAD, inputs);
    const payloads = new Map(inputs.map((i) => [i.ref, i.payload]));
    const base = {
      fetchPayload: async (_k: string, ref: string) => ({ found: true as const, payload: payloads.get(ref) }),
      checkpoints: [],
      head,
      keyring: new NoteKeyring([]),
      origin: 'o',
      stampers: {},
      policy: { maxUncoveredLeaves: 100, maxUncoveredSeconds: 1e12 },
      batchSize: 7,
    };
    async function* stream() {
      yield* entries;
    }
    async function* pages() {
      for (let i = 0; i < entries.length; i += 10) yield entries.slice(i, i + 10);
    }
    const a = await verifyEvidence({ ...base, entries });
    const b = await verifyEvidence({ ...base, entries: stream() });
    const c = await verifyEvidence({ ...base, entries: [], entryPages: pages() });
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(a.counts).toMatchObject({ entries: 25, payloadsChecked: 25 });
    expect(a.ok).toBe(true);
  });
});

describe('verifyEvidence — retention tombstones cannot lie', () => {
  it('RETENTION_VIOLATION when a tombstone prunes rows younger than the retention period (forged tombstone over fresh rows)', async () => {
    const fx = await build(24, 8, (i) =>
      i === 20 ? retentionEntry({ ref: 'forged', ts: new Date(T0 + 21_000), kind: 'run', fromSeq: 0, toSeq: 10, days: 30 }) : null,
    );
    for (let i = 0; i < 10; i++) if (i % 3) fx.rows.delete(`run/r${i}`);
    const r = await verifyEvidence(inputOf(fx, { policy: { ...inputOf(fx).policy, retentionFloorDays: 30 } }));
    expect(codes(r)).toEqual(['RETENTION_VIOLATION']);
    expect(r.problems[0]).toMatchObject({ code: 'RETENTION_VIOLATION', seq: 20 });
    expect(r.problems[0]!.detail).toMatch(/leaf 8 is dated/);
  });

  it('RETENTION_VIOLATION when the tombstone post-dates itself: its time is capped by the signed checkpoint that covers it', async () => {
    const future = new Date(T0 + 400 * DAY);
    const fx = await build(24, 8, (i) => (i === 20 ? retentionEntry({ ref: 'post-dated', ts: future, kind: 'run', fromSeq: 0, toSeq: 10, days: 30 }) : null));
    for (let i = 0; i < 10; i++) if (i % 3) fx.rows.delete(`run/r${i}`);
    const r = await verifyEvidence(
      inputOf(fx, { policy: { ...inputOf(fx).policy, now: new Date(T0 + 401 * DAY), maxUncoveredSeconds: 1e12, heartbeatSeconds: 1e9 } }),
    );
    expect(codes(r)).toEqual(['RETENTION_VIOLATION']);
  });

  it('RETENTION_VIOLATION when a tombstone applies a period below the pinned floor, even over old rows', async () => {
    const fx = await build(24, 8, (i) =>
      i === 20 ? retentionEntry({ ref: 'short', ts: new Date(T0 + 21_000), kind: 'run', fromSeq: 0, toSeq: 10, days: 7 }) : oldRow(i),
    );
    for (let i = 0; i < 10; i++) if (i % 3) fx.rows.delete(`run/r${i}`);
    const r = await verifyEvidence(inputOf(fx, { policy: { ...inputOf(fx).policy, retentionFloorDays: 30 } }));
    expect(codes(r)).toEqual(['RETENTION_VIOLATION']);
    expect(r.problems[0]!.detail).toMatch(/below the pinned floor of 30/);
    const legit = await verifyEvidence(inputOf(fx, { policy: { ...inputOf(fx).policy, retentionFloorDays: 7 } }));
    expect(legit.problems).toEqual([]);
    expect(legit.counts.pruned).toBe(6);
  });
});

describe('verifyEvidence — no false alarms', () => {
  const withAppend = (fx: Fixture, appendedAt: (i: number) => Date): Fixture => ({
    ...fx,
    entries: fx.entries.map((e, i) => ({ ...e, appendedAt: appendedAt(i) })),
  });

  it('a burst of uncovered leaves appended just now is not late (no count rule), nor is a back-filled event dated hours ago', async () => {
    const fx = await build(40, 8, (i) => (i >= 33 ? { kind: 'run', ref: `late${i}`, ts: new Date(T0 - 2 * 3600_000), payload: { i } } : null));
    // Cover only up to 32: leaves 32..39 are uncovered, appended 1 s before "now", and 7 of them are dated two hours ago.
    const cut = { checkpoints: fx.checkpoints.filter((c) => c.treeSize <= 32), anchors: fx.anchors.filter((a) => a.treeSize <= 32) };
    const fresh = withAppend(fx, () => new Date(fx.now.getTime() - 1000));
    const r = await verifyEvidence(
      inputOf(fresh, { ...cut, entries: fresh.entries, policy: { now: fx.now, maxUncoveredSeconds: 120, heartbeatSeconds: 3600 } }),
    );
    expect(r.problems).toEqual([]);
  });

  it('UNCOVERED_TAIL once the oldest uncovered leaf was APPENDED longer ago than the cadence plus grace (a crashed writer)', async () => {
    const fx = await build(40, 8);
    const cut = { checkpoints: fx.checkpoints.filter((c) => c.treeSize <= 32), anchors: fx.anchors.filter((a) => a.treeSize <= 32) };
    const stale = withAppend(fx, () => new Date(fx.now.getTime() - 121_000));
    const r = await verifyEvidence(
      inputOf(stale, { ...cut, entries: stale.entries, policy: { now: fx.now, maxUncoveredSeconds: 120, heartbeatSeconds: 3600 } }),
    );
    expect(codes(r)).toEqual(['UNCOVERED_TAIL']);
    expect(r.problems[0]).toMatchObject({ seq: 32 });
    // An append time that cannot be read (NULL, edited) is judged as old: it cannot hide a stalled cadence.
    const unreadable = withAppend(fx, () => new Date(Number.NaN));
    const u = await verifyEvidence(
      inputOf(unreadable, { ...cut, entries: unreadable.entries, policy: { now: fx.now, maxUncoveredSeconds: 120, heartbeatSeconds: 3600 } }),
    );
    expect(codes(u)).toEqual(['UNCOVERED_TAIL']);
  });

  it('checkpoints before the first anchored one are "before anchoring began" (the seam clears), not ANCHOR_MISSING', async () => {
    const fx = await build(60, 7);
    const r = await verifyEvidence(inputOf(fx, { anchors: fx.anchors.slice(3) }));
    expect(r.problems).toEqual([]);
    expect(r.counts.beforeAnchoring).toBe(3);
    const none = await verifyEvidence(inputOf(fx, { anchors: [] }));
    expect(none.problems).toEqual([]);
    expect(none.counts.beforeAnchoring).toBe(fx.checkpoints.length);
  });

  it('the newest checkpoint may wait for its anchor within the grace; after it, ANCHOR_MISSING', async () => {
    const fx = await build(60, 7);
    const anchors = fx.anchors.slice(0, -1);
    const pending = await verifyEvidence(inputOf(fx, { anchors }));
    expect(pending.problems).toEqual([]);
    expect(pending.counts.anchorsPending).toBe(1);
    const late = await verifyEvidence(
      inputOf(fx, { anchors, policy: { now: new Date(fx.now.getTime() + 600_000), maxUncoveredSeconds: 60, anchorGraceSeconds: 60, heartbeatSeconds: 3600 } }),
    );
    expect(codes(late)).toEqual(['ANCHOR_MISSING']);
  });

  it('a leaf dated 9999-12-31T23:59:59Z (accepted, far future) verifies like any other', async () => {
    const fx = await build(10, 5, (i) =>
      i === 4 ? { kind: 'run', ref: 'far', ts: new Date('9999-12-31T23:59:59Z'), payload: { at: '9999-12-31T23:59:59.000Z' } } : null,
    );
    const r = await verifyEvidence(inputOf(fx));
    expect(r.problems).toEqual([]);
  });
});
