import { firingsBetween, missedMessage, planMissed } from './missed-firing.util';

const t = (iso: string): number => Date.parse(iso);

describe('firingsBetween', () => {
  it('lists the cron firings in (after, until], in UTC', () => {
    const { times, capped } = firingsBetween('*/15 * * * *', t('2026-01-01T00:00:00Z'), t('2026-01-01T01:00:00Z'), 100);
    expect(times.map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(capped).toBe(false);
  });
  it('stops at the cap and says so (an every-second schedule over a long outage)', () => {
    const { times, capped } = firingsBetween('* * * * * *', t('2026-01-01T00:00:00Z'), t('2026-01-02T00:00:00Z'), 50);
    expect(times).toHaveLength(50);
    expect(capped).toBe(true);
  });
  it('an empty or inverted window has no firings', () => {
    expect(firingsBetween('* * * * *', t('2026-01-01T00:00:30Z'), t('2026-01-01T00:00:50Z'), 10).times).toEqual([]);
    expect(firingsBetween('* * * * *', t('2026-01-01T01:00:00Z'), t('2026-01-01T00:00:00Z'), 10).times).toEqual([]);
  });
});

describe('planMissed (a long outage leaves bounded traces)', () => {
  it('records up to max firings one by one, then one run summarising the rest under its first firing', () => {
    const missing = Array.from({ length: 25 }, (_, i) => 1_000 * (i + 1));
    const plan = planMissed(missing, 10, false);
    expect(plan).toHaveLength(11);
    expect(plan.slice(0, 10).every((r) => r.count === 1 && r.to === r.at)).toBe(true);
    expect(plan[10]).toEqual({ at: 11_000, count: 15, to: 25_000, atLeast: false });
  });
  it('no summary when the firings fit', () => {
    expect(planMissed([5, 6], 10, false)).toEqual([
      { at: 5, count: 1, to: 5, atLeast: false },
      { at: 6, count: 1, to: 6, atLeast: false },
    ]);
  });
  it('messages start with "missed: " and name the firing time or range', () => {
    const [single, summary] = [
      missedMessage({ at: t('2026-01-01T00:00:00Z'), count: 1, to: t('2026-01-01T00:00:00Z'), atLeast: false }),
      missedMessage({ at: t('2026-01-01T00:00:00Z'), count: 7, to: t('2026-01-01T00:06:00Z'), atLeast: true }),
    ];
    expect(single).toMatch(/^missed: the firing scheduled at 2026-01-01T00:00:00.000Z did not run/);
    expect(summary).toMatch(/^missed: at least 7 firings from 2026-01-01T00:00:00.000Z to 2026-01-01T00:06:00.000Z/);
  });
});
