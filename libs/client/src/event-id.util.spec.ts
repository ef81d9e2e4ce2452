import { uuidv7 } from './event-id.util';

describe('uuidv7 (RFC 9562 §5.7)', () => {
  it('has the version 7 and variant bits and the millisecond timestamp in its first 48 bits', () => {
    const now = Date.parse('2026-12-02T10:00:00.123Z');
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('two ids of the same millisecond differ (random tail), and later ids sort after earlier ones', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidv7(1_000)));
    expect(ids.size).toBe(1000);
    expect(uuidv7(2_000) > uuidv7(1_000)).toBe(true);
  });
});
