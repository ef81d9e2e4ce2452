import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { scramVerifier } from './embedded-scram.util';
import { EmbeddedWireServer } from './embedded-wire-server.util';

/** The superuser of the embedded database (PGlite's single session). */
export const EMBEDDED_SUPERUSER = 'postgres';
/** The least-privilege login for SQL checks (role created by migration 1795342100000). */
export const EMBEDDED_READER = 'auditstack_audit_reader';
/** Files in the home folder (mode 0600) holding the logins' passwords, created at first start. */
export const EMBEDDED_PASSWORD_FILE = 'embedded-password';
export const EMBEDDED_READER_PASSWORD_FILE = 'embedded-reader-password';

/** A running embedded PostgreSQL (PGlite) reachable over the wire protocol. */
export interface EmbeddedPostgres {
  /** `postgres://` URL (superuser, with its password) for `pg` and TypeORM. */
  readonly url: string;
  /** URL of the least-privilege reader login (AUDIT_DATASOURCE_URL of the engine). */
  readonly readerUrl: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that keeps the data between starts. @defaultValue `./.auditstack/data` */
  dataDir?: string;
  /** Folder of the password files. @defaultValue the parent of dataDir (`$AUDITSTACK_HOME`) */
  home?: string;
  /** Loopback port to serve on; 0 picks a free one. @defaultValue 0 */
  port?: number;
  /**
   * Concurrent client connections. PGlite is one session: the wire server
   * lends it to one connection at a time, switching only between complete
   * protocol exchanges outside a transaction. @defaultValue 32
   */
  maxConnections?: number;
  /** Operational messages of the wire server. @defaultValue console.error */
  log?: (line: string) => void;
}

/** Reads a password file, creating it (random, mode 0600) at first start; a file others can read is tightened. */
export function embeddedPassword(home: string, file: string): string {
  const path = join(home, file);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const password = readFileSync(path, 'utf8').trim();
  if (password.length < 16) throw new Error(`${path} holds no usable password (delete it to create a new one)`);
  return password;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>.lock` for this process: a second PGlite on a data folder
 * in use would keep its own copy of the pages and lose its writes. A lock of
 * a process that is gone is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { mode: 0o600, flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new Error(`the embedded database in ${dataDir} is in use by pid ${holder} (use its URL: it is registered in $AUDITSTACK_HOME/embedded.json)`);
    }
    rmSync(lock, { force: true });
  }
  throw new Error(`could not lock ${lock}`);
}

/**
 * Starts PGlite on a data folder and serves it on 127.0.0.1 so `pg` and
 * TypeORM work unchanged, with SCRAM-SHA-256 authentication (passwords in
 * `home`, mode 0600). For trying auditstack and for tests that do not depend
 * on lock contention; production runs on PostgreSQL (`DATABASE_URL`).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir ?? '.auditstack/data');
  const home = resolve(options.home ?? dirname(dataDir));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = embeddedPassword(home, EMBEDDED_PASSWORD_FILE);
  const readerPassword = embeddedPassword(home, EMBEDDED_READER_PASSWORD_FILE);
  const unlock = lockDataDir(dataDir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dataDir);
    // PGlite answers a popen() it does not know (COPY … PROGRAM) by throwing inside the engine, which
    // leaves the session answering nothing. NULL instead makes PostgreSQL raise an ordinary error.
    const handleExternalCmd = db.handleExternalCmd.bind(db);
    db.handleExternalCmd = (cmd, mode) => (cmd.startsWith('locale -a') ? handleExternalCmd(cmd, mode) : 0);
    const log = options.log ?? ((line: string) => console.error(line));
    const server = new EmbeddedWireServer(db, {
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 32,
      logins: [
        { user: EMBEDDED_SUPERUSER, verifier: scramVerifier(password) },
        { user: EMBEDDED_READER, verifier: scramVerifier(readerPassword), readerRole: EMBEDDED_READER },
      ],
      log,
    });
    const port = await server.listen();
    let stopped = false;
    return {
      url: `postgres://${EMBEDDED_SUPERUSER}:${password}@127.0.0.1:${port}/postgres`,
      readerUrl: `postgres://${EMBEDDED_READER}:${readerPassword}@127.0.0.1:${port}/postgres`,
      port,
      dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.close();
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
