import { renderToStaticMarkup } from 'react-dom/server';
import { DryRunReportSchema } from '@auditstack/audit-core';
import { shapeDryRun } from './dry-run-report.util';
import { DryRunResults, StepDetails } from './dry-run-results';

const report = DryRunReportSchema.parse({
  run_id: '0193a7e2-5b7c-7d3e-9a4f-2b1c3d4e5f60',
  ledger_seq: null,
  name: 'flow',
  verdict: 'fail',
  status: 'fail',
  duration_ms: 30,
  steps: [
    {
      id: 'a',
      kind: 'http',
      status: 'pass',
      message: 'ok',
      duration_ms: 10,
      check: {
        check_id: 'a',
        target: 'http://h/a',
        status: 'pass',
        message: 'ok',
        rule: {},
        evidence: { assertions: [{ path: '$.x', op: 'eq', expected: 1, actual: '1', ok: true }] },
      },
    },
    {
      id: 'b',
      kind: 'http',
      status: 'fail',
      message: 'assertion(s) failed',
      duration_ms: 20,
      check: { check_id: 'b', target: 'http://h/b', status: 'fail', message: 'assertion(s) failed', rule: {}, evidence: {} },
    },
  ],
  context: { token: '<script>' },
});

describe('DryRunResults', () => {
  const html = renderToStaticMarkup(<DryRunResults view={shapeDryRun(report)} stale={false} />);

  it('shows the verdict with the step counts, one row per step and the context', () => {
    expect(html).toContain('data-verdict="fail"');
    expect(html).toContain('Verdict: fail</strong> — 1 pass, 1 fail in 30 ms');
    expect(html.match(/data-testid="step-status"/g)).toHaveLength(2);
    expect(html).toContain('<span class="pill pill-fail" data-testid="step-status">fail</span>');
    // Evidence is behind a button per step, collapsed at first.
    expect(html.match(/aria-expanded="false"/g)).toHaveLength(2);
    expect(html).toContain('Evidence<span class="visually-hidden"> of step a</span>');
    // Values from the target are text, never markup.
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
  });

  it("shows a step's evidence: target, assertions with expected and actual values", () => {
    const details = renderToStaticMarkup(<StepDetails step={shapeDryRun(report).steps[0]!} />);
    expect(details).toContain('http://h/a');
    expect(details).toContain('aria-label="Assertions of step a"');
    expect(details).toMatch(
      /<code>\$\.x<\/code><\/td><td>eq<\/td><td><code>1<\/code><\/td><td><code>1<\/code><\/td><td><span class="pill pill-pass">yes<\/span>/,
    );
  });

  it('says when the spec changed since the run', () => {
    expect(renderToStaticMarkup(<DryRunResults view={shapeDryRun(report)} stale />)).toContain('The spec has changed since this run.');
  });
});
