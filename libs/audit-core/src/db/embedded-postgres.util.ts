import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EmbeddedWireServer } from './embedded-wire-server.util';

/** A running embedded PostgreSQL (PGlite) reachable over the wire protocol. */
export interface EmbeddedPostgres {
  /** `postgres://` URL for `pg` and TypeORM. */
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that keeps the data between starts. @defaultValue `./.auditstack/data` */
  dataDir?: string;
  /** Loopback port to serve on; 0 picks a free one. @defaultValue 0 */
  port?: number;
  /**
   * Concurrent client connections. PGlite is one session: the wire server
   * lends it to one connection at a time, switching only between complete
   * protocol exchanges outside a transaction. @defaultValue 32
   */
  maxConnections?: number;
}

/**
 * Starts PGlite on a data folder and serves it on 127.0.0.1 so `pg` and
 * TypeORM work unchanged. For trying auditstack and for tests that do not
 * depend on lock contention; production runs on PostgreSQL (`DATABASE_URL`).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir ?? '.auditstack/data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dataDir);
  const server = new EmbeddedWireServer(db, { host: '127.0.0.1', port: options.port ?? 0, maxConnections: options.maxConnections ?? 32 });
  const port = await server.listen();
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await db.close();
    },
  };
}
