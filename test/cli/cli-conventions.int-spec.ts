import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, commandPath, runnableCommands } from '../../tools/src/cli/cli-program.util';
import { createTestDatabase, type TestDatabase } from '../support/db';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'bin', 'auditstack.js');
/** Nothing listens on port 1: the database a script meets when PostgreSQL is down (its password must never be printed). */
const UNREACHABLE_DB = 'postgres://auditstack:s3cret-pw@127.0.0.1:1/auditstack';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI as a script runs it: a child process, `env` added to this one's; never rejects. */
function auditstack(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** Stdout must be exactly one JSON document: parsing fails on any stray line. */
function jsonOf(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr.slice(0, 2000)}`);
  }
}

/** A port nothing listens on right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The conventions docs/cli.md promises to scripts: `--json` on every command,
 * exit 0 ok / 1 check failed / 2 usage error / 3 could not check.
 */
describe('auditstack CLI conventions', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    env = { DATABASE_URL: db.url, AUDITSTACK_HOME: mkdtempSync(join(tmpdir(), 'auditstack-cli-')) };
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('every command that runs something accepts --json', () => {
    const commands = runnableCommands(buildProgram());
    expect(commands.map(commandPath)).toEqual(
      expect.arrayContaining(['auditstack verify', 'auditstack tokens create', 'auditstack emit', 'auditstack openapi', 'auditstack docs']),
    );
    expect(commands.length).toBeGreaterThanOrEqual(18);
    const lacking = commands.filter((c) => !c.options.some((o) => o.long === '--json')).map(commandPath);
    expect(lacking).toEqual([]);
  });

  it('openapi (heavy to load) is registered when the command line may need it, not for verify', () => {
    const names = (args: string[]): string[] => buildProgram(args).commands.map((c) => c.name());
    expect(names(['verify', '--json'])).not.toContain('openapi');
    expect(names(['openapi', '--check'])).toContain('openapi');
    expect(names(['--help'])).toContain('openapi');
    expect(names(['help', 'openapi'])).toContain('openapi');
  });

  it('--help exits 0, on the program and on a subcommand', async () => {
    const root = await auditstack(['--help']);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('Usage: auditstack');
    const sub = await auditstack(['tokens', 'create', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--json');
  });

  it('usage error: an unknown option exits 2 naming the option; with --json also a JSON error on stdout', async () => {
    const human = await auditstack(['verify', '--no-such-option']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain("unknown option '--no-such-option'");
    expect(human.stdout).toBe('');
    const json = await auditstack(['verify', '--no-such-option', '--json']);
    expect(json.code).toBe(2);
    expect(jsonOf(json)).toEqual({
      ok: false,
      error: { exit_code: 2, reason: 'usage_error', code: 'commander.unknownOption', message: "unknown option '--no-such-option'" },
    });
  });

  it('usage error: a bad value exits 2 naming the option and the rule; an unknown command exits 2', async () => {
    const bad = await auditstack(['export', '--out', join(env.AUDITSTACK_HOME!, 'b'), '--from', '-5'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/option '--from <seq>' argument '-5' is invalid\. expected a non-negative integer/);
    const port = await auditstack(['db', 'serve', '--port', '70000', '--json'], env);
    expect(port.code).toBe(2);
    expect(jsonOf(port)).toMatchObject({ error: { exit_code: 2, message: expect.stringContaining('--port') } });
    const unknown = await auditstack(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('fault: verify --json with the database unreachable exits 3 with a JSON error naming ECONNREFUSED', async () => {
    const run = await auditstack(['verify', '--json'], { ...env, DATABASE_URL: UNREACHABLE_DB });
    expect(run.code).toBe(3);
    expect(jsonOf(run)).toMatchObject({
      ok: false,
      error: {
        exit_code: 3,
        reason: 'could_not_check',
        code: 'ECONNREFUSED',
        message: expect.stringContaining('could not read the ledger: the database postgres://auditstack:***@127.0.0.1:1/'),
      },
    });
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stdout + run.stderr).not.toContain('s3cret-pw');
  });

  it('fault: a bundle folder that does not exist is "could not check" (3), not a finding (1)', async () => {
    const run = await auditstack(['verify', '--bundle', join(env.AUDITSTACK_HOME!, 'no-such-bundle'), '--json'], env);
    expect(run.code).toBe(3);
    expect(jsonOf(run)).toMatchObject({ error: { exit_code: 3, message: expect.stringContaining('no-such-bundle') } });
  });

  it('verify --json on a ledger with no pinned trust root exits 1 with the report alone on stdout', async () => {
    const run = await auditstack(['verify', '--json'], env);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, problems: [expect.objectContaining({ code: 'TRUST_ROOT_MISSING' })] });
    expect(run.stderr).toMatch(/^verify FAILED \(database\)/m);
  });

  it('migrate --check-drift --json: one document, no drift, exit 0', async () => {
    const run = await auditstack(['migrate', '--check-drift', '--json'], env);
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ dry_run: false, applied: [], drift: [], reader_password_set: false });
    expect(run.stderr).toContain('no drift');
  });

  it('tokens create --json, then revoke: one document each; revoking it again names nothing (exit 2)', async () => {
    const created = await auditstack(['tokens', 'create', '--name', 'cli-json', '--entitlements', 'events.read', '--json'], env);
    expect(created.code).toBe(0);
    const doc = jsonOf(created);
    expect(doc).toMatchObject({ name: 'cli-json', entitlements: ['events.read'], workspace_id: null, revoked_at: null });
    expect(doc.token).toMatch(/^ast_/);
    expect(doc).not.toHaveProperty('tokenHash');
    const revoked = await auditstack(['tokens', 'revoke', 'cli-json', '--json'], env);
    expect(revoked.code).toBe(0);
    expect(jsonOf(revoked)).toMatchObject({ id: doc.id, name: 'cli-json', revoked_at: expect.any(String) });
    const again = await auditstack(['tokens', 'revoke', 'cli-json', '--json'], env);
    expect(again.code).toBe(2);
    expect(jsonOf(again)).toMatchObject({ error: { exit_code: 2, message: 'no active token "cli-json"' } });
  });

  it('seed --json then jobs list --json: stdout parses as one document each', async () => {
    const seeded = await auditstack(['seed', '--json'], env);
    expect(seeded.code).toBe(0);
    expect(jsonOf(seeded)).toMatchObject({ project: 'demo', created_actions: expect.arrayContaining(['ping_check']) });
    const listed = await auditstack(['jobs', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect((jsonOf(listed) as unknown as { name: string }[]).map((j) => j.name)).toContain('ping_check');
    const missing = await auditstack(['jobs', 'run', 'no_such_action', '--json'], env);
    expect(missing.code).toBe(2);
    expect(jsonOf(missing)).toMatchObject({ error: { message: 'no action "no_such_action"' } });
  });

  it('fault: jobs run with the engine unreachable exits 3 (through the SDK); without AUDITSTACK_TOKEN exits 2', async () => {
    const embedded = { ...env, REDIS_URL: '', ENGINE_URL: 'http://127.0.0.1:1' };
    const down = await auditstack(['jobs', 'run', 'ping_check', '--project', 'demo', '--json'], { ...embedded, AUDITSTACK_TOKEN: 'ast_not_checked' });
    expect(down.code).toBe(3);
    expect(jsonOf(down)).toMatchObject({ error: { exit_code: 3, reason: 'could_not_check', message: expect.stringContaining('http://127.0.0.1:1') } });
    const noToken = await auditstack(['jobs', 'run', 'ping_check', '--project', 'demo', '--json'], { ...embedded, AUDITSTACK_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(jsonOf(noToken)).toMatchObject({ error: { message: expect.stringContaining('AUDITSTACK_TOKEN') } });
  });

  it('proof inclusion of a seq the ledger does not hold is a usage error (2)', async () => {
    const run = await auditstack(['proof', 'inclusion', '999999', '--json'], env);
    expect(run.code).toBe(2);
    expect(jsonOf(run)).toMatchObject({ error: { exit_code: 2, code: 'NOT_FOUND' } });
  });

  it('up --json: JSON lines only on stdout (listening per service, ready, then stopped with exit 0 on SIGTERM)', async () => {
    const upDb = await createTestDatabase({ migrated: true });
    const [enginePort, gatewayPort] = [await freePort(), await freePort()];
    const upEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: upDb.url,
      AUDITSTACK_HOME: mkdtempSync(join(tmpdir(), 'auditstack-cli-up-')),
      ENGINE_PORT: String(enginePort),
      GATEWAY_PORT: String(gatewayPort),
      LOG_LEVEL: 'warn',
    };
    delete upEnv.REDIS_URL;
    const child = spawn(process.execPath, [CLI, 'up', '--no-dashboard', '--json'], { cwd: ROOT, env: upEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const events: Record<string, unknown>[] = [];
    const lines = createInterface({ input: child.stdout! });
    const allClosed = new Promise((resolve) => child.once('close', resolve));
    try {
      // Every stdout line must parse; the wait ends on the `ready` event (or the child's exit).
      await new Promise<void>((resolve, reject) => {
        void exited.then((code) => reject(new Error(`up exited with ${code} before ready:\n${stderr.slice(-3000)}`)));
        lines.on('line', (line) => {
          try {
            events.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            reject(new Error(`a stdout line is not JSON: ${line}`));
          }
          if (events.at(-1)?.event === 'ready') resolve();
        });
      });
      expect(
        events
          .filter((e) => e.event === 'listening')
          .map((e) => e.service)
          .sort(),
      ).toEqual(['engine', 'gateway']);
      expect(events.find((e) => e.service === 'engine')).toMatchObject({ url: `http://127.0.0.1:${enginePort}`, docs: `http://127.0.0.1:${enginePort}/docs` });
      const ready = events.at(-1)!;
      expect(ready).toMatchObject({
        urls: { engine: `http://127.0.0.1:${enginePort}`, gateway: `http://127.0.0.1:${gatewayPort}` },
        trust_root: { pinned_now: true },
      });
      expect(ready.admin_token).toMatch(/^ast_/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await allClosed;
      expect(events.at(-1)).toEqual({ event: 'stopped', exit_code: 0, reason: 'SIGTERM' });
      // The human lines went to stderr.
      expect(stderr).toContain('Press Ctrl+C to stop.');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await upDb.drop();
    }
  }, 240_000);
});
