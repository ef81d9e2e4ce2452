import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EMBEDDED_PASSWORD_FILE, startEmbeddedPostgres } from '../embedded-db/embedded-postgres.util';
import { auditstackHome, openDatabaseTarget, redactUrl } from '../database/database-target.util';
import { jsonOption, writeJsonLine } from '../cli/cli-output.util';
import { portNumber } from '../cli/option-parsers.util';

/**
 * `auditstack db serve`: the embedded PostgreSQL until SIGINT/SIGTERM. Stdout:
 * `listening <url without password>` and the password file; with `--json`, JSON
 * lines `{"event":"listening",…}` then `{"event":"stopped"}`.
 */
export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('the embedded database');
  db.command('serve')
    .description('serve the embedded PostgreSQL (PGlite) on loopback until stopped; registers it in $AUDITSTACK_HOME/embedded.json so other commands use it')
    .option('--data-dir <dir>', 'data folder (default: $AUDITSTACK_HOME/data; another folder is served but not registered)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', portNumber, 0)
    .addOption(jsonOption())
    .action(async (options: { dataDir?: string; port: number; json?: boolean }) => {
      const env = { ...process.env };
      delete env.DATABASE_URL; // `db serve` serves the embedded database, whatever the shell has set
      const home = auditstackHome(env);
      const registered = !options.dataDir || resolve(options.dataDir) === join(home, 'data');
      let release: () => Promise<void>;
      let url: string;
      if (registered) {
        const target = await openDatabaseTarget(env, { port: options.port, owner: true });
        url = target.url;
        release = () => target.release();
      } else {
        const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, home, port: options.port });
        url = embedded.url;
        release = () => embedded.stop();
      }
      const passwordFile = join(home, EMBEDDED_PASSWORD_FILE);
      const registry = registered ? join(home, 'embedded.json') : null;
      if (options.json) {
        writeJsonLine({ event: 'listening', url: redactUrl(url), password_file: passwordFile, registered_in: registry });
      } else {
        console.log(`listening ${redactUrl(url)}`);
        console.log(`password: ${passwordFile}${registry ? `; registered in ${registry}` : ''}`);
      }
      const stop = (signal: NodeJS.Signals): void =>
        void release().then(() => {
          if (options.json) writeJsonLine({ event: 'stopped', signal });
          process.exit(0);
        });
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
