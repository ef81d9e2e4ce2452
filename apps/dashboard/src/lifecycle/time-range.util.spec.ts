import { resolveTimeRange } from './time-range.util';

describe('resolveTimeRange', () => {
  const now = new Date('2026-11-22T12:00:00Z');

  it('a quick range counts back from now', () => {
    expect(resolveTimeRange({ range: '24h' }, now)).toEqual({ range: '24h', from: '2026-11-21T12:00:00.000Z' });
    expect(resolveTimeRange({ range: '1h' }, now).from).toBe('2026-11-22T11:00:00.000Z');
  });

  it('explicit From/To are UTC and win over the quick range', () => {
    expect(resolveTimeRange({ range: '7d', from: '2026-11-20T08:30', to: '2026-11-21T00:00' }, now)).toEqual({
      from: '2026-11-20T08:30:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
      fromInput: '2026-11-20T08:30',
      toInput: '2026-11-21T00:00',
    });
    expect(resolveTimeRange({ to: '2026-11-21T00:00:59' }, now)).toMatchObject({ to: '2026-11-21T00:00:00.000Z', from: undefined });
  });

  it('reports bad input instead of applying it', () => {
    expect(resolveTimeRange({ from: 'yesterday' }, now)).toEqual({ problem: 'From and To must be dates and times (UTC).' });
    expect(resolveTimeRange({ from: '2026-11-21T00:00', to: '2026-11-20T00:00' }, now).problem).toBe('From must be before To.');
    expect(resolveTimeRange({ from: '2026-13-45T99:00' }, now).problem).toBeDefined();
  });

  it('nothing chosen: no bounds; an unknown range is ignored', () => {
    expect(resolveTimeRange({}, now)).toEqual({});
    expect(resolveTimeRange({ range: '5y' }, now)).toEqual({});
  });
});
