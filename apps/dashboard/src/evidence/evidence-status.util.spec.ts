import { anchorStatusOf, formatSeconds, observedCadence } from './evidence-status.util';

describe('evidence status', () => {
  it('anchorStatusOf finds the verifier counts wherever the run output nests them', () => {
    expect(anchorStatusOf({ checks: [], output: { ok: true, counts: { anchors: 3, anchorsChecked: true, byCode: {} } } })).toEqual({
      checked: true,
      anchors: 3,
      problems: 0,
    });
    expect(
      anchorStatusOf({ checks: [{ evidence: { counts: { anchors: 1, anchorsChecked: true, byCode: { ANCHOR_MISSING: 2, CHAIN_BROKEN: 1 } } } }] }),
    ).toEqual({ checked: true, anchors: 1, problems: 2 });
    expect(anchorStatusOf({ counts: { anchors: 0, anchorsChecked: false } })).toEqual({ checked: false, anchors: 0, problems: 0 });
    expect(anchorStatusOf({ checks: [{ status: 'pass' }] })).toBeNull();
    expect(anchorStatusOf(null)).toBeNull();
  });

  it('observedCadence: median gap and growth, heartbeats counted, newest-first input accepted', () => {
    const cadence = observedCadence([
      { tree_size: 30, created_at: '2026-11-22T10:03:00Z' },
      { tree_size: 30, created_at: '2026-11-22T10:02:00Z' },
      { tree_size: 20, created_at: '2026-11-22T10:01:00Z' },
      { tree_size: 0, created_at: '2026-11-22T10:00:00Z' },
    ]);
    expect(cadence).toEqual({ checkpoints: 4, medianSeconds: 60, medianLeaves: 10, heartbeats: 1 });
    expect(observedCadence([{ tree_size: 1, created_at: '2026-11-22T10:00:00Z' }])).toBeNull();
  });

  it('formatSeconds', () => {
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(600)).toBe('10 min');
    expect(formatSeconds(9000)).toBe('2.5 h');
  });
});
