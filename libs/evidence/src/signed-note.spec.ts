import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_NOTE_SIGNATURES,
  NoteKeyring,
  generateNoteKey,
  noteKeyId,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifierKeyOf,
} from './signed-note';

const V = JSON.parse(readFileSync(join(__dirname, 'testdata', 'signed-note.json'), 'utf8')) as {
  peter: { signerKey: string; verifierKey: string; signatureLine: string };
  enoch: { verifierKey: string; signatureLine: string };
  text: string;
  signedNote: string;
  badVerifierKeys: string[];
  c2spSignedNoteExample: string;
  c2spCheckpointExample: string;
};
const peterSig = V.peter.signatureLine;
const enochSig = V.enoch.signatureLine;
const peterRing = (): NoteKeyring => NoteKeyring.fromVerifierKeys([V.peter.verifierKey]);

const code = (c: string) => expect.objectContaining({ code: c });

describe('signed note — golang.org/x/mod sumdb/note known answers', () => {
  it('re-signing with the published test key reproduces the published note byte for byte', () => {
    expect(signNote(V.text, [parseSignerKey(V.peter.signerKey)])).toBe(V.signedNote);
  });

  it('the signer key derives the published verifier key and key ID c74f20a3', () => {
    const s = parseSignerKey(V.peter.signerKey);
    expect(verifierKeyOf(s)).toBe(V.peter.verifierKey);
    expect(s.keyId).toBe(0xc74f20a3);
    expect(noteKeyId('PeterNeumann', s.publicKey)).toBe(0xc74f20a3);
  });

  it('parses both published verifier keys', () => {
    expect(parseVerifierKey(V.peter.verifierKey).keyId).toBe(0xc74f20a3);
    expect(parseVerifierKey(V.enoch.verifierKey).keyId).toBe(0xaf0cfe78);
  });

  it('rejects every proper substring and every single-byte increment of the verifier key', () => {
    const k = V.peter.verifierKey;
    let accepted = 0;
    for (let i = 0; i <= k.length; i++) {
      for (let j = i + 1; j <= k.length; j++) {
        if (i === 0 && j === k.length) continue;
        try {
          parseVerifierKey(k.slice(i, j));
          accepted++;
        } catch {
          /* expected */
        }
      }
    }
    for (let i = 0; i < k.length; i++) {
      const mangled = k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) + 1) + k.slice(i + 1);
      expect(() => parseVerifierKey(mangled)).toThrow();
    }
    expect(accepted).toBe(0);
  });

  it('rejects every proper substring and every single-byte increment of the signer key', () => {
    const k = V.peter.signerKey;
    let accepted = 0;
    for (let i = 0; i <= k.length; i++) {
      for (let j = i + 1; j <= k.length; j++) {
        if (i === 0 && j === k.length) continue;
        try {
          parseSignerKey(k.slice(i, j));
          accepted++;
        } catch {
          /* expected */
        }
      }
    }
    for (let i = 0; i < k.length; i++) {
      const mangled = k.slice(0, i) + String.fromCharCode(k.charCodeAt(i) + 1) + k.slice(i + 1);
      expect(() => parseSignerKey(mangled)).toThrow();
    }
    expect(accepted).toBe(0);
  });

  it.each(V.badVerifierKeys)('rejects %s (wrong length / unknown algorithm with adjusted key hash)', (k) => {
    expect(() => parseVerifierKey(k)).toThrow(code('MALFORMED_INPUT'));
  });

  it('opens a note with one trusted and one unknown signature', () => {
    const n = openNote(V.text + '\n' + peterSig + enochSig, peterRing());
    expect(n.text).toBe(V.text);
    expect(n.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(n.unverified.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
  });

  it('verifies both published signatures when both keys are trusted', () => {
    const n = openNote(V.text + '\n' + peterSig + enochSig, NoteKeyring.fromVerifierKeys([V.peter.verifierKey, V.enoch.verifierKey]));
    expect(n.verified).toHaveLength(2);
    expect(n.unverified).toHaveLength(0);
  });

  it('refuses a note with no trusted signature (UNKNOWN_KEY)', () => {
    expect(() => openNote(V.text + '\n' + peterSig + enochSig, new NoteKeyring())).toThrow(code('UNKNOWN_KEY'));
  });

  it('refuses a duplicated verifier key in the keyring (ambiguous key)', () => {
    expect(() => NoteKeyring.fromVerifierKeys([V.enoch.verifierKey, V.peter.verifierKey, V.enoch.verifierKey])).toThrow(code('MALFORMED_INPUT'));
  });

  it(`refuses more than ${MAX_NOTE_SIGNATURES} signatures`, () => {
    expect(() => openNote(V.text + '\n' + peterSig.repeat(101), peterRing())).toThrow(code('MALFORMED_INPUT'));
  });

  it('refuses a corrupted signature from a trusted key (SIGNATURE_INVALID)', () => {
    const bad = peterSig.slice(0, 60) + 'ABCD' + peterSig.slice(60);
    expect(() => openNote(V.text + '\n' + bad, peterRing())).toThrow(code('SIGNATURE_INVALID'));
  });

  it('refuses a trusted key signing twice (stricter than x/mod, which de-duplicates)', () => {
    expect(() => openNote(V.text + '\n' + peterSig + peterSig, peterRing())).toThrow(code('MALFORMED_INPUT'));
  });

  it.each([
    ['no blank line', V.text],
    ['no signatures', V.text + '\n'],
    ['missing final newline', V.text + '\n' + peterSig.slice(0, -1)],
    ['control character', '\x01' + V.text + '\n' + peterSig],
    ['bad name', V.text + '\n' + '— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'],
    ['line after signatures', V.text + '\n' + peterSig + 'Unexpected line.\n'],
  ])('refuses a malformed note: %s', (_n, msg) => {
    expect(() => openNote(msg, peterRing())).toThrow(code('MALFORMED_INPUT'));
  });

  it('refuses invalid UTF-8 bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xff]), Buffer.from(V.text + '\n' + peterSig)]);
    expect(() => openNote(bytes, peterRing())).toThrow(code('MALFORMED_INPUT'));
  });

  it('ignores a signature whose name or key ID differs from the trusted key', () => {
    const misnamed = peterSig.replace('PeterNeumann', 'CarmenSandiego');
    expect(() => openNote(V.text + '\n' + misnamed, peterRing())).toThrow(code('UNKNOWN_KEY'));
    const wrongHash = peterSig.replace('x08g', 'xxxx');
    expect(() => openNote(V.text + '\n' + wrongHash, peterRing())).toThrow(code('UNKNOWN_KEY'));
  });

  it('refuses signing text that is empty or lacks a final newline', () => {
    expect(() => signNote('abc', [parseSignerKey(V.peter.signerKey)])).toThrow(code('MALFORMED_INPUT'));
  });
});

describe('signed note — C2SP examples', () => {
  it('splits the signed-note.md example at the last blank line (text may hold blank lines)', () => {
    const n = parseNote(V.c2spSignedNoteExample);
    expect(n.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
    expect(n.signatures).toHaveLength(1);
    expect(n.signatures[0]!.name).toBe('quasimodo.example/salvatore');
    expect(n.signatures[0]!.signature).toHaveLength(64);
  });

  it('parses the tlog-checkpoint.md example and treats its (unpublished) key as unknown', () => {
    const n = parseNote(V.c2spCheckpointExample);
    expect(n.text).toBe('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
    expect(n.signatures[0]!.name).toBe('example.com/behind-the-sofa');
    expect(() => openNote(V.c2spCheckpointExample, peterRing())).toThrow(code('UNKNOWN_KEY'));
  });
});

describe('keyring validity windows (rotation)', () => {
  const { signerKey, verifierKey } = generateNoteKey('example.com/log');
  const note = signNote('x\n', [parseSignerKey(signerKey)]);
  const ring = new NoteKeyring([
    { key: parseVerifierKey(verifierKey), notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-06-30T23:59:59Z') },
  ]);

  it('accepts a note dated inside the window', () => {
    expect(openNote(note, ring, new Date('2026-03-01T00:00:00Z')).verified).toHaveLength(1);
  });

  it.each([
    ['before', '2025-12-31T23:59:59Z'],
    ['after', '2026-07-01T00:00:00Z'],
  ])('refuses a note dated %s the window (SIGNATURE_INVALID)', (_w, at) => {
    expect(() => openNote(note, ring, new Date(at))).toThrow(code('SIGNATURE_INVALID'));
  });

  it('refuses a windowed key when the note time is unknown', () => {
    expect(() => openNote(note, ring)).toThrow(code('SIGNATURE_INVALID'));
  });
});
