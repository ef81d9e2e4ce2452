import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { startEmbeddedTestDatabase, type EmbeddedTestDatabase } from '../support/embedded-db';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'bin', 'auditstack.js');

/**
 * Issue 12 item 4: `auditstack db serve` registers itself like `up`, so every
 * other CLI command uses the running database instead of opening a second
 * PGlite on the same folder (whose writes were lost).
 */
describe('auditstack db serve + other CLI commands on the same home', () => {
  let home: string;
  let served: EmbeddedTestDatabase | undefined;

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'auditstack-serve-'));
  });
  afterAll(async () => {
    await served?.release();
    rmSync(home, { recursive: true, force: true });
  });

  function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, AUDITSTACK_HOME: home, LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  async function tokenNames(url: string): Promise<string[]> {
    const sql = new Client({ connectionString: url });
    await sql.connect();
    try {
      return (await sql.query<{ name: string }>('SELECT name FROM audit.api_tokens ORDER BY name')).rows.map((r) => r.name);
    } finally {
      await sql.end();
    }
  }

  it('migrate and tokens create in other processes write through the served database; nothing is lost after a restart', async () => {
    served = await startEmbeddedTestDatabase({ home });
    const migrate = cli(['migrate']);
    expect(migrate.stderr).not.toMatch(/error/i);
    expect(migrate.status).toBe(0);
    const created = cli(['tokens', 'create', '--name', 'served-token', '--entitlements', 'events.read']);
    expect(created.status).toBe(0);
    expect(created.stdout.trim()).toMatch(/^ast_/);
    // Visible through the served database at once: the CLI did not open a PGlite of its own.
    expect(await tokenNames(served.url)).toEqual(['served-token']);
    // The password never appears in what the commands print.
    const password = new URL(served.url).password;
    expect(`${migrate.stdout}${migrate.stderr}${created.stderr}`).not.toContain(password);

    await served.release();
    served = await startEmbeddedTestDatabase({ home });
    expect(await tokenNames(served.url)).toEqual(['served-token']);
  });

  it('fault: a second server on a data folder in use is refused (the registered home, and any folder by its lock)', async () => {
    served ??= await startEmbeddedTestDatabase({ home });
    const second = cli(['db', 'serve', '--port', '0']);
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('already runs the embedded database');

    const folder = join(home, 'elsewhere');
    const env: NodeJS.ProcessEnv = { ...process.env, AUDITSTACK_HOME: home };
    delete env.DATABASE_URL;
    const first = spawn(process.execPath, [CLI, 'db', 'serve', '--port', '0', '--data-dir', folder], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        first.once('exit', (code) => reject(new Error(`db serve exited with ${code}`)));
        createInterface({ input: first.stdout! }).on('line', (line) => line.startsWith('listening ') && resolve());
      });
      const again = cli(['db', 'serve', '--port', '0', '--data-dir', folder]);
      expect(again.status).not.toBe(0);
      expect(again.stderr).toContain(`is in use by pid ${first.pid}`);
    } finally {
      const exited = new Promise((r) => first.once('exit', r));
      first.kill('SIGTERM');
      await exited;
    }
  });
});
