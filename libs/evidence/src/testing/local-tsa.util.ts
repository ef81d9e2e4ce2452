import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real RFC 3161 Time-Stamp Authority for tests: Debian's `openssl ts -reply`
 * behind a loopback HTTP handler, with a throw-away CA and TSA certificate.
 * Test support only (not exported from the package index).
 */

/** Runs openssl in `dir`; throws with its stderr when it fails. */
export const openssl = (dir: string, args: string[], input?: Buffer): Buffer =>
  execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });

/**
 * Writes a CA (`ca.crt`), a TSA certificate with the critical timeStamping EKU
 * (`tsa.crt`/`tsa.key`), one without it (`plain.crt`) and the `ts.cnf` that
 * `openssl ts -reply` reads, into `dir`.
 */
export function makeTsaPki(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=evidence test CA',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      '[tsa]',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=critical,timeStamping',
      '[plain]',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      '',
    ].join('\n'),
  );
  for (const [name, section] of [
    ['tsa', 'tsa'],
    ['plain', 'plain'],
  ] as const) {
    openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=evidence test ${name}`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
      '-extensions',
      section,
    ]);
  }
  writeFileSync(
    join(dir, 'ts.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config',
      '[ tsa_config ]',
      `dir = ${dir}`,
      'serial = $dir/tsaserial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt',
      'signer_key = $dir/tsa.key',
      'certs = $dir/tsa.crt',
      'signer_digest = sha256',
      'default_policy = 1.2.3.4.1',
      'digests = sha256',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'tsaserial'), '01\n');
}

export interface LocalTsa {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** The folder holding `ca.crt`, `tsa.crt`, `plain.crt` and the exchanged files. */
  readonly dir: string;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Starts the TSA. `intercept` may replace a reply (given the request and the
 * reply openssl would send; return the bytes to send instead, or undefined).
 */
export async function startLocalTsa(options: { intercept?: (query: Buffer, reply: () => Buffer) => Buffer | undefined } = {}): Promise<LocalTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-tsa-'));
  makeTsaPki(dir);
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = Buffer.concat(chunks);
      const reply = (): Buffer => {
        const q = join(dir, `q${++n}.tsq`);
        const r = join(dir, `r${n}.tsr`);
        writeFileSync(q, query);
        openssl(dir, ['ts', '-reply', '-queryfile', q, '-config', 'ts.cnf', '-out', r]);
        return readFileSync(r);
      };
      let body: Buffer;
      try {
        body = options.intercept?.(query, reply) ?? reply();
      } catch {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    dir,
    get requests() {
      return n;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
