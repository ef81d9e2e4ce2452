import { InvalidCursorError } from '@auditstack/audit-core';
import { decodeKeyset, encodeKeyset } from './query-params.schema';

const raw = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const ID = '0190c3a2-7b1e-7c00-8000-000000000001';

describe('decodeKeyset (attacker-controlled)', () => {
  it('reads back what encodeKeyset wrote, microseconds and offset kept', () => {
    const k = { ts: '2026-11-20T10:00:00.123456+00:00', id: ID };
    expect(decodeKeyset(encodeKeyset(k))).toEqual(k);
  });

  it.each([
    ['a date only Date.parse accepts', raw(['1', ID])],
    ['Feb 30', raw(['2026-02-30T00:00:00Z', ID])],
    ['year 0', raw(['0000-01-01T00:00:00Z', ID])],
    ['hour 25', raw(['2026-01-01T25:00:00Z', ID])],
    ['an id of 36 dashes', raw(['2026-11-20T10:00:00Z', '-'.repeat(36)])],
    ['wrong types', raw([1, { a: 2 }])],
    ['an object', raw({ ts: '2026-11-20T10:00:00Z', id: ID })],
    ['junk', Buffer.from([0, 255, 1]).toString('base64url')],
  ])('refuses %s with a 400 naming cursor', (_label, cursor) => {
    expect(() => decodeKeyset(cursor)).toThrow(InvalidCursorError);
    expect(() => decodeKeyset(cursor)).toThrow('cursor: must be a cursor returned as next_cursor');
  });
});
