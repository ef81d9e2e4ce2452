import { formatLocal, formatUtc } from './time.util';

describe('time formatting', () => {
  it('formats UTC to the minute with the zone spelled out', () => {
    expect(formatUtc('2026-11-22T09:05:59.123Z')).toBe('2026-11-22 09:05 UTC');
  });

  it('formats in the given zone and names it', () => {
    const text = formatLocal('2026-11-22T09:05:00Z', { locale: 'en-GB', timeZone: 'Europe/Paris' });
    expect(text).toContain('10:05');
    expect(text).toContain('22 Nov 2026');
    expect(text).toMatch(/CET|GMT\+1/);
  });

  it('crosses the date line in the viewer zone', () => {
    expect(formatLocal('2026-11-22T23:30:00Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toContain('23 Nov 2026');
  });

  it('returns unparseable input unchanged', () => {
    expect(formatUtc('not a date')).toBe('not a date');
    expect(formatLocal('not a date')).toBe('not a date');
  });
});
