import { formatIssues } from './common.schema';
import { CheckResultRowSchema, RunOutputSchema, RunSchema, RunWriteSchema } from './run.schema';

const ID = (n: number) => `0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7${n}`;

const CHECK = {
  check_id: 'spf.present',
  target: 'example.com',
  status: 'pass',
  message: 'SPF record found',
  rule: { id: 'spf.present', description: 'An SPF TXT record exists', reference: 'RFC 7208 §4' },
  evidence: { txt: ['v=spf1 -all'] },
};

const RUN = {
  id: ID(1),
  action_id: ID(2),
  project_id: ID(3),
  action_type: 'dns_spf',
  job_id: 'repeat:act-2:1763805600000',
  trigger: 'schedule',
  status: 'pass',
  message: '1/1 checks passed',
  output: { checks: [CHECK] },
  scheduled_at: '2026-11-22T10:00:00Z',
  started_at: '2026-11-22T10:00:00.010Z',
  finished_at: '2026-11-22T10:00:00.250Z',
  duration_ms: 240,
  ledger_seq: '41',
};

describe('RunSchema', () => {
  it('accepts a stored run (ledger_seq as pg bigint string)', () => {
    const parsed = RunSchema.parse(RUN);
    expect(parsed.ledger_seq).toBe(41);
    expect(parsed.output.checks[0]?.status).toBe('pass');
    expect(parsed.finished_at.toISOString()).toBe('2026-11-22T10:00:00.250Z');
  });

  it('accepts an error run without checks and keeps action-specific output keys', () => {
    const parsed = RunSchema.parse({
      ...RUN,
      status: 'error',
      trigger: 'retry',
      output: { error: { code: 'TIMEOUT', message: 'exceeded 30000 ms' }, report: 'reports/cost/2026-11-22.json' },
      ledger_seq: null,
    });
    expect(parsed.output).toEqual({ checks: [], error: { code: 'TIMEOUT', message: 'exceeded 30000 ms' }, report: 'reports/cost/2026-11-22.json' });
  });

  it('rejects bad trigger, status, check and ordering, each by name', () => {
    const bad = RunSchema.safeParse({ ...RUN, trigger: 'cron', status: 'ok', output: { checks: [{ ...CHECK, status: 'green' }] } });
    expect(formatIssues(bad.error!).sort()).toEqual([
      expect.stringMatching(/^output\.checks\[0\]\.status: Invalid option/),
      'status: must be one of pass, fail, error',
      'trigger: must be one of schedule, manual, retry, dry_run',
    ]);
    const backwards = RunSchema.safeParse({ ...RUN, finished_at: '2026-11-22T09:59:59Z' });
    expect(formatIssues(backwards.error!)).toEqual(['finished_at: must not be before started_at']);
  });

  it('RunWriteSchema has no id or ledger_seq', () => {
    const { id: _id, ledger_seq: _seq, ...write } = RUN;
    expect(RunWriteSchema.parse(write).duration_ms).toBe(240);
    expect(RunWriteSchema.safeParse(RUN).success).toBe(false);
  });

  it('RunOutputSchema defaults checks to []', () => {
    expect(RunOutputSchema.parse({})).toEqual({ checks: [] });
    expect(formatIssues(RunOutputSchema.safeParse({ checks: 'all good' }).error!)).toEqual(['checks: must be an array of checks']);
  });
});

describe('CheckResultRowSchema', () => {
  const ROW = {
    project_id: ID(3),
    target: 'example.com',
    check_id: 'spf.present',
    action_id: ID(2),
    run_id: ID(1),
    status: 'warn',
    message: 'SPF uses ~all',
    rule: CHECK.rule,
    evidence: { txt: ['v=spf1 ~all'] },
    checked_at: '2026-11-22T10:00:00Z',
  };

  it('accepts a row', () => {
    expect(CheckResultRowSchema.parse(ROW).checked_at).toEqual(new Date('2026-11-22T10:00:00Z'));
  });

  it('rejects a bad status and a missing run_id, naming them', () => {
    const { run_id: _r, ...noRun } = ROW;
    expect(formatIssues(CheckResultRowSchema.safeParse({ ...noRun, status: 'maybe' }).error!).sort()).toEqual([
      'run_id: required',
      'status: must be one of pass, warn, fail, error',
    ]);
  });
});
