import fc from 'fast-check';
import { consistencyProof, inclusionProof, leafHash } from './merkle.util';
import { consistencyProofRanges, hashLeafRanges, inclusionProofRanges } from './proof-stream.util';

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`l${i}`)));
async function* stream(ls: Buffer[]): AsyncIterable<Buffer> {
  yield* ls;
}

describe('streamed proofs', () => {
  it('give the same inclusion proofs as the in-memory generator', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 150 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(20))), async ([n, i, extra]) => {
        const ls = leaves(n + extra);
        const got = await hashLeafRanges(inclusionProofRanges(i, n), stream(ls));
        expect(got.map((h) => h.toString('hex'))).toEqual(inclusionProof(ls, i, n).map((h) => h.toString('hex')));
      }),
    );
  });

  it('give the same consistency proofs as the in-memory generator', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 150 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))), async ([n, m]) => {
        const ls = leaves(n);
        const got = await hashLeafRanges(consistencyProofRanges(m, n), ls);
        expect(got.map((h) => h.toString('hex'))).toEqual(consistencyProof(ls, m, n).map((h) => h.toString('hex')));
      }),
    );
  });

  it('reports a stream that ends before the proof is complete', async () => {
    await expect(hashLeafRanges(inclusionProofRanges(0, 8), leaves(5))).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
  });
});
