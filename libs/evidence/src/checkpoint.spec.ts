import { PREV_CHECKPOINT_EXTENSION, checkpointHash, createCheckpoint, openCheckpoint, parseCheckpointBody } from './checkpoint';
import { EMPTY_ROOT, leafHash, rootOf } from './merkle.util';
import { NoteKeyring, generateNoteKey, parseSignerKey, verifierKeyOf } from './signed-note';

const code = (c: string) => expect.objectContaining({ code: c });
const ORIGIN = 'auditstack.test/ledger';
const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
const ring = NoteKeyring.fromVerifierKeys([verifierKeyOf(signer)]);
const root3 = rootOf([0, 1, 2].map((i) => leafHash(Buffer.from([i]))));

describe('checkpoint (C2SP tlog-checkpoint)', () => {
  it('formats origin, size, base64 root and the chain extension line, then signs', () => {
    const first = createCheckpoint({ origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT, prevCheckpointHash: null }, signer);
    expect(first.text).toBe(`${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
    const second = createCheckpoint({ origin: ORIGIN, size: 3, rootHash: root3, prevCheckpointHash: first.hash }, signer);
    expect(second.text).toBe(`${ORIGIN}\n3\n${root3.toString('base64')}\n${PREV_CHECKPOINT_EXTENSION} ${first.hash.toString('base64')}\n`);
    expect(second.hash.equals(checkpointHash(second.text))).toBe(true);
    const opened = openCheckpoint(second.note, ring, ORIGIN);
    expect(opened.body.size).toBe(3);
    expect(opened.body.prevCheckpointHash!.equals(first.hash)).toBe(true);
  });

  it.each([
    ['leading zero size', `${ORIGIN}\n03\n${root3.toString('base64')}\n`],
    ['negative size', `${ORIGIN}\n-3\n${root3.toString('base64')}\n`],
    ['short root', `${ORIGIN}\n3\nAAAA\n`],
    ['unknown extension', `${ORIGIN}\n3\n${root3.toString('base64')}\nsomething else\n`],
    [
      'two extensions',
      `${ORIGIN}\n3\n${root3.toString('base64')}\n${PREV_CHECKPOINT_EXTENSION} ${root3.toString('base64')}\n${PREV_CHECKPOINT_EXTENSION} ${root3.toString('base64')}\n`,
    ],
    ['missing root', `${ORIGIN}\n3\n`],
    ['empty origin', `\n3\n${root3.toString('base64')}\n`],
  ])('rejects a body with %s', (_n, text) => {
    expect(() => parseCheckpointBody(text)).toThrow(code('MALFORMED_INPUT'));
  });

  it('refuses a checkpoint signed by an unknown key, even with the same name (UNKNOWN_KEY)', () => {
    const other = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const cp = createCheckpoint({ origin: ORIGIN, size: 3, rootHash: root3, prevCheckpointHash: null }, other);
    expect(() => openCheckpoint(cp.note, ring, ORIGIN)).toThrow(code('UNKNOWN_KEY'));
  });

  it('refuses an edited size under a valid signature (SIGNATURE_INVALID)', () => {
    const cp = createCheckpoint({ origin: ORIGIN, size: 3, rootHash: root3, prevCheckpointHash: null }, signer);
    expect(() => openCheckpoint(cp.note.replace('\n3\n', '\n4\n'), ring, ORIGIN)).toThrow(code('SIGNATURE_INVALID'));
  });

  it('refuses another origin than expected', () => {
    const cp = createCheckpoint({ origin: ORIGIN, size: 3, rootHash: root3, prevCheckpointHash: null }, signer);
    expect(() => openCheckpoint(cp.note, ring, 'other.example/log')).toThrow(code('MALFORMED_INPUT'));
  });
});
