import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/db';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js');

/** Whether a PostgreSQL SCRAM-SHA-256 secret was made from `password` (RFC 5802 §3: StoredKey = H(HMAC(SaltedPassword, "Client Key"))). */
function secretMatches(secret: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(secret);
  if (!m) return false;
  const salted = pbkdf2Sync(password, Buffer.from(m[2]!, 'base64'), Number(m[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  return storedKey === m[3];
}

/**
 * Deployments with password authentication (compose, Kubernetes): the SQL
 * checks' reader role must be able to log in, so `auditstack migrate` gives
 * it AUDIT_DATASOURCE_PASSWORD — as a SCRAM secret, never the plain text.
 */
describe('auditstack migrate sets the reader role password from AUDIT_DATASOURCE_PASSWORD', () => {
  let db: TestDatabase;
  let admin: Client;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('stores a SCRAM secret of the password and prints no part of it', async () => {
    const password = `reader-${Date.now()}-'quote"-$dollar`;
    const { stdout, stderr } = await run(process.execPath, [CLI, 'migrate'], {
      env: { ...process.env, DATABASE_URL: db.url, AUDIT_DATASOURCE_PASSWORD: password },
      timeout: 120_000,
    });
    expect(stdout).toContain('password of auditstack_audit_reader set from AUDIT_DATASOURCE_PASSWORD');
    expect(stdout + stderr).not.toContain(password);
    const { rows } = await admin.query<{ secret: string }>(`SELECT rolpassword AS secret FROM pg_authid WHERE rolname = 'auditstack_audit_reader'`);
    expect(rows[0]!.secret).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(secretMatches(rows[0]!.secret, password)).toBe(true);
    expect(secretMatches(rows[0]!.secret, `${password}x`)).toBe(false);
  }, 150_000);
});
