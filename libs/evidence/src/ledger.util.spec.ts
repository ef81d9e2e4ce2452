import fc from 'fast-check';
import { GENESIS_CHAIN_HASH, canonicalJson, chainHash, payloadHash } from './hash.util';
import { GENESIS_HEAD, type LedgerInput, appendEntries, entryLeafHash, leafData } from './ledger.util';
import { leafHash, rootOf, CompactRange } from './merkle.util';

const input = (i: number): LedgerInput => ({
  kind: i % 2 ? 'run' : 'lifecycle',
  ref: `ref-${i}`,
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
  payload: { i, name: `row ${i}` },
});

describe('leafData', () => {
  it('is the canonical JSON of { seq, kind, ref, ts, payload_hash }', () => {
    const ph = payloadHash({ a: 1 });
    const data = leafData({ seq: 7, kind: 'run', ref: 'r1', ts: new Date('2026-03-04T05:06:07.089Z'), payloadHash: ph });
    expect(data.toString('utf8')).toBe(`{"kind":"run","payload_hash":"${ph.toString('hex')}","ref":"r1","seq":7,"ts":"2026-03-04T05:06:07.089Z"}`);
  });

  it('equals canonicalJson of the same object for arbitrary kinds, refs, seqs and times', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (kind, ref, seq, ts, ph) => {
          const expected = canonicalJson({ seq, kind, ref, ts: ts.toISOString(), payload_hash: Buffer.from(ph).toString('hex') });
          expect(leafData({ seq, kind, ref, ts, payloadHash: ph }).toString('utf8')).toBe(expected);
        },
      ),
    );
  });

  it('prints ts exactly as toISOString over the whole Date range (years before 1970, before 0 and after 9999)', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), fc.integer({ min: -3, max: 3 }), (ts, dayStep) => {
        // Consecutive calls on nearby days exercise the per-day prefix cache.
        for (const t of [ts, new Date(ts.getTime() + dayStep * 86_400_000 + 1)]) {
          if (Number.isNaN(t.getTime())) continue;
          const text = leafData({ seq: 1, kind: 'run', ref: 'r', ts: t, payloadHash: Buffer.alloc(32) }).toString('utf8');
          expect(text.endsWith(`"ts":"${t.toISOString()}"}`)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['negative seq', { seq: -1 }],
    ['empty kind', { kind: '' }],
    ['empty ref', { ref: '' }],
    ['invalid ts', { ts: new Date(Number.NaN) }],
    ['short payload hash', { payloadHash: Buffer.alloc(31) }],
  ])('rejects %s', (_n, patch) => {
    const base = { seq: 0, kind: 'run', ref: 'r', ts: new Date(0), payloadHash: Buffer.alloc(32) };
    expect(() => leafData({ ...base, ...patch })).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});

describe('appendEntries', () => {
  it('numbers entries from the head, links the chain and keeps the frontier root equal to the full root', () => {
    const first = appendEntries(GENESIS_HEAD, [input(0), input(1), input(2)]);
    const second = appendEntries(first.head, [input(3), input(4)]);
    const all = [...first.entries, ...second.entries];
    expect(all.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    let prev = GENESIS_CHAIN_HASH;
    for (const e of all) {
      expect(e.payloadHash.equals(payloadHash(input(e.seq).payload))).toBe(true);
      expect(e.leafHash.equals(leafHash(leafData(e)))).toBe(true);
      expect(e.chainHash.equals(chainHash(prev, e.leafHash))).toBe(true);
      prev = e.chainHash;
    }
    expect(second.head.size).toBe(5);
    expect(second.head.chainHash.equals(prev)).toBe(true);
    expect(
      CompactRange.fromHashes(5, second.head.frontier)
        .root()
        .equals(rootOf(all.map((e) => e.leafHash))),
    ).toBe(true);
  });

  it('refuses a head whose frontier does not match its size', () => {
    expect(() => appendEntries({ size: 2, chainHash: GENESIS_CHAIN_HASH, frontier: [] }, [input(0)])).toThrow(
      expect.objectContaining({ code: 'HEAD_INVALID' }),
    );
  });
});

describe('entryLeafHash fast path', () => {
  it('equals leafHash(leafData) (SHA-256 of 0x00 ‖ leaf data) on random fields', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (kind, ref, seq, ts, ph) => {
          const f = { seq, kind, ref, ts, payloadHash: ph };
          expect(entryLeafHash(f).equals(leafHash(leafData(f)))).toBe(true);
        },
      ),
    );
  });
});
