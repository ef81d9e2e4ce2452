import { z } from 'zod';
import {
  boundedText,
  EVENT_TIMESTAMP_FORMS_RULE,
  EventTimestampSchema,
  formatIssuePath,
  formatIssues,
  Hex64Schema,
  IdentifierSchema,
  normalizeEventTimestampText,
  SeqSchema,
  Sha256HexSchema,
  SlugSchema,
  strictObject,
  UtcTimestampSchema,
  UuidSchema,
} from './common.schema';

const HEX = 'a'.repeat(64);

function messages(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a rejection');
  return formatIssues(result.error);
}

describe('UtcTimestampSchema', () => {
  const Event = z.object({ ts: UtcTimestampSchema });

  it('accepts Z and converts an offset to the UTC instant', () => {
    expect(UtcTimestampSchema.parse('2026-11-22T10:00:00Z').toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(UtcTimestampSchema.parse('2026-11-22T10:00:00+02:00').toISOString()).toBe('2026-11-22T08:00:00.000Z');
    expect(UtcTimestampSchema.parse('2026-11-22T01:30:00.250-05:30').toISOString()).toBe('2026-11-22T07:00:00.250Z');
  });

  it('accepts a valid Date (a row read back from timestamptz)', () => {
    const date = new Date('2026-01-01T00:00:00Z');
    expect(UtcTimestampSchema.parse(date).getTime()).toBe(date.getTime());
  });

  it.each([
    ['unparsable', 'yesterday at noon'],
    ['no time zone', '2026-11-22T10:00:00'],
    ['date only', '2026-11-22'],
    ['impossible date', '2026-02-30T10:00:00Z'],
    ['a number', 1_700_000_000_000],
    ['an invalid Date', new Date('nope')],
  ])('rejects %s with a message naming the field', (_label, ts) => {
    const [message, ...rest] = messages(Event, { ts });
    expect(rest).toEqual([]);
    expect(message).toMatch(/^ts: must be an ISO-8601 date-time .*time zone/);
  });

  it('never echoes the rejected value', () => {
    expect(messages(Event, { ts: 'secret-looking-value' }).join()).not.toContain('secret-looking-value');
  });

  it('refuses year 0000, which ISO 8601 allows and PostgreSQL cannot store (found by the contract property test as a 500)', () => {
    expect(messages(Event, { ts: '0000-01-01T00:00:00Z' })).toEqual(['ts: must be in year 0001 or later']);
    expect(UtcTimestampSchema.parse('0001-01-01T00:00:00Z').getUTCFullYear()).toBe(1);
  });
});

describe('EventTimestampSchema: RFC 3339 and PostgreSQL timestamptz text', () => {
  const Event = z.object({ ts: EventTimestampSchema });

  it.each([
    ['RFC 3339 Z', '2026-12-01T23:00:00Z', '2026-12-01T23:00:00.000Z'],
    ['RFC 3339 offset', '2026-12-02T01:00:00+02:00', '2026-12-01T23:00:00.000Z'],
    ['RFC 3339 lowercase t and z', '2026-12-01t23:00:00z', '2026-12-01T23:00:00.000Z'],
    ['PostgreSQL text, hour offset', '2026-12-01 23:00:00+00', '2026-12-01T23:00:00.000Z'],
    ['PostgreSQL text, microseconds and +00:00', '2026-12-01 23:00:00.123456+00:00', '2026-12-01T23:00:00.123Z'],
    ['PostgreSQL text with T', '2026-12-01T23:00:00+00', '2026-12-01T23:00:00.000Z'],
    ['PostgreSQL text, negative half-hour offset', '2026-12-01 19:30:00-03:30', '2026-12-01T23:00:00.000Z'],
    ['compact offset', '2026-12-01 23:00:00+0000', '2026-12-01T23:00:00.000Z'],
    ['a Date (a row read back)', new Date('2026-12-01T23:00:00Z'), '2026-12-01T23:00:00.000Z'],
  ])('accepts %s', (_label, ts, iso) => {
    expect(EventTimestampSchema.parse(ts).toISOString()).toBe(iso);
  });

  it.each([
    ['no zone (PostgreSQL timestamp without time zone)', '2026-12-01 23:00:00'],
    ['no seconds', '2026-12-01 23:00+00'],
    ['impossible date', '2026-02-30 10:00:00+00'],
    ['bad offset', '2026-12-01 23:00:00+25'],
    ['two spaces', '2026-12-01  23:00:00+00'],
    ['free text', 'yesterday'],
    ['a long string', `2026-12-01 23:00:00+00${' '.repeat(100)}`],
  ])('refuses %s naming the field and both forms, without echoing the value', (_label, ts) => {
    const result = Event.safeParse({ ts });
    expect(result.success ? [] : formatIssues(result.error)).toEqual([`ts: ${EVENT_TIMESTAMP_FORMS_RULE}`]);
  });

  it('keeps the event time range for every form', () => {
    for (const ts of ['1969-12-31 23:59:59+00', '9999-12-31 23:59:59+00', '0000-01-01T00:00:00Z']) {
      const result = Event.safeParse({ ts });
      expect([ts, result.success ? [] : formatIssues(result.error)]).toEqual([
        ts,
        [expect.stringMatching(/^ts: must be between 1970-01-01T00:00:00Z and now/)],
      ]);
    }
  });

  it('normalizeEventTimestampText rewrites PostgreSQL text to RFC 3339 and leaves anything else as is', () => {
    expect(normalizeEventTimestampText('2026-12-01 23:00:00+00')).toBe('2026-12-01T23:00:00+00:00');
    expect(normalizeEventTimestampText('2026-12-01 23:00:00.5-0330')).toBe('2026-12-01T23:00:00.5-03:30');
    expect(normalizeEventTimestampText('2026-12-01T23:00:00z')).toBe('2026-12-01T23:00:00Z');
    expect(normalizeEventTimestampText('not a time')).toBe('not a time');
  });
});

describe('identifier helpers', () => {
  it('uuid: accepts and lowercases, rejects junk', () => {
    expect(UuidSchema.parse('0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B')).toBe('0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b');
    expect(messages(z.object({ id: UuidSchema }), { id: 'not-a-uuid' })).toEqual(['id: must be a UUID (8-4-4-4-12 hex digits)']);
  });

  it('slug: lowercase a-z 0-9 -, 1–63', () => {
    expect(SlugSchema.parse('acme-chat')).toBe('acme-chat');
    for (const bad of ['', 'Acme', 'a b', '-lead', 'x'.repeat(64)]) expect(SlugSchema.safeParse(bad).success).toBe(false);
  });

  it('identifier: refuses spaces, e-mail addresses and over-long strings', () => {
    expect(IdentifierSchema.parse('ws_42:team/a.b-c')).toBe('ws_42:team/a.b-c');
    for (const bad of ['jane@example.com', 'two words', 'x'.repeat(129), '', '.hidden']) {
      expect(IdentifierSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('sha256 hex: 64 lowercase hex, optional sha256: prefix stripped', () => {
    expect(Sha256HexSchema.parse(HEX)).toBe(HEX);
    expect(Sha256HexSchema.parse(`sha256:${HEX}`)).toBe(HEX);
    for (const bad of ['A'.repeat(64), 'a'.repeat(63), `md5:${HEX}`, `sha256:${'g'.repeat(64)}`]) {
      expect(Sha256HexSchema.safeParse(bad).success).toBe(false);
    }
    expect(Hex64Schema.safeParse(`sha256:${HEX}`).success).toBe(false);
  });

  it('seq: a number or the decimal string pg returns for bigint', () => {
    expect(SeqSchema.parse(7)).toBe(7);
    expect(SeqSchema.parse('123')).toBe(123);
    for (const bad of [-1, 1.5, '01', '99999999999999999', 'x']) expect(SeqSchema.safeParse(bad).success).toBe(false);
  });

  it('bounded text refuses control characters', () => {
    expect(boundedText(10).safeParse('ok\ttext').success).toBe(true);
    expect(boundedText(10).safeParse('bell\u0007').success).toBe(false);
    expect(boundedText(3).safeParse('long').success).toBe(false);
  });
});

describe('messages', () => {
  it('name nested fields and array indexes', () => {
    expect(formatIssuePath(['metadata', 'policy_id'])).toBe('metadata.policy_id');
    expect(formatIssuePath(['checks', 2, 'status'])).toBe('checks[2].status');
    expect(formatIssuePath(['config', 'a b'])).toBe('config["a b"]');
  });

  it('strict objects list unknown keys, truncated, and the allowed ones', () => {
    const schema = strictObject({ a: z.string() }, 'a thing');
    const [message] = messages(schema, { a: 'x', ['k'.repeat(500)]: 1 });
    expect(message).toMatch(/^unknown field\(s\) "k{64}…" in a thing; allowed: a$/);
  });
});
