import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js');

export interface EmbeddedTestDatabase {
  /** Superuser URL, with the password. */
  url: string;
  /** URL of the reader login (`auditstack_audit_reader`), with its password. */
  readerUrl: string;
  /** The AUDITSTACK_HOME of the server (password files, embedded.json). */
  home: string;
  port: number;
  /** The `auditstack db serve` process id. */
  pid: number;
  release(): Promise<void>;
}

/**
 * The embedded PGlite database, served by `auditstack db serve` in a child
 * process (PGlite loads ES modules, which jest's sandbox cannot), on its own
 * AUDITSTACK_HOME; the URLs come from the registration file it writes.
 */
export async function startEmbeddedTestDatabase(options: { home?: string } = {}): Promise<EmbeddedTestDatabase> {
  // A home passed in belongs to the caller (e.g. to restart on the same data): it is kept at release.
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'auditstack-pglite-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AUDITSTACK_HOME: home };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [CLI, 'db', 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded database did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`auditstack db serve exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('listening postgres://')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const marker = JSON.parse(readFileSync(join(home, 'embedded.json'), 'utf8')) as { url: string; readerUrl: string };
  return {
    url: marker.url,
    readerUrl: marker.readerUrl,
    home,
    port: Number(new URL(marker.url).port),
    pid: child.pid!,
    async release() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.home) rmSync(home, { recursive: true, force: true });
    },
  };
}
