import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

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
   * Concurrent client connections. PGlite itself runs one statement at a
   * time; the socket server interleaves connections and keeps a transaction
   * on the connection that opened it. @defaultValue 32
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
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
