import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EMBEDDED_PASSWORD_FILE, startEmbeddedPostgres } from '../embedded-db/embedded-postgres.util';
import { auditstackHome, openDatabaseTarget, redactUrl } from '../database/database-target.util';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('the embedded database');
  db.command('serve')
    .description('serve the embedded PostgreSQL (PGlite) on loopback until stopped; registers it in $AUDITSTACK_HOME/embedded.json so other commands use it')
    .option('--data-dir <dir>', 'data folder (default: $AUDITSTACK_HOME/data; another folder is served but not registered)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '0')
    .action(async (options: { dataDir?: string; port: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number (0-65535)');
      const env = { ...process.env };
      delete env.DATABASE_URL; // `db serve` serves the embedded database, whatever the shell has set
      const home = auditstackHome(env);
      const registered = !options.dataDir || resolve(options.dataDir) === join(home, 'data');
      let release: () => Promise<void>;
      let url: string;
      if (registered) {
        const target = await openDatabaseTarget(env, { port, owner: true });
        url = target.url;
        release = () => target.release();
      } else {
        const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, home, port });
        url = embedded.url;
        release = () => embedded.stop();
      }
      console.log(`listening ${redactUrl(url)}`);
      console.log(`password: ${join(home, EMBEDDED_PASSWORD_FILE)}${registered ? `; registered in ${join(home, 'embedded.json')}` : ''}`);
      const stop = (): void => void release().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
