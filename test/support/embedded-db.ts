import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = join(__dirname, '..', '..', 'tools', 'bin', 'auditstack.js');

export interface EmbeddedTestDatabase {
  url: string;
  release(): Promise<void>;
}

/**
 * The embedded PGlite database, served by `auditstack db serve` in a child
 * process (PGlite loads ES modules, which jest's sandbox cannot).
 */
export async function startEmbeddedTestDatabase(): Promise<EmbeddedTestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'auditstack-pglite-'));
  const child = spawn(process.execPath, [CLI, 'db', 'serve', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded database did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`auditstack db serve exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^listening (postgres:\/\/\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    async release() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
