import { actorBars, formatBytes, hourlyBars, topBars } from './chart-data.util';

describe('chart data shaping', () => {
  it('topBars: largest first metric first, ties by label, at most max, null drawn as 0', () => {
    const rows = [
      { name: 'b', cost: 1, p95: null },
      { name: 'a', cost: 1, p95: 20 },
      { name: 'c', cost: 5, p95: 10 },
    ];
    expect(topBars(rows, (r) => r.name, { cost: (r) => r.cost, p95: (r) => r.p95 }, 2)).toEqual([
      { label: 'c', cost: 5, p95: 10 },
      { label: 'a', cost: 1, p95: 20 },
    ]);
    expect(topBars(rows, (r) => r.name, {})).toEqual([]);
  });

  it('hourlyBars: oldest hour first, every hour kept', () => {
    expect(
      hourlyBars([
        { hour: '2026-11-22T10:00:00.000Z', provisions: 2, denied: 0 },
        { hour: '2026-11-22T09:00:00.000Z', provisions: 0, denied: 1 },
      ]),
    ).toEqual([
      { label: '2026-11-22T09:00:00.000Z', provisions: 0, denied: 1 },
      { label: '2026-11-22T10:00:00.000Z', provisions: 2, denied: 0 },
    ]);
  });

  it('actorBars: the most frequent actions get a series, the rest is "other"', () => {
    const { data, keys } = actorBars(
      [
        { actor: 'ops', events: 4, by_action: { start: 2, stop: 1, destroy: 1 } },
        { actor: 'system', events: 6, by_action: { start: 5, health_check: 1 } },
      ],
      2,
    );
    expect(keys).toEqual(['start', 'destroy', 'other']);
    expect(data).toEqual([
      { label: 'system', start: 5, destroy: 0, other: 1 },
      { label: 'ops', start: 2, destroy: 1, other: 1 },
    ]);
    expect(actorBars([{ actor: 'a', events: 1, by_action: { stop: 1 } }]).keys).toEqual(['stop']);
  });

  it('formatBytes: decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(4_600_000)).toBe('4.6 MB');
  });
});
