import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64ToBytes, bytesToHex, hashLeaf, hexToBytes, rootFromInclusionProof, verifyInclusion, webCryptoSha256 } from './inclusion-proof.util';

/** Known-answer vectors of github.com/transparency-dev/merkle (RFC 6962), kept by libs/evidence. */
const vectors = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'libs', 'evidence', 'src', 'testdata', 'transparency-dev-merkle.json'), 'utf8'),
) as {
  leafInputsHex: string[];
  nodeHashesHex: string[][];
  rootHashesHex: string[];
  inclusionProofs: { leaf: number; size: number; proof: string[] }[];
  inclusionProbes: {
    file: string;
    leafIdx: number;
    treeSize: number;
    root: string;
    leafHash: string;
    proof: string[] | null;
    desc: string;
    wantErr: boolean;
  }[];
};

const sha256 = webCryptoSha256();
const b64 = (text: string): Uint8Array => {
  const bytes = base64ToBytes(text);
  if (!bytes) throw new Error(`not base64: ${text}`);
  return bytes;
};

describe('RFC 6962 inclusion proofs in WebCrypto', () => {
  it('hashes leaves as SHA-256(0x00 ‖ data)', async () => {
    const leafHashes = await Promise.all(vectors.leafInputsHex.map(async (hex) => bytesToHex(await hashLeaf(sha256, hexToBytes(hex)))));
    expect(leafHashes).toEqual(vectors.nodeHashesHex[0]);
  });

  it.each(vectors.inclusionProofs.map((v) => [v.leaf, v.size, v] as const))(
    'accepts the published proof of leaf %i (1-based) in a tree of %i',
    async (_leaf, _size, v) => {
      const root = hexToBytes(vectors.rootHashesHex[v.size]!);
      const leafHash = hexToBytes(vectors.nodeHashesHex[0]![v.leaf - 1]!);
      const proof = v.proof.map((h) => hexToBytes(h));
      expect(bytesToHex(await rootFromInclusionProof(sha256, v.leaf - 1, v.size, leafHash, proof))).toBe(vectors.rootHashesHex[v.size]);
      expect(await verifyInclusion(sha256, v.leaf - 1, v.size, leafHash, proof, root)).toBe(true);
    },
  );

  it.each(vectors.inclusionProbes.map((p) => [p.file, p.desc, p] as const))('probe %s (%s)', async (_file, _desc, p) => {
    const ok = await verifyInclusion(sha256, p.leafIdx, p.treeSize, b64(p.leafHash), (p.proof ?? []).map(b64), b64(p.root));
    expect(ok).toBe(!p.wantErr);
  });

  it('refuses a proof with one flipped bit, the wrong index, or a shortened path', async () => {
    const v = vectors.inclusionProofs[0]!;
    const root = hexToBytes(vectors.rootHashesHex[v.size]!);
    const leafHash = hexToBytes(vectors.nodeHashesHex[0]![v.leaf - 1]!);
    const proof = v.proof.map((h) => hexToBytes(h));
    const flipped = proof.map((h, i) => (i === 1 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h));
    expect(await verifyInclusion(sha256, v.leaf - 1, v.size, leafHash, flipped, root)).toBe(false);
    expect(await verifyInclusion(sha256, v.leaf, v.size, leafHash, proof, root)).toBe(false);
    expect(await verifyInclusion(sha256, v.leaf - 1, v.size, leafHash, proof.slice(1), root)).toBe(false);
    await expect(rootFromInclusionProof(sha256, 8, 8, leafHash, proof)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await expect(rootFromInclusionProof(sha256, 0, 8, leafHash, [...proof, proof[0]!])).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  });

  it('reads only canonical hex and base64', () => {
    expect(() => hexToBytes('abc')).toThrow('hex');
    expect(() => hexToBytes('00'.repeat(31), 32)).toThrow('32 bytes');
    expect(base64ToBytes('AAAA')).toEqual(new Uint8Array(3));
    expect(base64ToBytes('AAB=')).toBeNull();
    expect(base64ToBytes('AA A')).toBeNull();
  });
});
