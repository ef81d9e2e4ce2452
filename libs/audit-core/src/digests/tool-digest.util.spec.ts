import fc from 'fast-check';
import { DEFAULT_COST_MODEL } from './cost-model.util';
import { finopsReport, percentileCont, percentileContOfHistogram, toolDigestGroupsFromEvents } from './tool-digest.util';

describe('percentileCont (PostgreSQL percentile_cont: linear interpolation)', () => {
  it.each([
    [[], 0.5, null],
    [[5], 0.95, 5],
    [[0, 100, 200, 300, 400, 1000], 0.5, 250], // position 2.5 → 200 + 0.5·100
    [[0, 100, 200, 300, 400, 1000], 0.95, 850], // position 4.75 → 400 + 0.75·600
    [[0, 1000], 0.95, 950],
  ])('%j at %d → %s', (values, p, expected) => {
    expect(percentileCont(values, p)).toBe(expected);
  });
});

describe('percentileContOfHistogram (what the SQL digest reads off its duration histograms)', () => {
  it('equals percentile_cont over the expanded values, for any histogram and p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (pairs, p) => {
          const merged = new Map<number, number>();
          for (const [v, c] of pairs) merged.set(v, (merged.get(v) ?? 0) + c);
          const values = [...merged.keys()].sort((a, b) => a - b);
          const counts = values.map((v) => merged.get(v)!);
          const expanded = values.flatMap((v, i) => Array<number>(counts[i]!).fill(v));
          const n = counts.reduce((a, b) => a + b, 0);
          expect(percentileContOfHistogram(values, counts, n, p)).toBeCloseTo(percentileCont(expanded, p)!, 9);
        },
      ),
    );
    expect(percentileContOfHistogram([], [], 0, 0.5)).toBeNull();
  });
});

describe('toolDigestGroupsFromEvents', () => {
  it('groups by tool, agent, workspace and in total like the GROUPING SETS query', () => {
    const groups = toolDigestGroupsFromEvents([
      {
        event_id: '1',
        ts: '2026-01-01T00:00:00Z',
        tool: 'a',
        agent_id: 'x',
        workspace_id: null,
        status: 'error',
        duration_ms: 10,
        in_size: 1,
        out_size: 2,
        input_hash: null,
      },
      {
        event_id: '2',
        ts: '2026-01-01T00:00:01Z',
        tool: 'b',
        agent_id: 'x',
        workspace_id: null,
        status: 'denied',
        duration_ms: 30,
        in_size: 3,
        out_size: 4,
        input_hash: 'h',
      },
    ]);
    const total = groups.find((g) => g.dimension === 'total')!;
    expect(total).toMatchObject({ calls: 2, errors: 1, denied: 1, p50: 20, duration_ms: 40, bytes_in: 4, bytes_out: 6, without_hash: 1 });
    expect(groups.filter((g) => g.dimension === 'tool').map((g) => g.key)).toEqual(['a', 'b']);
    expect(groups.filter((g) => g.dimension === 'workspace_id')).toMatchObject([{ key: null, calls: 2 }]);
    const report = finopsReport(groups, DEFAULT_COST_MODEL, null);
    expect((report['totals'] as Record<string, unknown>)['calls']).toBe(2);
    expect(report['by_agent']).toMatchObject([{ agent_id: 'x', calls: 2 }]);
  });
});
