import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CompactRange,
  assertConsistency,
  assertInclusion,
  EMPTY_ROOT,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.util';
import { sha256 } from './hash.util';

interface InclusionProbe {
  file: string;
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyProbe {
  file: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface Vectors {
  leafInputsHex: string[];
  nodeHashesHex: string[][];
  rootHashesHex: string[];
  compactTrees: [number, number][][];
  someHashHex: string;
  inclusionProofs: { leaf: number; size: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
  consistencyEdgeCases: {
    cases: { size1: number; size2: number; root1: string; root2: string; proof: 'none' | 'emptyRoot'; wantErr: boolean }[];
  };
  inclusionProbes: InclusionProbe[];
  consistencyProbes: ConsistencyProbe[];
}

const V = JSON.parse(readFileSync(join(__dirname, 'testdata', 'transparency-dev-merkle.json'), 'utf8')) as Vectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const leaves = V.leafInputsHex.map((h) => leafHash(hex(h)));
const roots = V.rootHashesHex.map(hex);
const someHash = hex(V.someHashHex);

/** The mutations transparency-dev/merkle applies to every known-good inclusion proof (verify_test.go). */
function inclusionMutations(index: number, size: number, proof: Buffer[], root: Buffer, leaf: Buffer): [string, number, number, Buffer, Buffer, Buffer[]][] {
  const out: [string, number, number, Buffer, Buffer, Buffer[]][] = [
    ['index - 1', index - 1, size, root, leaf, proof],
    ['index + 1', index + 1, size, root, leaf, proof],
    ['index ^ 2', index ^ 2, size, root, leaf, proof],
    ['size * 2', index, size * 2, root, leaf, proof],
    ['size / 2', index, Math.floor(size / 2), root, leaf, proof],
    ['wrong leaf', index, size, root, Buffer.from('WrongLeaf'), proof],
    ['empty root', index, size, EMPTY_ROOT, leaf, proof],
    ['random root', index, size, someHash, leaf, proof],
    ['trailing garbage', index, size, root, leaf, [...proof, Buffer.alloc(0)]],
    ['trailing root', index, size, root, leaf, [...proof, root]],
    ['preceding garbage', index, size, root, leaf, [Buffer.alloc(0), ...proof]],
    ['preceding root', index, size, root, leaf, [root, ...proof]],
  ];
  proof.forEach((_, i) => {
    const p = proof.map((x) => Buffer.from(x));
    p[i]![0]! ^= 8;
    out.push([`proof[${i}] bit 3`, index, size, root, leaf, p]);
  });
  if (proof.length > 0) out.push(['removed component', index, size, root, leaf, proof.slice(0, -1)]);
  if (proof.length > 1) out.push(['inserted component', index, size, root, leaf, [proof[0]!, someHash, ...proof.slice(1)]]);
  return out;
}

function consistencyMutations(
  size1: number,
  size2: number,
  root1: Buffer,
  root2: Buffer,
  proof: Buffer[],
): [string, number, number, Buffer, Buffer, Buffer[]][] {
  const out: [string, number, number, Buffer, Buffer, Buffer[]][] = [
    ['size1 - 1', size1 - 1, size2, root1, root2, proof],
    ['size1 + 1', size1 + 1, size2, root1, root2, proof],
    ['size1 ^ 2', size1 ^ 2, size2, root1, root2, proof],
    ['size2 * 2', size1, size2 * 2, root1, root2, proof],
    ['size2 / 2', size1, Math.floor(size2 / 2), root1, root2, proof],
    ['wrong root1', size1, size2, Buffer.from('WrongRoot'), root2, proof],
    ['wrong root2', size1, size2, root1, Buffer.from('WrongRoot'), proof],
    ['swapped roots', size1, size2, root2, root1, proof],
    ['empty proof', size1, size2, root1, root2, []],
    ['trailing garbage', size1, size2, root1, root2, [...proof, Buffer.alloc(0)]],
    ['trailing root1', size1, size2, root1, root2, [...proof, root1]],
    ['trailing root2', size1, size2, root1, root2, [...proof, root2]],
    ['preceding garbage', size1, size2, root1, root2, [Buffer.alloc(0), ...proof]],
    ['preceding root1', size1, size2, root1, root2, [root1, ...proof]],
    ['preceding root2', size1, size2, root1, root2, [root2, ...proof]],
    ['preceding proof[0]', size1, size2, root1, root2, [proof[0]!, ...proof]],
    ['truncated proof', size1, size2, root1, root2, proof.slice(0, -1)],
  ];
  proof.forEach((_, i) => {
    const p = proof.map((x) => Buffer.from(x));
    p[i]![0]! ^= 16;
    out.push([`proof[${i}] bit 4`, size1, size2, root1, root2, p]);
  });
  return out;
}

describe('RFC 6962 Merkle tree — transparency-dev/merkle known answers', () => {
  it.each(V.nodeHashesHex[0]!.map((h, i) => [i, h]))('leaf hash of input %i is %s', (i, h) => {
    expect(leaves[i as number]!.toString('hex')).toBe(h);
  });

  it.each(V.rootHashesHex.map((h, n) => [n, h]))('root of the first %i leaves is %s', (n, h) => {
    expect(rootOf(leaves.slice(0, n as number)).toString('hex')).toBe(h);
    expect(
      CompactRange.of(leaves.slice(0, n as number))
        .root()
        .toString('hex'),
    ).toBe(h);
  });

  it.each(V.compactTrees.map((t, n) => [n, t]))('compact range of size %i holds the published subtree roots', (n, tree) => {
    const expected = (tree as [number, number][]).map(([level, idx]) => V.nodeHashesHex[level]![idx]!);
    const range = CompactRange.of(leaves.slice(0, n as number));
    expect(range.toHashes().map((h) => h.toString('hex'))).toEqual(expected);
    expect(
      CompactRange.fromHashes(n as number, range.toHashes())
        .root()
        .equals(roots[n as number]!),
    ).toBe(true);
  });

  it('empty tree root is SHA-256 of the empty string', () => {
    expect(EMPTY_ROOT.equals(sha256())).toBe(true);
  });

  it.each(V.inclusionProofs.map((p) => [p.leaf, p.size, p]))(
    'inclusion proof for leaf %i of %i: generated, verified, and every mutation rejected',
    (_l, _s, p) => {
      const v = p as Vectors['inclusionProofs'][number];
      const index = v.leaf - 1;
      const proof = v.proof.map(hex);
      const root = roots[v.size]!;
      expect(inclusionProof(leaves, index, v.size).map((h) => h.toString('hex'))).toEqual(v.proof);
      expect(verifyInclusion(index, v.size, leaves[index]!, proof, root)).toBe(true);
      for (const [desc, i, s, r, l, pr] of inclusionMutations(index, v.size, proof, root, leaves[index]!)) {
        expect([desc, verifyInclusion(i, s, l, pr, r)]).toEqual([desc, false]);
      }
    },
  );

  it('inclusion proof {0, 0, nil} (leaf 0 of an empty tree) is invalid', () => {
    expect(verifyInclusion(-1, 0, leaves[0]!, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(0, 0, leaves[0]!, [], EMPTY_ROOT)).toBe(false);
  });

  it.each([
    [0, 0],
    [0, 1],
    [1, 0],
    [2, 1],
  ])('inclusion probe index %i size %i with empty proof and mismatched root/leaf fails', (index, size) => {
    expect(verifyInclusion(index, size, someHash, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(index, size, Buffer.alloc(0), [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(index, size, someHash, [], EMPTY_ROOT)).toBe(false);
  });

  it('single-entry tree: leaf hash equals root, empty proof; wrong sizes fail', () => {
    const h = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0, 1, h, [], h)).toBe(true);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], h)).toBe(false);
    expect(verifyInclusion(0, 1, h, [], Buffer.alloc(0))).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).toBe(false);
  });

  it.each(V.consistencyProofs.map((p) => [p.size1, p.size2, p]))('consistency proof %i → %i: generated, verified, and every mutation rejected', (_a, _b, p) => {
    const v = p as Vectors['consistencyProofs'][number];
    const proof = v.proof.map(hex);
    expect(consistencyProof(leaves, v.size1, v.size2).map((h) => h.toString('hex'))).toEqual(v.proof);
    expect(verifyConsistency(v.size1, v.size2, proof, roots[v.size1]!, roots[v.size2]!)).toBe(true);
    if (proof.length === 0) return;
    for (const [desc, s1, s2, r1, r2, pr] of consistencyMutations(v.size1, v.size2, roots[v.size1]!, roots[v.size2]!, proof)) {
      expect([desc, verifyConsistency(s1, s2, pr, r1, r2)]).toEqual([desc, false]);
    }
  });

  it.each(V.consistencyEdgeCases.cases.map((c, i) => [i, c]))('consistency edge case #%i of TestVerifyConsistency', (_i, c) => {
    const tc = c as Vectors['consistencyEdgeCases']['cases'][number];
    const root = (name: string): Buffer => (name === 'empty' ? EMPTY_ROOT : Buffer.from(name === 'care1' ? "don't care 1" : "don't care 2"));
    const proof = tc.proof === 'none' ? [] : [EMPTY_ROOT];
    expect(verifyConsistency(tc.size1, tc.size2, proof, root(tc.root1), root(tc.root2))).toBe(!tc.wantErr);
  });

  it.each(V.inclusionProbes.map((p) => [p.file, p]))('JSON probe %s', (_f, p) => {
    const probe = p as InclusionProbe;
    const ok = verifyInclusion(probe.leafIdx, probe.treeSize, b64(probe.leafHash), (probe.proof ?? []).map(b64), b64(probe.root));
    expect(ok).toBe(!probe.wantErr);
  });

  it.each(V.consistencyProbes.map((p) => [p.file, p]))('JSON probe %s', (_f, p) => {
    const probe = p as ConsistencyProbe;
    const ok = verifyConsistency(probe.size1, probe.size2, (probe.proof ?? []).map(b64), b64(probe.root1), b64(probe.root2));
    expect(ok).toBe(!probe.wantErr);
  });
});

describe('RFC 6962 Merkle tree — properties', () => {
  const treeLeaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf-${i}`)));
  const sameProof = (a: Buffer[], b: Buffer[]): boolean => a.length === b.length && a.every((x, i) => x.equals(b[i]!));
  const flip = (b: Buffer, bit: number): Buffer => {
    const c = Buffer.from(b);
    c[bit >> 3]! ^= 1 << (bit & 7);
    return c;
  };

  it('nodeHash is SHA-256(0x01 ‖ l ‖ r)', () => {
    const l = leaves[0]!;
    const r = leaves[1]!;
    expect(nodeHash(l, r).equals(sha256(Buffer.from([1]), l, r))).toBe(true);
  });

  it('the compact range root equals the recursive root for every size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const ls = treeLeaves(n);
        const range = CompactRange.of(ls);
        expect(range.root().equals(rootOf(ls))).toBe(true);
        expect(range.toHashes().length).toBeLessThanOrEqual(64);
      }),
    );
  });

  it('every inclusion proof verifies, and flipping any bit or moving index/size breaks it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(), fc.nat(255))),
        ([n, index, which, bit]) => {
          const ls = treeLeaves(n);
          const root = rootOf(ls);
          const proof = inclusionProof(ls, index);
          expect(verifyInclusion(index, n, ls[index]!, proof, root)).toBe(true);
          if (proof.length > 0) {
            const k = which % proof.length;
            const bad = proof.map((p, i) => (i === k ? flip(p, bit) : p));
            expect(verifyInclusion(index, n, ls[index]!, bad, root)).toBe(false);
          }
          expect(verifyInclusion(index, n, ls[index]!, proof, flip(root, bit))).toBe(false);
          expect(verifyInclusion(index, n, flip(ls[index]!, bit), proof, root)).toBe(false);
          // A different size verifies only against that size's own root and only when the
          // RFC 9162 path for it is byte-identical: the checkpoint binds size to root.
          const big = treeLeaves(n + 3);
          for (const n2 of [n + 1, n + 2, n - 1].filter((s) => s > index)) {
            const same = sameProof(inclusionProof(big, index, n2), proof);
            expect(verifyInclusion(index, n2, ls[index]!, proof, rootOf(big.slice(0, n2)))).toBe(same);
          }
          if (n > 1) expect(verifyInclusion((index + 1) % n, n, ls[index]!, proof, root)).toBe(false);
        },
      ),
    );
  });

  it('every consistency proof verifies, and flipping any bit or changing a size breaks it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n - 1 }), fc.nat(), fc.nat(255))),
        ([n, m, which, bit]) => {
          const ls = treeLeaves(n);
          const r1 = rootOf(ls.slice(0, m));
          const r2 = rootOf(ls);
          const proof = consistencyProof(ls, m, n);
          expect(verifyConsistency(m, n, proof, r1, r2)).toBe(true);
          const k = which % proof.length;
          expect(
            verifyConsistency(
              m,
              n,
              proof.map((p, i) => (i === k ? flip(p, bit) : p)),
              r1,
              r2,
            ),
          ).toBe(false);
          expect(verifyConsistency(m, n, proof, flip(r1, bit), r2)).toBe(false);
          expect(verifyConsistency(m, n, proof, r1, flip(r2, bit))).toBe(false);
          const big = treeLeaves(n + 3);
          for (const [a, b] of [
            [m, n + 1],
            [m, n + 2],
            [m + 1, n],
            [m - 1, n],
            [m, n - 1],
          ] as const) {
            if (a > b) continue;
            const same = sameProof(consistencyProof(big, a, b), proof);
            expect(verifyConsistency(a, b, proof, rootOf(big.slice(0, a)), rootOf(big.slice(0, b)))).toBe(same);
          }
        },
      ),
    );
  });

  it('a stored frontier with the wrong number of hashes is refused', () => {
    expect(() => CompactRange.fromHashes(3, [leaves[0]!])).toThrow(expect.objectContaining({ code: 'HEAD_INVALID' }));
  });
});

describe('assertInclusion / assertConsistency', () => {
  const hex = (s: string): Buffer => Buffer.from(s, 'hex');
  it('throw PROOF_INVALID on a bad proof and pass on a good one', () => {
    const ls = V.leafInputsHex.map((h) => leafHash(hex(h)));
    const root = rootOf(ls);
    const p = inclusionProof(ls, 2);
    expect(() => assertInclusion(2, 8, ls[2]!, p, root)).not.toThrow();
    expect(() => assertInclusion(3, 8, ls[2]!, p, root)).toThrow(expect.objectContaining({ code: 'PROOF_INVALID' }));
    const c = consistencyProof(ls, 3, 8);
    expect(() => assertConsistency(3, 8, c, rootOf(ls.slice(0, 3)), root)).not.toThrow();
    expect(() => assertConsistency(3, 8, c, root, root)).toThrow(expect.objectContaining({ code: 'PROOF_INVALID' }));
  });
});
