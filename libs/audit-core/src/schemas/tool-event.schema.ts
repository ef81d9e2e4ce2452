import { z } from 'zod';
import { IdentifierSchema, named, NonNegativeIntSchema, quoteKeys, SHA256_HEX_PATTERN, EventTimestampSchema, UuidSchema, withPath } from './common.schema';

/**
 * The tool-call outcomes the digests recognise (`errors` counts `error` and
 * `timeout`, `denied` counts `denied`). Any other short code is stored as
 * sent and reported by name ({@link TOOL_STATUS_PATTERN}).
 */
export const TOOL_EVENT_STATUSES = ['ok', 'error', 'denied', 'timeout'] as const;

/** One of the recognised {@link TOOL_EVENT_STATUSES}. */
export type RecognisedToolEventStatus = (typeof TOOL_EVENT_STATUSES)[number];

/** A tool-call status as stored: a recognised one or another short code (`succeeded`, `cancelled`…). */
export type ToolEventStatus = RecognisedToolEventStatus | (string & {});

/** `status`: 1–32 characters of `a–z 0–9 _ . -` (seed 001's emitters write their own codes, e.g. `succeeded`). */
export const TOOL_STATUS_PATTERN = /^[a-z0-9_.-]{1,32}$/;

/** Whether `status` is one of the recognised {@link TOOL_EVENT_STATUSES}. */
export function isRecognisedToolStatus(status: string): status is RecognisedToolEventStatus {
  return (TOOL_EVENT_STATUSES as readonly string[]).includes(status);
}

/**
 * A tool-call status: any short code (see {@link TOOL_STATUS_PATTERN});
 * `ok`, `error`, `denied` and `timeout` are recognised, the others are kept
 * as sent (and flagged in the ingest answer and reported by name in digests).
 */
export const ToolEventStatusSchema = z
  .string(named(`must be a status code: 1–32 characters of a–z, 0–9, '_', '.', '-' (recognised: ${TOOL_EVENT_STATUSES.join(', ')})`))
  .regex(TOOL_STATUS_PATTERN);

/** The warning of a status kept as sent: `status: "succeeded" is not one of ok, error, denied, timeout; stored as sent`. */
export function unrecognisedStatusWarning(status: string): string {
  return `status: ${JSON.stringify(status)} is not one of ${TOOL_EVENT_STATUSES.join(', ')}; stored as sent`;
}

/**
 * Keys that would carry a payload. A tool event records sizes and a hash of
 * the input, never the input or output themselves; a client that sends one of
 * these keys (compared case-insensitively) gets "payload fields are never
 * stored: …" rather than a generic unknown-key message.
 */
export const PAYLOAD_FIELD_NAMES = [
  'input',
  'output',
  'payload',
  'args',
  'arguments',
  'result',
  'prompt',
  'response',
  'content',
  'body',
  'messages',
  'text',
  'data',
] as const;

const PAYLOAD_KEYS: ReadonlySet<string> = new Set(PAYLOAD_FIELD_NAMES);

/** The fields of a tool event, in column order. */
export const TOOL_EVENT_FIELDS = [
  'event_id',
  'ts',
  'req_id',
  'workspace_id',
  'user_id',
  'agent_id',
  'tool',
  'action',
  'status',
  'duration_ms',
  'in_size',
  'out_size',
  'input_hash',
  'graph_run_id',
  'graph_node',
  'job_id',
] as const;

/**
 * `action`: what the tool was asked to do (`read`, `search`, `create_issue`):
 * 1–64 characters of `A–Z a–z 0–9 . _ : / -`, starting with a letter or digit.
 */
export const ToolActionSchema = z
  .string(named("must be an identifier: 1–64 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '-', starting with a letter or digit"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/);

/**
 * `input_hash`: SHA-256 of the input, 64 lowercase hex optionally prefixed
 * `sha256:` (output: the bare hex); null, absent or `""` (seed 001's column
 * default) mean "arrived without hash" and are stored as null, which the
 * privacy digest counts (`without_hash`).
 */
const INPUT_HASH_RULE = `must be 64 lowercase hex characters (SHA-256), optionally prefixed 'sha256:', or "" / null for no hash`;

export const InputHashSchema = z
  .union(
    [z.literal('', named(INPUT_HASH_RULE)).transform(() => null), z.string(named(INPUT_HASH_RULE)).regex(SHA256_HEX_PATTERN), z.null(named(INPUT_HASH_RULE))],
    named(INPUT_HASH_RULE),
  )
  .transform((value) => (value !== null && value.startsWith('sha256:') ? value.slice('sha256:'.length) : value))
  .default(null);

/** An optional identifier: a value, null, or absent (absent means null). */
const OptionalIdentifier = IdentifierSchema.nullable().default(null);

function strictKeysMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const payload = issue.keys.filter((key) => PAYLOAD_KEYS.has(key.toLowerCase()));
    const other = issue.keys.filter((key) => !PAYLOAD_KEYS.has(key.toLowerCase()));
    const parts: string[] = [];
    if (payload.length > 0) {
      parts.push(`payload fields are never stored: ${quoteKeys(payload)} (send in_size, out_size and input_hash instead)`);
    }
    if (other.length > 0) parts.push(`unknown field(s) ${quoteKeys(other)}; a tool event has exactly: ${TOOL_EVENT_FIELDS.join(', ')}`);
    return withPath(issue.path, parts.join('; '));
  }
  return withPath(issue.path, 'a tool event must be a JSON object');
}

/**
 * An AI-agent tool call, as the gateway stores it: sizes and a hash, never a payload.
 *
 * Privacy rule: every string field is identifier-like —
 * {@link IdentifierSchema} (1–128 characters of `A–Z a–z 0–9 . _ : / -`,
 * no spaces, no `@`) or {@link ToolActionSchema} (1–64) — so free text,
 * a prompt, an e-mail address or a document cannot slip into a column.
 * Ids must be pseudonymous (`u_8f3a…`), never names or addresses.
 *
 * Exactly these keys are accepted (any other key is refused; payload-like
 * keys such as `input`, `output`, `payload`, `args`, `result`, `prompt` get
 * "payload fields are never stored: …"):
 * - `event_id` — UUID, optional (the gateway derives one from the canonical content);
 * - `ts` — RFC 3339 / ISO-8601 or PostgreSQL text with a zone, normalised to UTC, from 1970-01-01T00:00:00Z to now +
 *   `EVENT_MAX_FUTURE_SKEW_SECONDS` (see {@link EventTimestampSchema});
 * - `req_id`, `workspace_id`, `agent_id`, `tool` — identifiers, required;
 * - `user_id` — identifier or null (a background job acts for no user);
 * - `action` — see {@link ToolActionSchema};
 * - `status` — a short code (1–32 characters of `a–z 0–9 _ . -`); `ok` | `error` |
 *   `denied` | `timeout` are recognised, others are stored as sent;
 * - `duration_ms`, `in_size`, `out_size` — non-negative integers (ms, bytes); absent
 *   means 0 (seed 001's column defaults);
 * - `input_hash` — SHA-256 of the input, 64 lowercase hex optionally prefixed
 *   `sha256:` (output without the prefix), or null / absent / `""`: the call
 *   arrived without hash (stored as null);
 * - `graph_run_id`, `graph_node`, `job_id` — identifiers or null.
 *
 * Nullable fields may be omitted; they parse as null.
 */
export const ToolEventSchema = z.strictObject(
  {
    event_id: UuidSchema.optional(),
    ts: EventTimestampSchema,
    req_id: IdentifierSchema,
    workspace_id: IdentifierSchema,
    user_id: OptionalIdentifier,
    agent_id: IdentifierSchema,
    tool: IdentifierSchema,
    action: ToolActionSchema,
    status: ToolEventStatusSchema,
    duration_ms: NonNegativeIntSchema.default(0),
    in_size: NonNegativeIntSchema.default(0),
    out_size: NonNegativeIntSchema.default(0),
    input_hash: InputHashSchema,
    graph_run_id: OptionalIdentifier,
    graph_node: OptionalIdentifier,
    job_id: OptionalIdentifier,
  },
  { error: strictKeysMessage },
);

/** A parsed tool event (`ts` a `Date`, `input_hash` bare hex or null). */
export type ToolEvent = z.output<typeof ToolEventSchema>;

/** A tool event as a client sends it (JSON). */
export type ToolEventInput = z.input<typeof ToolEventSchema>;
