import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openssl, startLocalTsa, type LocalTsa } from '../../libs/evidence/src/testing/local-tsa.util';
import { startGateway, toolEvent, type GatewayHarness } from '../gateway/support/gateway-harness';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js');

/**
 * RFC 3161 end to end (issue 3): a gateway and the CLI configured with TSA_URL
 * and TSA_CERT_FILE against a real local TSA (`openssl ts -reply`). The
 * checkpoint the CLI signs carries a TSA token that `openssl ts -verify`
 * accepts for the checkpoint's hash, the gateway serves it, and
 * `auditstack verify` checks it.
 */
describe('RFC 3161 timestamps through the gateway and the CLI', () => {
  let tsa: LocalTsa;
  let gw: GatewayHarness;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tsa = await startLocalTsa();
    const tsaEnv = { TSA_URL: tsa.url, TSA_CERT_FILE: join(tsa.dir, 'tsa.crt') };
    gw = await startGateway({ ...tsaEnv, CHECKPOINT_EVERY_SECONDS: '3600', CHECKPOINT_EVERY_LEAVES: '100000' });
    env = { PATH: process.env.PATH, DATABASE_URL: gw.db.url, AUDITSTACK_HOME: gw.home, ...tsaEnv };
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
    await tsa?.close();
  });

  it('the CLI checkpoint is stamped by the TSA, the gateway serves the token, openssl and auditstack verify accept it', async () => {
    const writer = await gw.token('writer', ['events.write']);
    const reader = await gw.token('auditor', ['evidence.read']);
    expect((await gw.call('/v1/tool-events', writer, { body: [1, 2, 3, 4, 5].map((i) => toolEvent({ req_id: `r${i}` })) })).status).toBe(200);
    const before = tsa.requests;

    const made = await run(process.execPath, [CLI, 'checkpoint'], { env });
    // 5 events and the two token creations (ledgered config changes).
    const size = Number((await gw.sql.query<{ size: string }>('SELECT size FROM audit.ledger_head')).rows[0]!.size);
    expect(size).toBe(7);
    expect(made.stdout).toMatch(/^auditstack\.local\/ledger\n7\n/);
    expect(tsa.requests).toBeGreaterThan(before);

    const latest = (await (await gw.call('/v1/evidence/checkpoints/latest', reader)).json()) as {
      tree_size: number;
      checkpoint_hash: string;
      timestamp_kind: string;
      timestamp_token: string;
    };
    expect(latest).toMatchObject({ tree_size: 7, timestamp_kind: 'rfc3161' });
    writeFileSync(join(tsa.dir, 'checkpoint-token.der'), Buffer.from(latest.timestamp_token, 'base64'));
    writeFileSync(join(tsa.dir, 'checkpoint-hash.bin'), Buffer.from(latest.checkpoint_hash, 'hex'));
    const verified = openssl(tsa.dir, [
      'ts',
      '-verify',
      '-data',
      'checkpoint-hash.bin',
      '-in',
      'checkpoint-token.der',
      '-token_in',
      '-CAfile',
      'ca.crt',
      '-untrusted',
      'tsa.crt',
    ]);
    expect(verified.toString()).toContain('Verification: OK');

    const verify = await run(process.execPath, [CLI, 'verify', '--json'], { env }).catch((error: { code: number; stdout: string }) => error);
    const report = JSON.parse(verify.stdout) as { ok: boolean; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }, 60_000);
});
