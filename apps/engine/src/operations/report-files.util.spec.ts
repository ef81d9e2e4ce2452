import { isoWeekLabel, mdTable } from './report-files.util';

describe('isoWeekLabel (ISO 8601 week of a UTC date)', () => {
  it.each([
    ['2026-06-01T00:00:00Z', 'week-2026-23'], // Monday
    ['2026-06-07T23:59:59Z', 'week-2026-23'], // the Sunday of the same week
    ['2026-12-31T12:00:00Z', 'week-2026-53'], // 2026 starts on a Thursday: 53 weeks
    ['2027-01-01T12:00:00Z', 'week-2026-53'], // still the last week of 2026
    ['2024-12-30T00:00:00Z', 'week-2025-01'], // a December Monday in week 1 of the next year
    ['2021-01-03T00:00:00Z', 'week-2020-53'],
  ])('%s → %s', (date, label) => {
    expect(isoWeekLabel(new Date(date))).toBe(label);
  });
});

describe('mdTable', () => {
  it('escapes cells that come from ingested ids', () => {
    expect(mdTable(['tool'], [['a|b\nc']])).toBe('| tool |\n|---|\n| a\\|b c |\n');
    expect(mdTable(['tool'], [])).toBe('_none_\n');
  });
});
