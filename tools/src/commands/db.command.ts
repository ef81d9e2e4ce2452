import { join } from 'node:path';
import type { Command } from 'commander';
import { startEmbeddedPostgres } from '@auditstack/audit-core/server';
import { auditstackHome } from '../database/database-target.util';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('the embedded database');
  db.command('serve')
    .description('serve the embedded PostgreSQL (PGlite) on loopback until stopped; prints its URL')
    .option('--data-dir <dir>', 'data folder (default: $AUDITSTACK_HOME/data)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .action(async (options: { dataDir?: string; port: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number (0-65535)');
      const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir ?? join(auditstackHome(), 'data'), port });
      console.log(`listening ${embedded.url}`);
      const stop = (): void => void embedded.stop().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
