import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from './hash.util';
import { Rfc3161Stamper } from './rfc3161-stamper';

const code = (c: string) => expect.objectContaining({ code: c });
const openssl = (dir: string, args: string[], input?: Buffer): Buffer =>
  execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });

/** A throw-away CA, a TSA certificate (critical timeStamping EKU) and one without the EKU. */
function makePki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=evidence test CA', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  writeFileSync(join(dir, 'ext.cnf'), [
    '[tsa]', 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=critical,timeStamping',
    '[plain]', 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', '',
  ].join('\n'));
  for (const [name, section] of [['tsa', 'tsa'], ['plain', 'plain']] as const) {
    openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=evidence test ${name}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`,
      '-days', '2', '-extfile', 'ext.cnf', '-extensions', section]);
  }
  writeFileSync(join(dir, 'ts.cnf'), [
    '[ tsa ]', 'default_tsa = tsa_config', '[ tsa_config ]', `dir = ${dir}`, 'serial = $dir/tsaserial', 'crypto_device = builtin',
    'signer_cert = $dir/tsa.crt', 'signer_key = $dir/tsa.key', 'certs = $dir/tsa.crt', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1',
    'digests = sha256', 'accuracy = secs:1', 'ordering = no', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', '',
  ].join('\n'));
  writeFileSync(join(dir, 'tsaserial'), '01\n');
}

describe('Rfc3161Stamper against a local openssl TSA', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let mode: 'normal' | 'replay' | 'garbage' = 'normal';
  let lastReply: Buffer | null = null;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'evidence-tsa-'));
    makePki(dir);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (mode === 'garbage') {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from('not der'));
          return;
        }
        let reply: Buffer;
        if (mode === 'replay' && lastReply) {
          reply = lastReply;
        } else {
          const q = join(dir, `q${++n}.tsq`);
          const r = join(dir, `r${n}.tsr`);
          writeFileSync(q, Buffer.concat(chunks));
          openssl(dir, ['ts', '-reply', '-queryfile', q, '-config', 'ts.cnf', '-out', r]);
          reply = readFileSync(r);
          lastReply = reply;
        }
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
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
    const viaDigest = openssl(dir, ['ts', '-verify', '-digest', sha256(digest).toString('hex'), '-in', 'token.der', '-token_in', '-CAfile', 'ca.crt', '-untrusted', 'tsa.crt']);
    expect(viaDigest.toString()).toContain('Verification: OK');
    writeFileSync(join(dir, 'other.bin'), sha256(Buffer.from('other')));
    expect(() => openssl(dir, ['ts', '-verify', '-data', 'other.bin', '-in', 'token.der', '-token_in', '-CAfile', 'ca.crt', '-untrusted', 'tsa.crt'])).toThrow();
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
      makePki(otherDir);
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
