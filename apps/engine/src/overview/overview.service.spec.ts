import { z } from 'zod';
import { healthOf, MAX_CARD_REASONS, projectSummary, summarise, type ActiveActionRow } from './overview.service';

describe('summarise (scorecard)', () => {
  const at = new Date('2026-11-22T10:00:00Z');
  it('all pass → green, X/N counts pass', () => {
    expect(summarise({ pass: 8, warn: 0, fail: 0, error: 0 }, at)).toMatchObject({ score: 8, total: 8, score_text: '8/8', badge: 'green', last_audit_at: at });
  });
  it('a warn colours the badge amber but keeps the score', () => {
    expect(summarise({ pass: 7, warn: 1, fail: 0, error: 0 }, at)).toMatchObject({ score_text: '8/8', badge: 'amber' });
  });
  it('any fail or error → red, and lowers the score', () => {
    expect(summarise({ pass: 6, warn: 1, fail: 1, error: 0 }, at)).toMatchObject({ score_text: '7/8', badge: 'red' });
    expect(summarise({ pass: 7, warn: 0, fail: 0, error: 1 }, at)).toMatchObject({ score_text: '7/8', badge: 'red' });
  });
  it('no results yet → grey 0/0', () => {
    expect(summarise({ pass: 0, warn: 0, fail: 0, error: 0 }, null)).toMatchObject({ score_text: '0/0', badge: 'grey', last_audit_at: null });
  });
});

describe('projectSummary (issue 15 item 4: never green while failing)', () => {
  const registry = {
    types: new Map([['http', { type: 'http', config: z.strictObject({ url: z.string().url() }) }]]),
    get(type: string) {
      return this.types.get(type);
    },
    list() {
      return [...this.types.values()];
    },
  };
  const at = new Date('2026-12-02T10:00:00Z');
  const action = (over: Partial<ActiveActionRow>): ActiveActionRow => ({
    id: '00000000-0000-4000-8000-000000000001',
    project_id: 'p',
    name: 'ping',
    action_type: 'http',
    schedule: '* * * * *',
    config: { url: 'http://a.test/' },
    run_id: null,
    run_status: null,
    run_message: null,
    run_error_code: null,
    run_started_at: null,
    run_finished_at: null,
    ...over,
  });
  const ran = (status: string, message = '', code: string | null = null): Partial<ActiveActionRow> => ({
    run_id: '00000000-0000-4000-8000-0000000000aa',
    run_status: status,
    run_message: message,
    run_error_code: code,
    run_started_at: at,
    run_finished_at: at,
  });
  const summary = (counts: { pass: number; warn: number; fail: number; error: number }, actions: ActiveActionRow[]) =>
    projectSummary(counts, counts.pass + counts.warn + counts.fail + counts.error > 0 ? at : null, healthOf(actions, registry, false));

  it('an error run without checks turns 2/2 green red, naming the action and the cause', () => {
    const s = summary({ pass: 2, warn: 0, fail: 0, error: 0 }, [
      action({ name: 'web', ...ran('pass') }),
      action({ name: 'domain-checks', ...ran('error', 'timed out after 30000 ms', 'timeout') }),
    ]);
    expect(s).toMatchObject({ score_text: '2/2', badge: 'red', reason_count: 1, last_run_at: at });
    expect(s.reasons).toEqual([expect.objectContaining({ action_name: 'domain-checks', kind: 'error', text: 'domain-checks: last run error (timed out)' })]);
  });
  it('unschedulable actions are red with the reason, before any run', () => {
    const s = summary({ pass: 0, warn: 0, fail: 0, error: 0 }, [
      action({ name: 'nightly', schedule: '61 * * * *' }),
      // The scheduler's own "not scheduled" error run is no audit: last_run_at stays null.
      action({ name: 'my-check', action_type: '', ...ran('error', 'no action type: …', 'unknown_type') }),
      action({ name: 'odd', action_type: 'no_such' }),
      action({ name: 'web', config: { url: 'not a url' } }),
    ]);
    expect(s).toMatchObject({ badge: 'red', last_run_at: null });
    expect(s.reasons.map((r) => r.text)).toEqual([
      'my-check: cannot be scheduled — no action type',
      "nightly: cannot be scheduled — invalid cron '61 * * * *'",
      "odd: cannot be scheduled — unknown action type 'no_such'",
      expect.stringMatching(/^web: cannot be scheduled — invalid config \(url: /),
    ]);
    expect(s.reasons[3]!.text).not.toContain('not a url');
  });
  it('grey only when no active action has run; a checkless pass run is green', () => {
    expect(summary({ pass: 0, warn: 0, fail: 0, error: 0 }, [action({})]).badge).toBe('grey');
    expect(summary({ pass: 0, warn: 0, fail: 0, error: 0 }, []).badge).toBe('grey');
    expect(summary({ pass: 0, warn: 0, fail: 0, error: 0 }, [action(ran('pass'))]).badge).toBe('green');
    expect(summary({ pass: 0, warn: 0, fail: 0, error: 0 }, [action(ran('warn'))]).badge).toBe('amber');
  });
  it('an old "invalid schedule" error run of a row that is valid now is no reason', () => {
    const s = summary({ pass: 1, warn: 0, fail: 0, error: 0 }, [action(ran('error', 'invalid schedule: …', 'invalid_schedule'))]);
    expect(s).toMatchObject({ badge: 'green', reason_count: 0, last_run_at: null });
  });
  it('keeps at most MAX_CARD_REASONS reasons and counts them all', () => {
    const many = Array.from({ length: MAX_CARD_REASONS + 3 }, (_, i) => action({ name: `a${String(i).padStart(2, '0')}`, ...ran('fail', '0/1 checks pass') }));
    const s = summary({ pass: 0, warn: 0, fail: 13, error: 0 }, many);
    expect(s.reasons).toHaveLength(MAX_CARD_REASONS);
    expect(s.reason_count).toBe(MAX_CARD_REASONS + 3);
    expect(s.reasons[0]!.text).toBe('a00: last run fail (0/1 checks pass)');
  });
});
