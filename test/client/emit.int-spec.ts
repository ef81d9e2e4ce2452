import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmitSummary } from '../../tools/src/commands/emit.command';
import { lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from '../gateway/support/gateway-harness';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `auditstack emit` against a real gateway on its own PostgreSQL database. */
describe('auditstack emit → real gateway', () => {
  let gw: GatewayHarness;
  let writer: string;
  let dir: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('emit-cli', ['events.write']);
    dir = await mkdtemp(join(tmpdir(), 'auditstack-emit-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the real CLI (`tools/bin/auditstack.js emit …`) with `stdin` piped in; stderr is not a terminal, so progress comes as plain lines. */
  const emit = (args: string[], stdin: string | null, env: Record<string, string> = { AUDITSTACK_TOKEN: writer }): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'tools', 'bin', 'auditstack.js'), 'emit', ...args], {
        cwd: ROOT,
        env: { ...process.env, AUDITSTACK_TOKEN: '', GATEWAY_URL: '', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
  const count = async (table: string, where: string, value: string): Promise<number> =>
    Number((await gw.sql.query(`SELECT count(*) AS n FROM audit.${table} WHERE ${where} = $1`, [value])).rows[0].n);

  it('10,000 NDJSON events on stdin (lifecycle and tool, kind detected per line) → 0 lost: every one a row, the summary exact', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const ts = new Date(Date.UTC(2026, 10, 20, 0, 0, 0, 0) + i).toISOString();
      lines.push(JSON.stringify(i % 5 < 3 ? lifecycleEvent({ engine_id: 'emit-bulk', ts }) : toolEvent({ agent_id: 'emit-bulk', req_id: `req-${i}`, ts })));
    }
    const run = await emit(['--url', gw.url, '--json'], `${lines.join('\n')}\n`);
    expect(run.stderr).not.toContain(writer);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as EmitSummary;
    expect(summary).toMatchObject({ ok: true, lines: 10_000, sent: 10_000, duplicates: 0, rejected: 0, failed: 0, rejections: [] });
    expect(summary.events_per_second).toBeGreaterThan(0);
    expect(await count('lifecycle_events', 'engine_id', 'emit-bulk')).toBe(6000);
    expect(await count('tool_events', 'agent_id', 'emit-bulk')).toBe(4000);
  });

  it('bad lines are rejected with their line numbers (exit 1), the good ones stored; the same file again → duplicates, nothing stored twice', async () => {
    const ev = (i: number): string =>
      JSON.stringify(
        lifecycleEvent({ engine_id: 'emit-mixed', event_id: `0192f3a4-1c2d-7e3f-8a4b-5c6d7e8f9a${String(i).padStart(2, '0')}`, ts: `2026-11-20T10:00:0${i}Z` }),
      );
    const file = join(dir, 'mixed.ndjson');
    await writeFile(
      file,
      [
        ev(1),
        '{not json',
        '',
        ev(2),
        JSON.stringify(lifecycleEvent({ engine_id: 'emit-mixed', action: 'teleport' })),
        '[1,2]',
        JSON.stringify({ hello: 'world' }),
        ev(3),
      ].join('\n'),
    );
    const first = await emit(['--url', gw.url, '--file', file, '--json'], null);
    expect(first.code).toBe(1);
    const summary = JSON.parse(first.stdout) as EmitSummary;
    expect(summary).toMatchObject({ ok: false, lines: 7, sent: 3, rejected: 4 });
    expect(summary.rejections.map((r) => r.line)).toEqual([2, 5, 6, 7]);
    expect(summary.rejections[0]!.errors).toEqual(['not valid JSON']);
    expect(summary.rejections[1]!.errors.join()).toMatch(/action: unknown lifecycle action "teleport"/);
    expect(summary.rejections[3]!.errors.join()).toMatch(/--kind/);
    expect(await count('lifecycle_events', 'engine_id', 'emit-mixed')).toBe(3);

    const again = await emit(['--url', gw.url, '--file', file, '--json'], null);
    expect(JSON.parse(again.stdout)).toMatchObject({ sent: 0, duplicates: 3, rejected: 4 });
    expect(await count('lifecycle_events', 'engine_id', 'emit-mixed')).toBe(3);
  });

  it('a human summary on stdout names the rejected line; the token is never printed', async () => {
    const run = await emit(
      ['--url', gw.url, '--kind', 'tool'],
      `${JSON.stringify(toolEvent({ agent_id: 'emit-human' }))}\n${JSON.stringify(toolEvent({ input_hash: 'nope' }))}\n`,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^emit: 2 lines in [\d.]+ s \(\d+ events\/s\): 1 stored, 0 duplicates, 1 rejected\n {2}line 2: .*input_hash/);
    expect(run.stdout + run.stderr).not.toContain(writer);
  });

  it('a gateway that cannot be reached → exit 3', async () => {
    const run = await emit(['--url', 'http://127.0.0.1:9', '--json'], `${JSON.stringify(lifecycleEvent())}\n`);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/could not be reached/);
  });

  it('usage errors → exit 2: no token, a refused token, a token without events.write, a file that does not exist, a bad --kind', async () => {
    const reader = await gw.token('emit-reader', ['events.read']);
    const line = `${JSON.stringify(lifecycleEvent())}\n`;
    const runs = await Promise.all([
      emit(['--url', gw.url], line, {}),
      emit(['--url', gw.url], line, { AUDITSTACK_TOKEN: 'ast_not_a_real_token_000000000000' }),
      emit(['--url', gw.url], line, { AUDITSTACK_TOKEN: reader }),
      emit(['--url', gw.url, '--file', join(dir, 'missing.ndjson')], null),
      emit(['--url', gw.url, '--kind', 'engine'], line),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]!.stderr).toMatch(/no token/);
    expect(runs[1]!.stderr).toMatch(/refused the token \(401/);
    expect(runs[2]!.stderr).toMatch(/lacks events.write/);
    expect(runs[3]!.stderr).toMatch(/--file: .* cannot be read/);
    expect(runs[4]!.stderr).toMatch(/--kind/);
    expect(runs.map((r) => r.stderr).join()).not.toContain(reader);
  });
});
