import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and its key. */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

/** Certificates generated with the openssl CLI for one test file. */
export interface TestPki {
  /** Self-signed test CA; pass it as `ca` to trust the leaves below. */
  readonly ca: string;
  /** Valid for 90 days: localhost, 127.0.0.1 and the extra names given. */
  readonly valid: TestCertificate;
  /** Valid for 20 days (inside a 30-day warning window, outside a 7-day failure window). */
  readonly expiringSoon: TestCertificate;
  /** notAfter before notBefore: expired. */
  readonly expired: TestCertificate;
  /** Valid, but only for `wrong.example`. */
  readonly wrongHost: TestCertificate;
  /** Self-signed, not issued by the CA. */
  readonly selfSigned: TestCertificate;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/**
 * Generates a test CA and leaf certificates in a temporary directory with the
 * openssl CLI (P-256 keys, fast). `names` are extra DNS SANs of the valid leaf.
 */
export function createTestPki(names: readonly string[] = []): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'collectors-pki-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=auditstack test CA',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  const leaf = (name: string, sans: readonly string[], days: number): TestCertificate => {
    serial += 1;
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${sans[0]?.replace(/^(DNS|IP):/, '') ?? name}`]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial),
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ]);
    return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
  };
  const local = ['DNS:localhost', 'IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)];
  const pki = {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    valid: leaf('valid', local, 90),
    expiringSoon: leaf('soon', local, 20),
    expired: leaf('expired', local, -1),
    wrongHost: leaf('wrong', ['DNS:wrong.example'], 30),
    selfSigned: ((): TestCertificate => {
      openssl(dir, [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'self.key',
        '-out',
        'self.crt',
        '-subj',
        '/CN=localhost',
        '-days',
        '30',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ]);
      return { cert: readFileSync(join(dir, 'self.crt'), 'utf8'), key: readFileSync(join(dir, 'self.key'), 'utf8') };
    })(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}
