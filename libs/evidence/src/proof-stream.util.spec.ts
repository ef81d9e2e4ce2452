import fc from 'fast-check';
import { CompactRange, consistencyProof, inclusionProof, leafHash, rootOf } from './merkle.util';
import { type SubtreeSource, consistencyProofRanges, hashLeafRanges, hashLeafRangesFrom, inclusionProofRanges } from './proof-stream.util';

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`l${i}`)));
async function* stream(ls: Buffer[]): AsyncIterable<Buffer> {
  yield* ls;
}

describe('streamed proofs', () => {
  it('give the same inclusion proofs as the in-memory generator', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 150 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(20))),
        async ([n, i, extra]) => {
          const ls = leaves(n + extra);
          const got = await hashLeafRanges(inclusionProofRanges(i, n), stream(ls));
          expect(got.map((h) => h.toString('hex'))).toEqual(inclusionProof(ls, i, n).map((h) => h.toString('hex')));
        },
      ),
    );
  });

  it('give the same consistency proofs as the in-memory generator', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 150 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        async ([n, m]) => {
          const ls = leaves(n);
          const got = await hashLeafRanges(consistencyProofRanges(m, n), ls);
          expect(got.map((h) => h.toString('hex'))).toEqual(consistencyProof(ls, m, n).map((h) => h.toString('hex')));
        },
      ),
    );
  });

  it('reports a stream that ends before the proof is complete', async () => {
    await expect(hashLeafRanges(inclusionProofRanges(0, 8), leaves(5))).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
  });
});

/** An in-memory store: the subtrees a writer would have cached (every `keep`-th one), with read counters. */
function memorySource(ls: Buffer[], minLevel: number, keep = 1): SubtreeSource & { leafReads: number; cacheHits: number; cache: Map<string, Buffer> } {
  const cache = new Map<string, Buffer>();
  const range = CompactRange.empty();
  let n = 0;
  for (const l of ls)
    range.append(l, (level, index, hash) => {
      if (level >= minLevel && n++ % keep === 0) cache.set(`${level}:${index}`, hash);
    });
  const src = {
    leafReads: 0,
    cacheHits: 0,
    async subtrees(keys: readonly { level: number; index: number }[]) {
      const out = new Map<string, Buffer>();
      for (const k of keys) {
        const h = cache.get(`${k.level}:${k.index}`);
        if (h) out.set(`${k.level}:${k.index}`, h);
      }
      src.cacheHits += out.size;
      return out;
    },
    async leafHashes(ranges: readonly { lo: number; hi: number }[]) {
      const out = ranges.map((r) => ls.slice(r.lo, Math.min(r.hi, ls.length)));
      src.leafReads += out.reduce((a, x) => a + x.length, 0);
      return out;
    },
    cache,
  };
  return src;
}

const hex = (hs: Buffer[]): string[] => hs.map((h) => h.toString('hex'));

describe('proofs from cached subtrees', () => {
  it('equal the in-memory proofs with a full, a partial or no cache', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(n), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }))),
        async ([n, i, m, keep, minLevel]) => {
          const ls = leaves(n);
          const src = memorySource(ls, minLevel, keep);
          expect(hex(await hashLeafRangesFrom(inclusionProofRanges(i, n), src, minLevel))).toEqual(hex(inclusionProof(ls, i, n)));
          expect(hex(await hashLeafRangesFrom(consistencyProofRanges(m, n), src, minLevel))).toEqual(hex(consistencyProof(ls, m, n)));
          expect(hex(await hashLeafRangesFrom([{ lo: 0, hi: m }], src, minLevel))).toEqual(hex([rootOf(ls.slice(0, m))]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('read O(log n) cached hashes and fewer than 2 × 2^minLevel leaves when the cache is full', async () => {
    const n = 10_000;
    const ls = leaves(n);
    for (const [index, size] of [
      [0, n],
      [1234, n],
      [n - 1, n],
      [4097, 5000],
    ] as const) {
      const src = memorySource(ls, 4);
      const proof = await hashLeafRangesFrom(inclusionProofRanges(index, size), src, 4);
      expect(hex(proof)).toEqual(hex(inclusionProof(ls, index, size)));
      expect(src.leafReads).toBeLessThan(2 * 2 ** 4);
      expect(src.cacheHits).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    }
  });

  it('give a proof that fails verification, not a wrong success, from a tampered cache; and report missing leaves', async () => {
    const ls = leaves(64);
    const src = memorySource(ls, 2);
    for (const k of src.cache.keys()) src.cache.set(k, Buffer.alloc(32, 7));
    const proof = await hashLeafRangesFrom(inclusionProofRanges(5, 64), src, 2);
    expect(hex(proof)).not.toEqual(hex(inclusionProof(ls, 5, 64)));
    await expect(hashLeafRangesFrom(inclusionProofRanges(0, 80), memorySource(ls, 8), 8)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
  });
});
