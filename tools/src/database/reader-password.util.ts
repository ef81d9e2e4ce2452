import type { DataSource } from 'typeorm';
import { scramVerifier } from '../embedded-db/embedded-scram.util';

/** The role of the built-in `audit` datasource (migration 1795342100000). */
export const AUDIT_READER_ROLE = 'auditstack_audit_reader';

/** PostgreSQL's SCRAM-SHA-256 secret format (`pg_authid.rolpassword`); only base64, digits, `$` and `:`. */
const SCRAM_SECRET = /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

/**
 * The SCRAM-SHA-256 secret of `password` as PostgreSQL stores it
 * (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`). Given to
 * `ALTER ROLE … PASSWORD`, PostgreSQL keeps it as is: the plain password
 * never reaches the server, its statement log or `pg_stat_activity`.
 */
export function scramSecret(password: string): string {
  const v = scramVerifier(password);
  return `SCRAM-SHA-256$4096:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/** Why the reader's password could not be set (the migrating role may not alter roles, say). */
export class ReaderPasswordError extends Error {}

/**
 * Gives `auditstack_audit_reader` the password `AUDIT_DATASOURCE_PASSWORD`
 * (as a SCRAM secret), so the engine's built-in `audit` datasource can log in
 * on a server with password authentication. Run by `auditstack migrate` when
 * the setting is present; needs a role with CREATEROLE (or a superuser).
 */
export async function setReaderPassword(dataSource: DataSource, password: string): Promise<void> {
  const secret = scramSecret(password);
  // Checked, not trusted: only this shape is ever spliced into the statement (ALTER ROLE takes no parameters).
  if (!SCRAM_SECRET.test(secret)) throw new ReaderPasswordError('internal error: unexpected SCRAM secret shape');
  try {
    await dataSource.query(`ALTER ROLE ${AUDIT_READER_ROLE} PASSWORD '${secret}'`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ReaderPasswordError(
      `could not set the password of ${AUDIT_READER_ROLE}${typeof code === 'string' ? ` (${code})` : ''}: run migrate as a role with CREATEROLE, or set it yourself (docs/operations.md, "Datasources")`,
    );
  }
}
