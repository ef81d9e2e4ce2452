import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, webCryptoSha256 } from './inclusion-proof.util';
import { parseCheckpointBody, parseNote, parseVerifierKey, verifyNoteSignature } from './signed-note.util';

/** Known-answer vectors of golang.org/x/mod sumdb/note and C2SP, kept by libs/evidence. */
const vectors = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'libs', 'evidence', 'src', 'testdata', 'signed-note.json'), 'utf8')) as {
  peter: { verifierKey: string; signatureLine: string };
  enoch: { verifierKey: string; signatureLine: string };
  text: string;
  badVerifierKeys: string[];
  c2spCheckpointExample: string;
};

const subtle = globalThis.crypto.subtle;
const sha256 = webCryptoSha256(subtle);

describe('C2SP signed notes in WebCrypto', () => {
  const note = `${vectors.text}\n${vectors.peter.signatureLine}${vectors.enoch.signatureLine}`;

  it('verifies the sumdb/note test signature with Ed25519', async () => {
    const parsed = parseNote(note);
    expect(parsed?.text).toBe(vectors.text);
    expect(parsed?.signatures.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    const key = await parseVerifierKey(sha256, vectors.peter.verifierKey);
    expect(key?.keyId).toBe(0xc74f20a3);
    expect(await verifyNoteSignature(subtle, key!, parsed!)).toBe('valid');
  });

  it('refuses an altered text, a missing signature and bad keys', async () => {
    const key = (await parseVerifierKey(sha256, vectors.peter.verifierKey))!;
    const altered = parseNote(note.replace('cryptography', 'cryptograph!'))!;
    expect(await verifyNoteSignature(subtle, key, altered)).toBe('invalid');
    expect(await verifyNoteSignature(subtle, key, parseNote(`${vectors.text}\n${vectors.enoch.signatureLine}`)!)).toBe('no-signature-by-key');
    for (const bad of vectors.badVerifierKeys) expect(await parseVerifierKey(sha256, bad)).toBeNull();
    expect(parseNote(vectors.text)).toBeNull();
    expect(parseNote(`${vectors.text}\n— PeterNeumann not-base64!\n`)).toBeNull();
  });

  it('reads the C2SP checkpoint example body', () => {
    const parsed = parseNote(vectors.c2spCheckpointExample)!;
    const body = parseCheckpointBody(parsed.text);
    expect(body).toMatchObject({ origin: 'example.com/behind-the-sofa', treeSize: 20852163, extensions: [] });
    expect(bytesToHex(body!.rootHash)).toBe('0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62');
    expect(parseCheckpointBody('origin\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n')).toBeNull();
    expect(parseCheckpointBody('origin\n12\nAAAA\n')).toBeNull();
  });
});
