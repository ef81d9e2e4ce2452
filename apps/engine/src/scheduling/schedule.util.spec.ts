import { normaliseSchedule, scheduleProblem } from './schedule.util';

describe('scheduleProblem', () => {
  it('accepts 5-field cron in UTC', () => {
    expect(scheduleProblem('*/5 * * * *', false)).toBeNull();
    expect(normaliseSchedule('  0  3 * *   MON-FRI ')).toBe('0 3 * * MON-FRI');
  });
  it('names the problem of an invalid schedule', () => {
    expect(scheduleProblem('61 * * * *', false)).toMatch(/61|range/);
    expect(scheduleProblem('* * * *', false)).toMatch(/exactly 5 fields/);
  });
  it('accepts a 6-field schedule with seconds only when allowed', () => {
    expect(scheduleProblem('* * * * * *', false)).toMatch(/exactly 5 fields/);
    expect(scheduleProblem('* * * * * *', true)).toBeNull();
    expect(scheduleProblem('75 * * * * *', true)).toMatch(/75|range/);
  });
});
