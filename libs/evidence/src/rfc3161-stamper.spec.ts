import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from './hash.util';
import { Rfc3161Stamper } from './rfc3161-stamper';
import { makeTsaPki, openssl, startLocalTsa, type LocalTsa } from './testing/local-tsa.util';

const code = (c: string) => expect.objectContaining({ code: c });

describe('Rfc3161Stamper against a local openssl TSA', () => {
  let tsa: LocalTsa;
  let dir: string;
  let url: string;
  let mode: 'normal' | 'replay' | 'garbage' = 'normal';
  let lastReply: Buffer | null = null;

  beforeAll(async () => {
    tsa = await startLocalTsa({
      intercept: (_query, reply) => {
        if (mode === 'garbage') return Buffer.from('not der');
        if (mode === 'replay' && lastReply) return lastReply;
        lastReply = reply();
        return lastReply;
      },
    });
    dir = tsa.dir;
    url = tsa.url;
  }, 60_000);

  afterAll(async () => {
    await tsa.close();
  });

  beforeEach(() => {
    mode = 'normal';
  });

  const stamper = (): Rfc3161Stamper => new Rfc3161Stamper({ url, tsaCertificatePem: readFileSync(join(dir, 'tsa.crt'), 'utf8') });

  it('obtains a token that verifies here and with `openssl ts -verify`', async () => {
    const digest = sha256(Buffer.from('checkpoint body'));
    const before = Date.now();
    const t = await stamper().stamp(digest);
    expect(t.kind).toBe('rfc3161');
    const { time } = await stamper().verify(digest, t.token);
    expect(Math.abs(time.getTime() - before)).toBeLessThan(60_000);
    writeFileSync(join(dir, 'token.der'), t.token);
    writeFileSync(join(dir, 'digest.bin'), digest);
    const viaData = openssl(dir, ['ts', '-verify', '-data', 'digest.bin', '-in', 'token.der', '-token_in', '-CAfile', 'ca.crt', '-untrusted', 'tsa.crt']);
    expect(viaData.toString()).toContain('Verification: OK');
    const viaDigest = openssl(dir, [
      'ts',
      '-verify',
      '-digest',
      sha256(digest).toString('hex'),
      '-in',
      'token.der',
      '-token_in',
      '-CAfile',
      'ca.crt',
      '-untrusted',
      'tsa.crt',
    ]);
    expect(viaDigest.toString()).toContain('Verification: OK');
    writeFileSync(join(dir, 'other.bin'), sha256(Buffer.from('other')));
    expect(() =>
      openssl(dir, ['ts', '-verify', '-data', 'other.bin', '-in', 'token.der', '-token_in', '-CAfile', 'ca.crt', '-untrusted', 'tsa.crt']),
    ).toThrow();
  }, 30_000);

  it('refuses a stored token for another digest (wrong imprint)', async () => {
    const t = await stamper().stamp(sha256(Buffer.from('a')));
    await expect(stamper().verify(sha256(Buffer.from('b')), t.token)).rejects.toEqual(code('TIMESTAMP_INVALID'));
  }, 30_000);

  it('refuses a replayed reply for the same digest (nonce mismatch)', async () => {
    const digest = sha256(Buffer.from('same digest'));
    await stamper().stamp(digest);
    mode = 'replay';
    await expect(stamper().stamp(digest)).rejects.toEqual(code('TIMESTAMP_INVALID'));
  }, 30_000);

  it('refuses a token whose imprint or CMS signature was altered', async () => {
    const digest = sha256(Buffer.from('flip'));
    const t = await stamper().stamp(digest);
    const imprintAt = t.token.indexOf(sha256(digest));
    const badImprint = Buffer.from(t.token);
    badImprint[imprintAt + 31]! ^= 1;
    await expect(stamper().verify(digest, badImprint)).rejects.toEqual(code('TIMESTAMP_INVALID'));
    const badSignature = Buffer.from(t.token);
    badSignature[badSignature.length - 2]! ^= 1;
    await expect(stamper().verify(digest, badSignature)).rejects.toEqual(code('TIMESTAMP_INVALID'));
  }, 30_000);

  it('refuses a token signed by a certificate other than the configured one', async () => {
    const t = await stamper().stamp(sha256(Buffer.from('x')));
    const pem = readFileSync(join(dir, 'tsa.crt'), 'utf8');
    const otherDir = mkdtempSync(join(tmpdir(), 'evidence-tsa2-'));
    try {
      makeTsaPki(otherDir);
      const other = new Rfc3161Stamper({ url, tsaCertificatePem: readFileSync(join(otherDir, 'tsa.crt'), 'utf8') });
      await expect(other.verify(sha256(Buffer.from('x')), t.token)).rejects.toEqual(code('TIMESTAMP_INVALID'));
      expect(pem).not.toBe(readFileSync(join(otherDir, 'tsa.crt'), 'utf8'));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses a TSA certificate without the timeStamping EKU (TSA_ERROR)', () => {
    expect(() => new Rfc3161Stamper({ url, tsaCertificatePem: readFileSync(join(dir, 'plain.crt'), 'utf8') })).toThrow(code('TSA_ERROR'));
  });

  it('reports an unparseable reply and an unreachable TSA as TSA_ERROR', async () => {
    mode = 'garbage';
    await expect(stamper().stamp(sha256(Buffer.from('g')))).rejects.toEqual(code('TSA_ERROR'));
    const dead = new Rfc3161Stamper({ url: 'http://127.0.0.1:1/', tsaCertificatePem: readFileSync(join(dir, 'tsa.crt'), 'utf8') });
    await expect(dead.stamp(sha256(Buffer.from('g')))).rejects.toEqual(code('TSA_ERROR'));
  }, 30_000);
});
