import { z } from 'zod';
import { named } from '../schemas/common.schema';

/**
 * Wire types shared by the response schemas of both services. A handler may
 * hand over what its storage returns (a `Date`, a `bigint` as a decimal
 * string); the response schema turns it into the one JSON form clients get.
 */

const TIMESTAMP_RULE = 'must be a Date or an ISO-8601 date-time with an offset';

/**
 * A timestamp in a response: accepts a `Date` or an ISO-8601 string (with an
 * offset) from the handler and always sends an ISO-8601 UTC string with
 * milliseconds (`2026-01-31T09:30:00.000Z`). The OpenAPI document shows it as
 * `string`, `format: date-time`.
 */
export const ApiTimestampSchema = z
  .union([z.date(named(TIMESTAMP_RULE)), z.iso.datetime({ offset: true, ...named(TIMESTAMP_RULE) })], named(TIMESTAMP_RULE))
  .transform((value) => (typeof value === 'string' ? new Date(value) : value))
  .refine((value) => !Number.isNaN(value.getTime()), named(TIMESTAMP_RULE))
  .transform((value) => value.toISOString())
  .pipe(z.iso.datetime())
  .meta({ description: 'ISO-8601 date-time, UTC.', example: '2026-01-31T09:30:00.000Z' });

/** What a client receives for an {@link ApiTimestampSchema}: an ISO-8601 UTC string. */
export type ApiTimestamp = z.output<typeof ApiTimestampSchema>;

const COUNT_RULE = 'must be a non-negative safe integer';

/**
 * A count or sequence number in a response: a non-negative safe integer,
 * given by the handler as a number or as the decimal string `pg` returns for
 * `bigint`/`count(*)`. Always sent as a JSON number.
 */
export const ApiCountSchema = z
  .union([z.number(named(COUNT_RULE)).int().min(0), z.string(named(COUNT_RULE)).regex(/^(?:0|[1-9][0-9]{0,15})$/)], named(COUNT_RULE))
  .transform((value) => (typeof value === 'number' ? value : Number(value)))
  .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER))
  .meta({ description: 'A non-negative integer.', example: 42 });

/** What a client receives for an {@link ApiCountSchema}: a number. */
export type ApiCount = z.output<typeof ApiCountSchema>;
