import { nextRunOf } from './next-run.util';

describe('nextRunOf', () => {
  const from = new Date('2026-11-20T10:00:00Z'); // a Friday

  it.each([
    ['0 9 * * *', '2026-11-21T09:00:00.000Z'],
    ['*/5 * * * *', '2026-11-20T10:05:00.000Z'],
    ['0 9 * * 1-5', '2026-11-23T09:00:00.000Z'],
    ['30 6 * * 1', '2026-11-23T06:30:00.000Z'],
    ['0 0 1 * *', '2026-12-01T00:00:00.000Z'],
  ])('%s after Friday 10:00 UTC → %s', (schedule, next) => {
    expect(nextRunOf(schedule, from)).toBe(next);
  });

  it('returns null for an expression that does not parse', () => {
    expect(nextRunOf('not a cron', from)).toBeNull();
  });
});
