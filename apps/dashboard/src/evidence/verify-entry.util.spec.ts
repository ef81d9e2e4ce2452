import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyEntryInclusion, type VerifyEntryInput } from './verify-entry.util';

const vectors = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'libs', 'evidence', 'src', 'testdata', 'transparency-dev-merkle.json'), 'utf8'),
) as {
  nodeHashesHex: string[][];
  rootHashesHex: string[];
  inclusionProofs: { leaf: number; size: number; proof: string[] }[];
};

/** A checkpoint of the 8-leaf RFC 6962 test tree, signed the C2SP way with a fresh Ed25519 key. */
function signedCheckpoint(origin = 'test.example/log', body?: string): { note: string; verifierKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), raw]))
    .digest()
    .subarray(0, 4);
  const text = body ?? `${origin}\n8\n${Buffer.from(vectors.rootHashesHex[8]!, 'hex').toString('base64')}\n`;
  const signature = sign(null, Buffer.from(text), privateKey);
  return {
    note: `${text}\n\u2014 ${origin} ${Buffer.concat([keyId, signature]).toString('base64')}\n`,
    verifierKey: `${origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([0x01]), raw]).toString('base64')}`,
  };
}

function input(overrides: Partial<VerifyEntryInput> = {}): VerifyEntryInput {
  const v = vectors.inclusionProofs.find((p) => p.size === 8 && p.leaf === 6)!;
  const { note, verifierKey } = signedCheckpoint();
  const leafHash = vectors.nodeHashesHex[0]![5]!;
  return {
    seq: 5,
    expectedLeafHash: leafHash,
    checkpoint: { tree_size: 8, note },
    verifierKey,
    proof: { seq: 5, tree_size: 8, leaf_hash: leafHash, proof: v.proof },
    ...overrides,
  };
}

describe('verifyEntryInclusion (signed checkpoint + RFC 6962 proof, in WebCrypto)', () => {
  it('passes for a correct proof under a correctly signed checkpoint', async () => {
    const report = await verifyEntryInclusion(input());
    expect(report.ok).toBe(true);
    expect(report.signature).toBe('valid');
    expect(report.computedRoot).toBe(vectors.rootHashesHex[8]);
    expect(report.steps.map((s) => [s.label, s.ok])).toEqual([
      ['Checkpoint note', true],
      ['Signature', true],
      ['Inclusion', true],
    ]);
  });

  it('fails when a proof hash was altered', async () => {
    const good = input();
    const proof = [...good.proof.proof];
    proof[0] = `${proof[0]!.slice(0, 63)}${proof[0]!.endsWith('0') ? '1' : '0'}`;
    const report = await verifyEntryInclusion({ ...good, proof: { ...good.proof, proof } });
    expect(report.ok).toBe(false);
    expect(report.steps.at(-1)).toMatchObject({ label: 'Inclusion', ok: false });
  });

  it('fails when the note was signed by another key, or its text altered', async () => {
    const good = input();
    const other = signedCheckpoint();
    expect(await verifyEntryInclusion({ ...good, verifierKey: other.verifierKey })).toMatchObject({ ok: false, signature: 'no-signature-by-key' });
    // The same text with one character of the root changed: the signature no longer matches.
    const [origin, size, root, ...rest] = good.checkpoint.note.split('\n');
    const altered = [origin, size, `${root!.startsWith('A') ? 'B' : 'A'}${root!.slice(1)}`, ...rest].join('\n');
    expect(await verifyEntryInclusion({ ...good, checkpoint: { ...good.checkpoint, note: altered } })).toMatchObject({ ok: false, signature: 'invalid' });
  });

  it('fails when the served tree size, leaf or proof position do not match the signed note', async () => {
    const good = input();
    expect((await verifyEntryInclusion({ ...good, checkpoint: { ...good.checkpoint, tree_size: 9 } })).steps.at(-1)).toMatchObject({
      label: 'Checkpoint note',
      ok: false,
    });
    expect((await verifyEntryInclusion({ ...good, expectedLeafHash: vectors.nodeHashesHex[0]![4]! })).steps.at(-1)).toMatchObject({ label: 'Leaf', ok: false });
    expect((await verifyEntryInclusion({ ...good, seq: 4 })).steps.at(-1)).toMatchObject({ label: 'Proof', ok: false });
  });

  it('says so when no verifier key was served, and still checks the proof against the note', async () => {
    const report = await verifyEntryInclusion(input({ verifierKey: null }));
    expect(report.ok).toBe(true);
    expect(report.steps[1]).toMatchObject({ label: 'Signature', ok: null });
  });
});
