import fc from 'fast-check';
import { DEFAULT_COST_MODEL } from './cost-model.util';
import {
  finopsDigestFromEvents,
  finopsReport,
  percentileCont,
  percentileContOfHistogram,
  privacyDigestFromEvents,
  toolDigestGroupsFromEvents,
  type DigestToolEvent,
} from './tool-digest.util';

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

describe('statuses and hashes as seed-001 emitters send them', () => {
  const at = (i: number): string => `2026-01-01T00:00:0${i}Z`;
  const call = (i: number, status: string, input_hash: string | null | undefined, tool = 't'): DigestToolEvent => ({
    event_id: String(i),
    ts: at(i),
    tool,
    agent_id: 'a',
    workspace_id: 'w',
    status,
    duration_ms: 0,
    in_size: 0,
    out_size: 0,
    ...(input_hash === undefined ? {} : { input_hash }),
  });
  const events = [
    call(0, 'ok', 'h1'),
    call(1, 'succeeded', null),
    call(2, 'succeeded', ''),
    call(3, 'failed', undefined, 'u'),
    call(4, 'timeout', 'h1'),
    call(5, 'denied', 'h2'),
  ];
  const window = { from: new Date(at(0)), to: new Date(at(9)), workspace: null };

  it('counts every call: unrecognised statuses in calls and by name, not in errors or denied; calls without hash whether null, "" or absent', () => {
    const total = toolDigestGroupsFromEvents(events).find((g) => g.dimension === 'total')!;
    expect(total).toMatchObject({ calls: 6, errors: 1, denied: 1, unrecognised_status: 3, without_hash: 3 });
    expect(total.unrecognised_statuses).toEqual([
      { status: 'succeeded', calls: 2 },
      { status: 'failed', calls: 1 },
    ]);
    const byTool = toolDigestGroupsFromEvents(events).filter((g) => g.dimension === 'tool');
    expect(byTool.map((g) => [g.key, g.unrecognised_status, g.unrecognised_statuses])).toEqual([
      ['t', 2, undefined],
      ['u', 1, undefined],
    ]);
  });

  it('the finops digest reports them: per entry unrecognised_status, and the statuses by name', () => {
    const report = finopsDigestFromEvents(events, window, DEFAULT_COST_MODEL);
    expect(report['totals']).toMatchObject({ calls: 6, errors: 1, denied: 1, unrecognised_status: 3 });
    expect(report['unrecognised_statuses']).toEqual([
      { status: 'succeeded', calls: 2 },
      { status: 'failed', calls: 1 },
    ]);
    expect(report['by_tool']).toEqual(expect.arrayContaining([expect.objectContaining({ tool: 'u', unrecognised_status: 1 })]));
    const clean = finopsDigestFromEvents([call(0, 'ok', 'h1')], window, DEFAULT_COST_MODEL);
    expect([clean['unrecognised_statuses'], (clean['totals'] as Record<string, unknown>)['unrecognised_status']]).toEqual([[], 0]);
  });

  it('the privacy digest counts calls without input hash (without_hash, events_without_hash) and never lists "" as a repeated input', () => {
    const report = privacyDigestFromEvents(events, window);
    expect(report['totals']).toMatchObject({ calls: 6, without_hash: 3, unrecognised_status: 3 });
    expect(report['events_without_hash']).toEqual([
      { tool: 't', events: 2, calls: 5 },
      { tool: 'u', events: 1, calls: 1 },
    ]);
    expect(report['repeated_inputs']).toEqual([expect.objectContaining({ input_hash: 'h1', calls: 2 })]);
  });
});
