import { DryRunReportSchema } from '@auditstack/audit-core';
import { describeCounts, displayValue, formatDuration, shapeDryRun } from './dry-run-report.util';

/** A dry-run answer as the engine sends it (test/engine/workbook.int-spec.ts), abridged. */
const answer = {
  run_id: '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60',
  ledger_seq: 42,
  name: 'item-flow',
  verdict: 'fail',
  status: 'fail',
  duration_ms: 1234,
  steps: [
    {
      id: 'session',
      kind: 'http',
      status: 'pass',
      message: 'HTTP 200 — 1 assertion(s) hold — extracted item_id',
      duration_ms: 12,
      check: {
        check_id: 'session',
        target: 'http://127.0.0.1:9/session',
        status: 'pass',
        message: '…',
        rule: {},
        evidence: {
          kind: 'http',
          parameters: { url: 'http://127.0.0.1:9/session' },
          collector_checks: [{ check_id: 'http.status', status: 'pass', message: 'HTTP 200', evidence: {} }],
          assertions: [{ path: '$.status_code', op: 'eq', expected: 200, actual: '200', ok: true }],
          extracted: { item_id: '"item 42"' },
        },
      },
    },
    {
      id: 'item',
      kind: 'http',
      status: 'fail',
      message: 'assertion(s) failed: $.json.status eq: is "open", expected "closed"',
      duration_ms: 8,
      check: {
        check_id: 'item',
        target: 'http://127.0.0.1:9/items/item%2042',
        status: 'fail',
        message: 'assertion(s) failed',
        rule: {},
        evidence: {
          assertions: [{ path: '$.json.status', op: 'eq', expected: 'closed', actual: '"open"', ok: false, reason: 'is "open", expected "closed"' }],
        },
      },
    },
    {
      id: 'port',
      kind: 'tcp',
      status: 'error',
      message: 'skipped: depends on session',
      duration_ms: 0,
      check: {
        check_id: 'port',
        target: '127.0.0.1:${ctx.p}',
        status: 'error',
        message: 'skipped',
        rule: {},
        evidence: { skipped: true, depends_on: ['session'] },
      },
    },
    {
      id: 'odd',
      kind: 'sql',
      status: 'pass',
      message: '',
      duration_ms: 1,
      check: { check_id: 'odd', target: 'sql', status: 'pass', message: '', rule: {}, evidence: { assertions: 'not a list' } },
    },
  ],
  context: { item_id: 'item 42', port: 8080, nested: { a: 1 } },
};

describe('shapeDryRun', () => {
  const view = shapeDryRun(DryRunReportSchema.parse(answer));

  it('one row per step in order, with status, target, duration and assertions', () => {
    expect(view.steps.map((s) => [s.id, s.status, s.durationMs])).toEqual([
      ['session', 'pass', 12],
      ['item', 'fail', 8],
      ['port', 'error', 0],
      ['odd', 'pass', 1],
    ]);
    expect(view.steps[0]).toMatchObject({
      target: 'http://127.0.0.1:9/session',
      assertions: [{ path: '$.status_code', op: 'eq', expected: '200', actual: '200', ok: true, reason: null }],
      collectorChecks: [{ checkId: 'http.status', status: 'pass', message: 'HTTP 200' }],
      parameters: { url: 'http://127.0.0.1:9/session' },
      dependsOn: null,
    });
    expect(view.steps[1]!.assertions[0]).toMatchObject({ expected: 'closed', actual: '"open"', ok: false, reason: 'is "open", expected "closed"' });
  });

  it('marks a skipped step with the steps it waited for', () => {
    expect(view.steps[2]).toMatchObject({ dependsOn: ['session'], assertions: [] });
  });

  it('tolerates evidence in a shape it does not know', () => {
    expect(view.steps[3]).toMatchObject({ assertions: [], collectorChecks: [], extracted: {}, parameters: null, target: 'sql' });
  });

  it('counts steps per status, best first, and lists the context as text', () => {
    expect(describeCounts(view.counts)).toBe('2 pass, 1 fail, 1 error');
    expect(view.context).toEqual([
      { key: 'item_id', value: 'item 42' },
      { key: 'port', value: '8080' },
      { key: 'nested', value: '{"a":1}' },
    ]);
    expect(view).toMatchObject({ name: 'item-flow', verdict: 'fail', durationMs: 1234 });
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(45_000)).toBe('45 s');
  });

  it('values', () => {
    expect(displayValue(undefined)).toBe('');
    expect(displayValue('as is')).toBe('as is');
    expect(displayValue(['a', 1])).toBe('["a",1]');
    expect(displayValue(null)).toBe('null');
  });
});
