import { generateKeyPairSync } from 'node:crypto';
import { DnsDkimConfigSchema, collectDnsDkim } from './dns-dkim.collector';
import { checkById } from './testing/checks.util';
import { testContext } from './testing/collector-context.util';
import { startTestDnsServer, type TestDnsServer } from './testing/dns-server.util';

function rsaKey(bits: number): string {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Splits a record into ≤ 255-octet character-strings, as DNS publishers must (RFC 1035 §3.3.14). */
function chunks(text: string): string[] {
  return text.match(/.{1,255}/g) ?? [];
}

describe('collectDnsDkim', () => {
  let dns: TestDnsServer;
  const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
  beforeAll(async () => {
    dns = await startTestDnsServer({
      'strong._domainkey.mail.test': { TXT: [chunks(`v=DKIM1; k=rsa; p=${rsaKey(2048)}`)] },
      'medium._domainkey.mail.test': { TXT: [`v=DKIM1; k=rsa; p=${rsaKey(1024)}`] },
      'weak._domainkey.mail.test': { TXT: [`v=DKIM1; k=rsa; p=${rsaKey(512)}`] },
      'revoked._domainkey.mail.test': { TXT: ['v=DKIM1; k=rsa; p='] },
      'sha1._domainkey.mail.test': { TXT: [chunks(`v=DKIM1; h=sha1; p=${rsaKey(2048)}`)] },
      'ed._domainkey.mail.test': { TXT: [`v=DKIM1; k=ed25519; p=${ed25519}`] },
      'garbage._domainkey.mail.test': { TXT: ['v=DKIM1; p=AAAAnotakey'] },
      'hang._domainkey.mail.test': { hang: true },
    });
  });
  afterAll(() => dns.close());
  const run = (selectors: string[], signal?: AbortSignal) =>
    collectDnsDkim(DnsDkimConfigSchema.parse({ domain: 'mail.test', selectors }), testContext(dns, signal ? { signal } : {}));

  it('passes a 2048-bit RSA key and an Ed25519 key', async () => {
    const checks = await run(['strong', 'ed']);
    expect(checks.map((c) => [c.check_id, c.status])).toEqual([
      ['dkim.key.strong', 'pass'],
      ['dkim.key.ed', 'pass'],
    ]);
    expect(checks[0]?.evidence).toMatchObject({ rsa_bits: 2048, name: 'strong._domainkey.mail.test' });
  });

  it('warns on 1024-bit RSA and fails 512-bit RSA (RFC 8301 §3.2)', async () => {
    const checks = await run(['medium', 'weak']);
    expect(checkById(checks, 'dkim.key.medium')).toMatchObject({ status: 'warn', evidence: { rsa_bits: 1024 } });
    expect(checkById(checks, 'dkim.key.weak')).toMatchObject({ status: 'fail', evidence: { rsa_bits: 512 } });
  });

  it('fails a revoked (empty p=) key, a sha1-only key, a missing selector and a key that does not decode', async () => {
    const checks = await run(['revoked', 'sha1', 'missing', 'garbage']);
    expect(checkById(checks, 'dkim.key.revoked')).toMatchObject({ status: 'fail', message: expect.stringContaining('revoked') });
    expect(checkById(checks, 'dkim.key.sha1')).toMatchObject({ status: 'fail', message: expect.stringContaining('sha256') });
    expect(checkById(checks, 'dkim.key.missing')).toMatchObject({ status: 'fail', message: expect.stringContaining('no DKIM key record') });
    expect(checkById(checks, 'dkim.key.garbage').status).toBe('fail');
  });

  it('returns an error check when aborted against a hung server', async () => {
    expect(await run(['hang'], AbortSignal.timeout(200))).toEqual([expect.objectContaining({ status: 'error' })]);
  });

  it('requires at least one selector', () => {
    expect(DnsDkimConfigSchema.safeParse({ domain: 'mail.test', selectors: [] }).success).toBe(false);
  });
});
