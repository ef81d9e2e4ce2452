import { sha256 } from './hash.util';
import { LocalStamper } from './local-stamper';
import { NoteKeyring, generateNoteKey, parseSignerKey, verifierKeyOf } from './signed-note';

const code = (c: string) => expect.objectContaining({ code: c });
const signer = parseSignerKey(generateNoteKey('auditstack.test/ts').signerKey);
const now = new Date('2026-11-22T08:00:00.000Z');
const stamper = new LocalStamper({ signer, now: () => now });
const digest = sha256(Buffer.from('checkpoint'));

describe('LocalStamper', () => {
  it('stamps and verifies, returning the stamped time', async () => {
    const t = await stamper.stamp(digest);
    expect(t.kind).toBe('local');
    const verifier = new LocalStamper({ keyring: NoteKeyring.fromVerifierKeys([verifierKeyOf(signer)]) });
    await expect(verifier.verify(digest, t.token)).resolves.toEqual({ time: now });
  });

  it('refuses another digest', async () => {
    const t = await stamper.stamp(digest);
    await expect(stamper.verify(sha256(Buffer.from('other')), t.token)).rejects.toEqual(code('TIMESTAMP_INVALID'));
  });

  it('refuses an edited time', async () => {
    const t = await stamper.stamp(digest);
    const edited = Buffer.from(t.token.toString().replace('08:00:00', '07:00:00'));
    await expect(stamper.verify(digest, edited)).rejects.toEqual(code('TIMESTAMP_INVALID'));
  });

  it('refuses a token from an untrusted key, and garbage', async () => {
    const other = new LocalStamper({ signer: parseSignerKey(generateNoteKey('auditstack.test/ts').signerKey) });
    const t = await other.stamp(digest);
    await expect(stamper.verify(digest, t.token)).rejects.toEqual(code('TIMESTAMP_INVALID'));
    await expect(stamper.verify(digest, Buffer.from('{'))).rejects.toEqual(code('TIMESTAMP_INVALID'));
  });
});
