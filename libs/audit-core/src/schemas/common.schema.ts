import { z } from 'zod';

/**
 * Building blocks shared by every audit-core schema.
 *
 * Error messages: every issue raised by an audit-core schema carries a message
 * that starts with the dotted path of the field it concerns
 * (`metadata.policy_id: required`, `ts: must be an ISO-8601 …`), so a 4xx body
 * can be built from `error.issues.map((i) => i.message)` alone. Messages name
 * the field and the rule and never echo the rejected value (input is attacker
 * controlled and may be large or sensitive).
 */

/** The longest key name quoted back in a message (keys are attacker controlled). */
const MAX_QUOTED_KEY = 64;
/** At most this many unknown keys are listed in one message. */
const MAX_QUOTED_KEYS = 10;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Quote a key name for a message: JSON-quoted, truncated, so a hostile key cannot flood a log line. */
export function quoteKey(key: PropertyKey): string {
  const text = typeof key === 'symbol' ? key.toString() : String(key);
  const cut = text.length > MAX_QUOTED_KEY ? `${text.slice(0, MAX_QUOTED_KEY)}…` : text;
  return JSON.stringify(cut);
}

/** Quote up to {@link MAX_QUOTED_KEYS} key names, comma-separated. */
export function quoteKeys(keys: readonly PropertyKey[]): string {
  const shown = keys.slice(0, MAX_QUOTED_KEYS).map(quoteKey).join(', ');
  return keys.length > MAX_QUOTED_KEYS ? `${shown} (+${keys.length - MAX_QUOTED_KEYS} more)` : shown;
}

/**
 * Render an issue path the way messages name fields: `metadata.policy_id`,
 * `checks[2].status`; a key that is not a plain identifier is quoted
 * (`config["a b"]`). The root is the empty string.
 */
export function formatIssuePath(path: readonly PropertyKey[] | undefined): string {
  let out = '';
  for (const segment of path ?? []) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && PLAIN_KEY.test(segment) && segment.length <= MAX_QUOTED_KEY) {
      out += out === '' ? segment : `.${segment}`;
    } else out += `[${quoteKey(segment)}]`;
  }
  return out;
}

/** Prefix a rule with the field it concerns (`ts: must be …`); at the root the rule stands alone. */
export function withPath(path: readonly PropertyKey[] | undefined, rule: string): string {
  const where = formatIssuePath(path);
  return where === '' ? rule : `${where}: ${rule}`;
}

/** The minimal view of a raw zod issue the error maps below read. */
interface RawIssueView {
  readonly code?: string;
  readonly path?: PropertyKey[];
  readonly input?: unknown;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

/** A rule text for an issue without a schema-specific rule; built from the issue's code, never its input. */
function defaultRule(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, received ${describeInput(issue.input)}`;
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'set'
        ? `must have at least ${issue.minimum} item(s)`
        : issue.origin === 'string'
          ? `must be at least ${issue.minimum} character(s)`
          : `must be ${issue.inclusive === false ? '>' : '>='} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' || issue.origin === 'set'
        ? `must have at most ${issue.maximum} item(s)`
        : issue.origin === 'string'
          ? `must be at most ${issue.maximum} character(s)`
          : `must be ${issue.inclusive === false ? '<' : '<='} ${issue.maximum}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${quoteKeys(issue.keys)}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'custom':
      return 'is invalid';
    default:
      return 'is invalid';
  }
}

/**
 * A zod error map that names the field: `<path>: required` when the value is
 * missing, else `<path>: <rule>`. Without `rule`, the rule is derived from the
 * issue code (type, bounds, allowed values) — never from the input.
 *
 * @example z.string({ error: fieldError('must be a slug') })
 */
export function fieldError(rule?: string): (issue: z.core.$ZodRawIssue) => string {
  return (issue) => {
    const view = issue as RawIssueView;
    if (issue.code === 'invalid_type' && view.input === undefined) return withPath(view.path, 'required');
    return withPath(view.path, rule ?? defaultRule(issue));
  };
}

/** Shorthand for the params object `{ error: fieldError(rule) }` accepted by every zod factory. */
export function named(rule?: string): { error: (issue: z.core.$ZodRawIssue) => string } {
  return { error: fieldError(rule) };
}

/**
 * A strict object whose unknown-key message lists the offending keys and the
 * allowed ones: `metadata: unknown field(s) "foo"; allowed: image, region`.
 * `what` names the object in the message (e.g. `provision metadata`).
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: string): z.ZodObject<T, z.core.$strict> {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      const view = issue as RawIssueView;
      if (issue.code === 'unrecognized_keys') {
        return withPath(view.path, `unknown field(s) ${quoteKeys(issue.keys)} in ${what}; allowed: ${allowed || '(none)'}`);
      }
      if (issue.code === 'invalid_type' && view.input === undefined) return withPath(view.path, 'required');
      return withPath(view.path, `${what} must be a JSON object, received ${describeInput(view.input)}`);
    },
  });
}

/**
 * Messages of a failed parse, one per issue, each naming its field. Issues
 * raised by audit-core schemas already start with their path; an issue from
 * a schema built elsewhere (e.g. `CheckSchema` nested in a run's output) is
 * prefixed with its path here, so every line names its field.
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatIssuePath(issue.path);
    return where === '' || issue.message.startsWith(`${where}: `) ? issue.message : `${where}: ${issue.message}`;
  });
}

// ---------------------------------------------------------------------------
// Timestamps

const TIMESTAMP_RULE = 'must be an ISO-8601 date-time with seconds and a time zone (Z or ±hh:mm), e.g. 2026-11-22T10:00:00Z';

/**
 * A point in time, normalised to UTC: accepts an ISO-8601 / RFC 3339 string
 * with a `Z` or a numeric offset (`2026-11-22T10:00:00+02:00` becomes the
 * instant `2026-11-22T08:00:00.000Z`) or a valid `Date` (rows read back from
 * `timestamptz` columns), and outputs a `Date`. A string without a time zone
 * is refused: its instant would depend on the server's zone. Impossible
 * calendar dates (`2026-02-30`) are refused, not rolled over.
 */
const IsoInstantSchema = z
  .union([z.date(named(TIMESTAMP_RULE)), z.iso.datetime({ offset: true, ...named(TIMESTAMP_RULE) })], named(TIMESTAMP_RULE))
  .transform((value) => (typeof value === 'string' ? new Date(value) : new Date(value.getTime())));

export const UtcTimestampSchema = IsoInstantSchema
  // ISO 8601 has a year 0000 (1 BC); PostgreSQL's input syntax has none and would answer a 500.
  .refine((date) => date.getUTCFullYear() >= 1, named('must be in year 0001 or later'));

/** The parsed form of {@link UtcTimestampSchema}. */
export type UtcTimestamp = z.output<typeof UtcTimestampSchema>;

/** Earliest instant an event may carry: 1970-01-01T00:00:00Z (every layer — JSON, PostgreSQL, ledger microseconds — holds it). */
export const EVENT_TS_MIN_MS = 0;

/** Default of `EVENT_MAX_FUTURE_SKEW_SECONDS`: how far past "now" an event's time may be (clock skew between hosts). */
export const DEFAULT_EVENT_MAX_FUTURE_SKEW_SECONDS = 86_400;

let eventMaxFutureSkewMs = DEFAULT_EVENT_MAX_FUTURE_SKEW_SECONDS * 1000;

/**
 * Sets the future bound of every event timestamp (`EVENT_MAX_FUTURE_SKEW_SECONDS`);
 * a service calls it once at boot, before it validates events.
 */
export function configureEventTimestamps(options: { maxFutureSkewSeconds: number }): void {
  if (!Number.isSafeInteger(options.maxFutureSkewSeconds) || options.maxFutureSkewSeconds < 0) {
    throw new RangeError('maxFutureSkewSeconds must be a non-negative integer');
  }
  eventMaxFutureSkewMs = options.maxFutureSkewSeconds * 1000;
}

/** The rule of {@link EventTimestampSchema}, as stated in messages. */
export function eventTimestampRule(): string {
  return `must be between 1970-01-01T00:00:00Z and now + ${eventMaxFutureSkewMs / 1000} s (EVENT_MAX_FUTURE_SKEW_SECONDS)`;
}

/**
 * Why `value` is not an acceptable event time, or null when it is: a valid
 * instant from 1970-01-01T00:00:00Z to `now` + the configured skew. One range
 * for every event timestamp, so nothing accepted can fail later in
 * PostgreSQL, the spool replay or the verifier (year 0, year 9999, beyond
 * safe microseconds).
 */
export function eventTimestampProblem(value: Date, now: number = Date.now()): string | null {
  const ms = value.getTime();
  if (!Number.isFinite(ms) || ms < EVENT_TS_MIN_MS || ms > now + eventMaxFutureSkewMs) return eventTimestampRule();
  return null;
}

/** The forms an event time may take, as stated in messages (the start matches {@link UtcTimestampSchema}'s rule). */
export const EVENT_TIMESTAMP_FORMS_RULE =
  'must be an ISO-8601 date-time with seconds and a time zone (Z or ±hh:mm), e.g. 2026-11-22T10:00:00Z, or PostgreSQL timestamptz text, e.g. 2026-11-22 10:00:00+00';

/**
 * RFC 3339 and PostgreSQL `timestamptz` text: a date, `T`/`t` or a space,
 * a time with seconds and up to 9 fractional digits, then `Z`/`z` or an
 * offset `±hh`, `±hhmm` or `±hh:mm` (PostgreSQL writes `+00`, `+05:30`).
 */
const EVENT_TIMESTAMP_TEXT = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?:([Zz])|([+-]\d{2})(?::?(\d{2}))?)$/;

/**
 * The RFC 3339 form (`2026-12-01T23:00:00+00:00`) of an event time written
 * as RFC 3339 or as PostgreSQL `timestamptz` text (`2026-12-01 23:00:00+00`,
 * `2026-12-01 23:00:00.123456+00:00`); any other text is returned unchanged
 * (and then refused by the ISO-8601 check). Pure text rewriting: the
 * calendar and range checks happen after.
 */
export function normalizeEventTimestampText(text: string): string {
  const match = EVENT_TIMESTAMP_TEXT.exec(text);
  if (!match) return text;
  const [, date, time, zulu, offsetHours, offsetMinutes] = match;
  return `${date}T${time}${zulu ? 'Z' : `${offsetHours}:${offsetMinutes ?? '00'}`}`;
}

/** An event time as text or a `Date`, normalised to UTC (see {@link EventTimestampSchema}). */
const EventInstantSchema = z
  .union(
    [
      z.date(named(EVENT_TIMESTAMP_FORMS_RULE)),
      z
        .string(named(EVENT_TIMESTAMP_FORMS_RULE))
        .max(64)
        .meta({
          description: 'RFC 3339 date-time with seconds and a zone, or PostgreSQL timestamptz text (2026-12-01 23:00:00+00); normalised to UTC.',
          examples: ['2026-12-01T23:00:00Z', '2026-12-01 23:00:00.123456+00'],
        })
        .transform(normalizeEventTimestampText)
        .pipe(z.iso.datetime({ offset: true, ...named(EVENT_TIMESTAMP_FORMS_RULE) })),
    ],
    named(EVENT_TIMESTAMP_FORMS_RULE),
  )
  .transform((value) => (typeof value === 'string' ? new Date(value) : new Date(value.getTime())));

/**
 * The time of an event (lifecycle, tool and the other event kinds): an
 * RFC 3339 / ISO-8601 instant with a zone like {@link UtcTimestampSchema}, or
 * the same instant as PostgreSQL writes `timestamptz` text
 * (`2026-12-01 23:00:00+00`, `2026-12-01 23:00:00.123456+00:00`, also with
 * `T`) — what an emitter that copies rows out of PostgreSQL sends; within
 * the accepted range (which excludes year 0000 too)
 * ({@link eventTimestampProblem}); a time outside is refused naming the
 * field (`ts: must be between …`). A time without a zone stays refused.
 */
export const EventTimestampSchema = EventInstantSchema.refine((value) => eventTimestampProblem(value) === null, {
  error: (issue) => withPath((issue as RawIssueView).path, eventTimestampRule()),
});

// ---------------------------------------------------------------------------
// Identifiers

/**
 * A UUID (RFC 9562, any version; v4 from clients, v7 where order helps),
 * normalised to lowercase so the same id always compares equal.
 */
export const UuidSchema = z.uuid(named('must be a UUID (8-4-4-4-12 hex digits)')).transform((value) => value.toLowerCase());

/** Slug: lowercase letters, digits and `-`, starting with a letter or digit, 1–63 characters (a DNS label). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Human-readable rule of {@link SLUG_PATTERN}. */
export const SLUG_RULE = "must be a slug: 1–63 characters of a–z, 0–9 and '-', starting with a letter or digit";

/** A slug such as a product's (`acme-chat`); see {@link SLUG_PATTERN}. */
export const SlugSchema = z.string(named(SLUG_RULE)).regex(SLUG_PATTERN);

/**
 * Identifier-like strings: 1–128 characters of `A–Z a–z 0–9 . _ : / -`,
 * starting with a letter or digit.
 *
 * This is the privacy rule of event identifiers (request, workspace, user,
 * agent, engine, product ids, tool names…): no spaces, no `@`, no quotes, no
 * control characters, bounded length — so a sentence, an e-mail address, a
 * prompt or a document cannot be smuggled into an id column. Use
 * pseudonymous ids (`u_8f3a…`), never names or addresses.
 */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

/** Human-readable rule of {@link IDENTIFIER_PATTERN}. */
export const IDENTIFIER_RULE =
  "must be an identifier: 1–128 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '-', starting with a letter or digit (no spaces, no '@')";

/** See {@link IDENTIFIER_PATTERN}. */
export const IdentifierSchema = z.string(named(IDENTIFIER_RULE)).regex(IDENTIFIER_PATTERN);

/** A short machine code (`error_code`, `reason` codes): 1–64 characters of `a–z A–Z 0–9 . _ : -`. */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** See {@link CODE_PATTERN}. */
export const CodeSchema = z
  .string(named("must be a code: 1–64 characters of A–Z, a–z, 0–9, '.', '_', ':', '-', starting with a letter or digit"))
  .regex(CODE_PATTERN);

// C0 controls except tab, LF and CR, and DEL: they hide text in terminals and logs.
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Bounded free text (a human-readable reason or description): `min`–`max`
 * characters, no control characters other than tab and newlines.
 *
 * @defaultValue min 0
 */
export function boundedText(max: number, min = 0): z.ZodString {
  const rule =
    min > 0 ? `must be ${min}–${max} characters of text without control characters` : `must be at most ${max} characters of text without control characters`;
  return z
    .string(named(rule))
    .min(min)
    .max(max)
    .refine((value) => !CONTROL_CHARS.test(value), named(rule));
}

// ---------------------------------------------------------------------------
// Hashes and numbers

/** 64 lowercase hex digits: a SHA-256 digest as stored in ledger and checkpoint JSON. */
export const HEX64_PATTERN = /^[0-9a-f]{64}$/;

/** A SHA-256 digest in lowercase hex (exactly 64 characters, no prefix). */
export const Hex64Schema = z.string(named('must be 64 lowercase hex characters (a SHA-256 digest)')).regex(HEX64_PATTERN);

/** `input_hash` as clients send it: 64 lowercase hex, optionally prefixed `sha256:`. */
export const SHA256_HEX_PATTERN = /^(?:sha256:)?[0-9a-f]{64}$/;

/**
 * A SHA-256 digest as clients send it (`input_hash`): 64 lowercase hex
 * characters, optionally prefixed `sha256:`. The output is the bare 64-hex
 * digest, so `sha256:ab…` and `ab…` count as the same input in digests.
 */
export const Sha256HexSchema = z
  .string(named("must be 64 lowercase hex characters (SHA-256), optionally prefixed 'sha256:'"))
  .regex(SHA256_HEX_PATTERN)
  .transform((value) => (value.startsWith('sha256:') ? value.slice('sha256:'.length) : value));

/** The largest value of a PostgreSQL `integer` column (sizes and durations are stored as `integer`). */
export const PG_INT_MAX = 2_147_483_647;

/**
 * A non-negative integer that fits a PostgreSQL `integer` column (sizes in
 * bytes, durations in ms): 0–2147483647, so a valid event never fails at insert.
 */
export const NonNegativeIntSchema = z
  .number(named(`must be a non-negative integer ≤ ${PG_INT_MAX}`))
  .int()
  .min(0)
  .max(PG_INT_MAX);

/** A positive safe integer (attempt numbers, versions). */
export const PositiveIntSchema = z.number(named('must be a positive integer')).int().min(1);

const SEQ_RULE = 'must be a non-negative integer';

/**
 * A ledger sequence number (`bigint` in PostgreSQL): a non-negative safe
 * integer, given as a number or as the decimal string `pg` returns for
 * `bigint`. Output: a number.
 */
export const SeqSchema = z
  .union([z.number(named(SEQ_RULE)).int().min(0), z.string(named(SEQ_RULE)).regex(/^(?:0|[1-9][0-9]{0,15})$/)], named(SEQ_RULE))
  .transform((value) => (typeof value === 'number' ? value : Number(value)))
  .refine((value) => Number.isSafeInteger(value), named('must be a non-negative safe integer'));

/** A JSON object with string keys (jsonb columns such as `config`, `evidence`). */
export const JsonObjectSchema = z.record(z.string(), z.unknown(), named('must be a JSON object'));
