import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ProblemSchema } from '@auditstack/audit-core';
import { startGateway, type GatewayHarness } from '../gateway/support/gateway-harness';
import { quickstart } from './fixtures/quickstart-sdk.example';

/**
 * docs/api.md cannot rot: every `curl` block of the quick start is run, as
 * written, with `curl` against a real gateway, and its answer compared with
 * the answer the page shows (status, top-level members, every value shown
 * except ids, secrets and times); the SDK block is the source of
 * `fixtures/quickstart-sdk.example.ts` and that file is run.
 */

const run = promisify(execFile);
const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
/** Values that differ on every run: shown in the page, not compared. */
const VOLATILE = new Set(['id', 'token', 'created_at', 'ledger_seq']);

interface Step {
  readonly command: string;
  readonly status: number;
  readonly answer: Record<string, unknown>;
}

/** Each ```bash block with its documented answer: the next "Answer (`NNN`…)" line and the ```json block after it. */
function stepsOf(markdown: string): Step[] {
  const steps: Step[] = [];
  const pattern = /```bash\n([\s\S]*?)\n```\n\nAnswer \(`(\d{3})`[^\n]*\n\n```json\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(pattern)) {
    steps.push({ command: match[1]!, status: Number(match[2]), answer: JSON.parse(match[3]!) as Record<string, unknown> });
  }
  return steps;
}

/** The documented answer as a matcher: volatile members match anything of the same type. */
function matcherOf(value: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return typeof value === 'number' ? expect.any(Number) : expect.any(String);
  if (Array.isArray(value)) return value.map((item) => matcherOf(item));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, matcherOf(v, k)]));
  return value;
}

describe('docs/api.md quick start, run against a real gateway', () => {
  let gateway: GatewayHarness;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    gateway = await startGateway();
    Object.assign(env, { AUDITSTACK_URL: gateway.url, AUDITSTACK_ADMIN_TOKEN: await gateway.token('quickstart-admin', ['admin']) });
  }, 60_000);
  afterAll(() => gateway?.close());

  /** Runs a documented block with bash and the real curl; `-w` appends the status on its own line. */
  async function runBlock(command: string): Promise<{ status: number; body: unknown }> {
    const script = `set -euo pipefail\ncurl() { command curl -w '\\n%{http_code}' "$@"; }\n${command}`;
    const { stdout } = await run('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 30_000 });
    const at = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(at + 1)), body: JSON.parse(stdout.slice(0, at)) as unknown };
  }

  const steps = stepsOf(DOC);

  it('the page has the quick start: a token, a first event, a read-back, an error, a page', () => {
    expect(steps.map((step) => step.command.split('\n')[0])).toEqual([
      'curl -sS -X POST "$AUDITSTACK_URL/v1/admin/tokens" \\',
      'curl -sS -X POST "$AUDITSTACK_URL/v1/lifecycle-events" \\',
      'curl -sS "$AUDITSTACK_URL/v1/lifecycle-events?engine_id=eng-7f2c&action=start&limit=10" \\',
      'curl -sS -X POST "$AUDITSTACK_URL/v1/lifecycle-events" \\',
      'curl -sS "$AUDITSTACK_URL/v1/lifecycle-events?engine_id=eng-7f2c&limit=1" \\',
    ]);
    expect(DOC).toContain('](../openapi/gateway.json)');
    expect(DOC).toContain('](events.md)');
  });

  it('every curl block answers what the page shows', async () => {
    for (const [index, step] of steps.entries()) {
      const res = await runBlock(step.command);
      const where = `block ${index + 1}: ${step.command.split('\n')[0]}`;
      expect({ where, status: res.status }).toEqual({ where, status: step.status });
      expect({ where, members: Object.keys(res.body as object).sort() }).toEqual({ where, members: Object.keys(step.answer).sort() });
      expect({ where, body: res.body }).toMatchObject({ where, body: matcherOf(step.answer) as object });
      if (step.status >= 400) ProblemSchema.parse(res.body);
      // The token block: the next blocks use the token it created.
      if (index === 0) env['AUDITSTACK_TOKEN'] = (res.body as { token: string }).token;
    }
  });

  it('sending the first event again is a duplicate, stored once (as the page says)', async () => {
    const res = await runBlock(steps[1]!.command);
    expect(res).toEqual({ status: 200, body: { event_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d11', status: 'duplicate', backend: 'postgres' } });
    const stored = await gateway.sql.query(`SELECT count(*)::int AS n FROM audit.lifecycle_events WHERE event_id = '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d11'`);
    expect(stored.rows[0]).toEqual({ n: 1 });
  });

  it('the SDK block is the example file, and the example sends, reads back and pages through the events', async () => {
    const source = readFileSync(join(__dirname, 'fixtures', 'quickstart-sdk.example.ts'), 'utf8').trimEnd();
    expect(DOC).toContain(`\`\`\`ts\n${source}\n\`\`\``);
    const result = await quickstart(gateway.url, env['AUDITSTACK_TOKEN']!);
    expect(result).toMatchObject({ found: true, stats: { emitted: 1, sent: 1, failed: 0, rejected: 0, dropped: 0, buffered: 0 } });
    // The curl event and the SDK event of the same engine, page after page.
    expect(result.total).toBe(2);
  });
});
