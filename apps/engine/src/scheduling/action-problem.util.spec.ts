import { z } from 'zod';
import { actionProblem } from './action-problem.util';

describe('actionProblem (the scheduler and the overview share it)', () => {
  const http = { type: 'http', config: z.strictObject({ url: z.url() }) };
  const registry = { get: (type: string) => (type === 'http' ? http : undefined), list: () => [http] };
  const row = (over: Record<string, unknown> = {}) => ({ action_type: 'http', schedule: '*/5 * * * *', config: { url: 'http://a.test/' }, ...over });

  it('a valid row has no problem', () => {
    expect(actionProblem(row(), registry, false, true)).toBeNull();
  });
  it('no action type (the column default for an INSERT without one)', () => {
    expect(actionProblem(row({ action_type: '' }), registry, false)).toMatchObject({ kind: 'no_action_type', code: 'unknown_type', short: 'no action type' });
    expect(actionProblem(row({ action_type: '' }), registry, false)!.message).toMatch(/^no action type: /);
  });
  it('an unknown type keeps the scheduler message', () => {
    expect(actionProblem(row({ action_type: 'ftp' }), registry, false)!.message).toBe(
      'unknown action type "ftp" (registered: http); the action is not scheduled until it is fixed',
    );
  });
  it('an invalid cron; the memo keeps 5- and 6-field rules apart', () => {
    expect(actionProblem(row({ schedule: '61 * * * *' }), registry, false)).toMatchObject({ kind: 'invalid_schedule', short: "invalid cron '61 * * * *'" });
    expect(actionProblem(row({ schedule: '* * * * * *' }), registry, true)).toBeNull();
    expect(actionProblem(row({ schedule: '* * * * * *' }), registry, false)).toMatchObject({ kind: 'invalid_schedule' });
    expect(actionProblem(row({ schedule: '* * * * * *' }), registry, true)).toBeNull();
  });
  it('an invalid config only when asked, naming the field and not the value', () => {
    expect(actionProblem(row({ config: { url: 'secret-ish value' } }), registry, false)).toBeNull();
    const problem = actionProblem(row({ config: { url: 'secret-ish value' } }), registry, false, true);
    expect(problem).toMatchObject({ kind: 'invalid_config', code: 'config_invalid' });
    expect(problem!.short).toMatch(/^invalid config \(url: /);
    expect(problem!.short).not.toContain('secret-ish');
    // The same content after a fix is a new key.
    expect(actionProblem(row({ config: { url: 'http://b.test/' } }), registry, false, true)).toBeNull();
  });
});
