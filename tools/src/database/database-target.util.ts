import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMBEDDED_PASSWORD_FILE, startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded-db/embedded-postgres.util';

/** Where the CLI keeps embedded data, keys, anchors and reports. @defaultValue `./.auditstack` */
export function auditstackHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.AUDITSTACK_HOME ?? '.auditstack');
}

/** A database the CLI talks to, and how to let go of it. */
export interface DatabaseTarget {
  url: string;
  /** The least-privilege reader login of the embedded database (AUDIT_DATASOURCE_URL of the engine); null with DATABASE_URL. */
  readerUrl: string | null;
  /** Human description without credentials, for messages. */
  describe: string;
  embedded: EmbeddedPostgres | null;
  release(): Promise<void>;
}

/** `$AUDITSTACK_HOME/embedded.json` (mode 0600: the URLs carry the passwords), written by `up` and `db serve`. */
interface EmbeddedMarker {
  url: string;
  readerUrl: string;
  pid: number;
}

const markerPath = (home: string): string => join(home, 'embedded.json');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Strips the password from a connection string so it can be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.searchParams.delete('password');
    return parsed.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/**
 * Resolves the database: `DATABASE_URL` when set; otherwise the embedded
 * database of a running `auditstack up` or `auditstack db serve` (PGlite must
 * have one owner: its data folder is locked); otherwise starts the embedded
 * database on `$AUDITSTACK_HOME/data` for this command. An `owner` registers
 * itself in `embedded.json` for the others.
 */
export async function openDatabaseTarget(env: NodeJS.ProcessEnv = process.env, options: { port?: number; owner?: boolean } = {}): Promise<DatabaseTarget> {
  if (env.DATABASE_URL) {
    return { url: env.DATABASE_URL, readerUrl: null, describe: redactUrl(env.DATABASE_URL), embedded: null, release: async () => undefined };
  }
  const home = auditstackHome(env);
  const marker = markerPath(home);
  if (existsSync(marker)) {
    const running = JSON.parse(readFileSync(marker, 'utf8')) as EmbeddedMarker;
    if (running.pid !== process.pid && processAlive(running.pid)) {
      if (options.owner) throw new Error(`another auditstack (pid ${running.pid}) already runs the embedded database in ${home}`);
      return {
        url: running.url,
        readerUrl: running.readerUrl ?? null,
        describe: `embedded PostgreSQL of pid ${running.pid}`,
        embedded: null,
        release: async () => undefined,
      };
    }
    rmSync(marker, { force: true });
  }
  const embedded = await startEmbeddedPostgres({ dataDir: join(home, 'data'), port: options.port ?? 0 });
  if (options.owner) {
    writeFileSync(marker, JSON.stringify({ url: embedded.url, readerUrl: embedded.readerUrl, pid: process.pid } satisfies EmbeddedMarker), { mode: 0o600 });
    chmodSync(marker, 0o600);
  }
  return {
    url: embedded.url,
    readerUrl: embedded.readerUrl,
    describe: `embedded PostgreSQL at ${redactUrl(embedded.url)} (data in ${embedded.dataDir}; password in ${join(home, EMBEDDED_PASSWORD_FILE)})`,
    embedded,
    async release() {
      if (options.owner) rmSync(marker, { force: true });
      await embedded.stop();
    },
  };
}
