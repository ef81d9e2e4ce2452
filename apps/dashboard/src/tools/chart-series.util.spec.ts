import { chartSeries } from './chart-series.util';

describe('chartSeries', () => {
  it('labels by tool and measures cost first, largest first', () => {
    const series = chartSeries([
      { tool: 'search', calls: 10, cost: 0.5 },
      { tool: 'fetch', calls: 30, cost: 1.25 },
    ]);
    expect(series).toEqual({ labelKey: 'tool', metricKey: 'cost', points: [{ label: 'fetch', value: 1.25 }, { label: 'search', value: 0.5 }] });
  });

  it('falls back to the first naming and numeric columns', () => {
    expect(chartSeries([{ bucket: 'a', n: 2 }])).toMatchObject({ labelKey: 'bucket', metricKey: 'n' });
  });

  it('keeps at most 12 bars', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ tool: `t${i}`, calls: i }));
    expect(chartSeries(rows)!.points).toHaveLength(12);
    expect(chartSeries(rows)!.points[0]).toEqual({ label: 't19', value: 19 });
  });

  it('returns null when there is nothing to chart', () => {
    expect(chartSeries([])).toBeNull();
    expect(chartSeries([{ tool: 'a' }])).toBeNull();
    expect(chartSeries([{ calls: 1 }])).toBeNull();
  });
});
