import { z } from 'zod';
import {
  ENTITLEMENTS,
  eventTimestampRule,
  IDENTIFIER_RULE,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENT_SCHEMAS,
  LIFECYCLE_EXAMPLES,
  LIFECYCLE_METADATA_SCHEMAS,
  LIFECYCLE_SUBJECT_RULES,
  LIFECYCLE_VARIANT_EXAMPLES,
  PAYLOAD_FIELD_NAMES,
  TOOL_EVENT_EXAMPLE,
  TOOL_EVENT_FIELDS,
  TOOL_EVENT_STATUSES,
  TOOL_EVENT_VARIANT_EXAMPLES,
  ToolEventSchema,
  UNKNOWN_METADATA_LIMITS,
  type EventVariantExample,
  type LifecycleAction,
  type SubjectRule,
} from '@auditstack/audit-core';

/**
 * The event catalog (`docs/events.md`), generated from the audit-core
 * schemas: every lifecycle action with its metadata fields, every tool-event
 * field, each with its JSON type, whether it is required and the rule the
 * gateway enforces — the rule text is the schema's own error message, so
 * the catalog says exactly what a refused event is told. The examples are
 * `LIFECYCLE_EXAMPLES` / `TOOL_EVENT_EXAMPLE`, the same the OpenAPI document
 * shows.
 */

/** What each action records (one line; the schema holds the rules). */
const ACTION_SUMMARIES: Readonly<Record<LifecycleAction, string>> = {
  provision: 'An engine was created.',
  start: 'An engine began running (cold start or after a stop).',
  stop: 'An engine was stopped (kept: it can be started or woken again).',
  wake: 'A stopped or suspended engine was resumed on demand.',
  destroy: 'An engine and (unless retained) its data were removed.',
  rotate_key: "An engine's credential was replaced (key ids only, never key material).",
  health_check: 'A health probe passed.',
  health_failed: 'A health probe failed.',
  auto_restart_start: 'The orchestrator began an automatic restart.',
  auto_restart_success: 'The automatic restart brought the engine back.',
  auto_restart_failed: 'One restart attempt failed (another may follow).',
  auto_restart_gave_up: 'The orchestrator stopped retrying.',
  policy_register: 'A new admission or provisioning policy was registered.',
  policy_update: 'A new version of an existing policy.',
  admit_denied: 'Admission control refused a request to reach or use an engine.',
  provision_denied: 'A provision request was refused (quota, policy, capacity) before an engine existed.',
};

/** What each tool-event field means (the schema holds the rules). */
const TOOL_FIELD_MEANINGS: Readonly<Record<(typeof TOOL_EVENT_FIELDS)[number], string>> = {
  event_id: 'Idempotency key; when absent the gateway derives one from the canonical content.',
  ts: 'When the call happened; normalised to UTC.',
  req_id: 'The request the call belongs to.',
  workspace_id: 'The workspace (tenant) of the call.',
  user_id: 'Pseudonymous user the agent acted for; null for a background job.',
  agent_id: 'The agent that made the call.',
  tool: 'The tool called (`github`, `jira`, `search`…).',
  action: 'What the tool was asked to do (`read`, `search`, `create_issue`…).',
  status: `Outcome of the call: ${TOOL_EVENT_STATUSES.map((status) => `\`${status}\``).join(', ')} are recognised; another code is stored as sent and flagged.`,
  duration_ms: 'Call duration in milliseconds.',
  in_size: 'Size of the input in bytes (the input itself is never sent).',
  out_size: 'Size of the output in bytes (the output itself is never sent).',
  input_hash: 'SHA-256 of the input; null, absent or `""` when the call arrived without one (stored as null, counted by the privacy digest).',
  graph_run_id: 'The agent-graph run, when the call is part of one.',
  graph_node: 'The node of the agent graph that made the call.',
  job_id: 'The background job, when the call is part of one.',
};

const LIFECYCLE_FIELD_MEANINGS: Readonly<Record<string, string>> = {
  event_id: 'Idempotency key; when absent the gateway derives one from the canonical content.',
  ts: 'When the transition happened; normalised to UTC. Required, as `ts` or its alias `timestamp`.',
  timestamp: 'Alias of `ts` (seed 002\'s column name); both may be sent only for the same instant.',
  action: 'One of the 16 actions below.',
  actor: "Who drove the transition: 'system', 'admin' or a product slug.",
  product_id: 'The product; per action (see "Subject ids per action").',
  user_id: 'Pseudonymous user; per action.',
  engine_id: 'The engine; per action.',
  metadata: "The action's own fields (see each action), plus keys the schema does not know yet (kept and flagged); absent means `{}`.",
  duration_ms: 'How long the transition took, in milliseconds; null when unknown.',
};

type JsonSchema = Record<string, unknown>;

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** A JSON schema's type in words: `string`, `integer`, `string (uuid)`, `"start"`, `string \| null`. */
function typeOf(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema['const']);
  if (Array.isArray(schema['enum'])) return schema['enum'].map((value) => JSON.stringify(value)).join(' \\| ');
  const variants = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(variants)) {
    // A timestamp is a string on the wire (the Date branch is for rows read back).
    const named = (variants as JsonSchema[]).filter((variant) => Object.keys(variant).length > 0).map(typeOf);
    return [...new Set(named)].join(' \\| ');
  }
  const type = Array.isArray(schema['type']) ? (schema['type'] as string[]).join(' \\| ') : String(schema['type'] ?? 'any');
  return typeof schema['format'] === 'string' ? `${type} (${schema['format']})` : type;
}

/** The schema's own message for a value of the wrong kind: the rule a client is told. */
function ruleOf(schema: z.ZodType): string {
  const result = schema.safeParse({ wrong: 'kind' });
  if (result.success) return 'any JSON value';
  const message = result.error.issues[0]?.message ?? '';
  const at = message.indexOf(': ');
  const rule = at > 0 && !message.slice(0, at).includes(' ') && !message.startsWith('must') ? message.slice(at + 2) : message;
  return rule.replace(/\|/g, '\\|');
}

/** Unwraps `.optional()`, `.nullable()`, `.default()`, `.prefault()` to the value's own schema. */
function core(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 8; i++) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType };
    if (!['optional', 'nullable', 'default', 'prefault'].includes(def.type) || !def.innerType) break;
    current = def.innerType;
  }
  return current;
}

interface FieldRow {
  readonly name: string;
  readonly type: string;
  readonly presence: string;
  readonly rule: string;
  readonly meaning?: string;
}

function presenceOf(schema: z.ZodType, required: ReadonlySet<string>, name: string): string {
  if (required.has(name)) return 'required';
  const absent = schema.safeParse(undefined);
  if (!absent.success || absent.data === undefined) return 'optional';
  return `optional (absent = ${absent.data === null ? 'null' : `\`${JSON.stringify(absent.data)}\``})`;
}

function fieldRows(object: z.ZodObject, meanings?: Readonly<Record<string, string>>, extraRules: Readonly<Record<string, string>> = {}): FieldRow[] {
  const json = jsonSchemaOf(object);
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([name, schema]) => {
    const property = properties[name] ?? {};
    const rule = [ruleOf(core(schema)), extraRules[name]].filter(Boolean).join('; ');
    return { name, type: typeOf(property), presence: presenceOf(schema, required, name), rule, ...(meanings?.[name] ? { meaning: meanings[name] } : {}) };
  });
}

function table(rows: readonly FieldRow[], withMeaning: boolean): string[] {
  const head = withMeaning ? ['| Field | Type | Presence | Meaning | Rule |', '| --- | --- | --- | --- | --- |'] : ['| Field | Type | Presence | Rule |', '| --- | --- | --- | --- |'];
  return [
    ...head,
    ...rows.map((row) =>
      withMeaning
        ? `| \`${row.name}\` | ${row.type} | ${row.presence} | ${row.meaning ?? ''} | ${row.rule} |`
        : `| \`${row.name}\` | ${row.type} | ${row.presence} | ${row.rule} |`,
    ),
  ];
}

/**
 * The fields every lifecycle event has. The subject ids and the metadata
 * depend on the action (next tables), so they are described, not taken
 * from one action's schema.
 */
function lifecycleEnvelopeRows(): FieldRow[] {
  const perAction = 'see "Subject ids per action"';
  const rows = fieldRows(LIFECYCLE_EVENT_SCHEMAS.provision.in, LIFECYCLE_FIELD_MEANINGS, { ts: eventTimestampRule(), timestamp: eventTimestampRule() });
  return rows.map((row): FieldRow => {
    switch (row.name) {
      case 'ts':
        return { ...row, presence: 'required (or `timestamp`)' };
      case 'timestamp':
        return { ...row, presence: 'optional (alias of `ts`)' };
      case 'action':
        return { ...row, type: 'string', rule: `one of ${LIFECYCLE_ACTIONS.map((a) => `\`${a}\``).join(', ')}` };
      case 'product_id':
      case 'user_id':
      case 'engine_id':
        return { ...row, type: 'string \\| null', presence: 'per action', rule: `${IDENTIFIER_RULE}; ${perAction}` };
      case 'metadata':
        return { ...row, type: 'object', presence: 'optional (absent = `{}`)', rule: `per action (below); ${UNKNOWN_KEYS_RULE}` };
      default:
        return row;
    }
  });
}

const L = UNKNOWN_METADATA_LIMITS;

/** What happens to metadata keys the schema does not know (tolerant mode, the default; strict mode refuses them). */
const UNKNOWN_KEYS_RULE =
  `unknown keys are kept (stored and hashed with the rest) and flagged in the answer's \`warnings\`, within bounds: at most ${L.maxKeys} unknown keys, ` +
  `${L.maxDepth} levels deep, ${L.maxSerializedBytes} bytes of JSON, strings of at most ${L.maxStringLength} characters, key names of at most ${L.maxKeyLength}; ` +
  'payload-like keys are refused at any depth; with `EVENT_SCHEMA_MODE=strict` unknown keys are refused';

/** The accepted variants of an event kind: title, what the gateway does, the body. */
function variantLines(variants: readonly EventVariantExample<unknown>[]): string[] {
  return variants.flatMap((variant) => [`#### ${variant.title}`, '', variant.note, '', ...json(variant.event), '']);
}

const SUBJECT_WORDS: Readonly<Record<SubjectRule, string>> = { required: 'required', nullable: 'optional (null allowed)', null: 'must be null or absent' };

function json(value: unknown): string[] {
  return ['```json', JSON.stringify(value, null, 2), '```'];
}

/** The complete `docs/events.md`, deterministic (the same schemas give the same bytes). */
export function renderEventCatalog(): string {
  const lines: string[] = [
    '# Event catalog',
    '',
    '<!-- Generated by `auditstack docs --write` from the schemas in libs/audit-core/src/schemas; do not edit by hand. `auditstack docs --check` fails when this file is stale. -->',
    '',
    'The gateway records two kinds of events. Each is sent as one JSON object, or as a batch (a JSON array of 1–10,000 events, at most 5 MB), with a token holding the',
    `\`${ENTITLEMENTS.eventsWrite}\` entitlement. A refused event is answered with the field and the rule it broke (the *Rule* column below is that exact text); nothing of it is stored.`,
    'Every example below parses with its schema, and the same examples appear in the gateway OpenAPI document ([openapi/gateway.json](../openapi/gateway.json)).',
    'See [api.md](api.md) for a first event with `curl` and the SDK.',
    '',
    '- [Lifecycle events](#lifecycle-events): `POST /v1/lifecycle-events`',
    '- [Tool events](#tool-events): `POST /v1/tool-events`',
    '',
    '## Lifecycle events',
    '',
    `A fleet orchestrator records ${LIFECYCLE_ACTIONS.length} transitions of its engines and policies. Known fields are validated by the rules below; unknown top-level keys are refused (a payload-like one is answered "payload fields are never stored").`,
    `Metadata keys the schema does not know yet are not a reason to refuse an event (schema evolution without loss): ${UNKNOWN_KEYS_RULE}. An accepted event with kept keys is answered`,
    'with `warnings` such as `metadata.tier: unknown key, kept`, and the gateway counts them in `auditstack_gateway_unknown_metadata_keys_total{action}`.',
    'Times are RFC 3339 or PostgreSQL `timestamptz` text (`2026-12-01 23:00:00+00`, `2026-12-01 23:00:00.123456+00:00`); see [Accepted variants](#accepted-variants) for the shapes other emitters write.',
    '',
    '### Fields of every lifecycle event',
    '',
    ...table(lifecycleEnvelopeRows(), true),
    '',
    '### Subject ids per action',
    '',
    '| Action | `product_id` | `user_id` | `engine_id` |',
    '| --- | --- | --- | --- |',
    ...LIFECYCLE_ACTIONS.map((action) => {
      const rules = LIFECYCLE_SUBJECT_RULES[action];
      return `| [\`${action}\`](#${action}) | ${SUBJECT_WORDS[rules.product_id]} | ${SUBJECT_WORDS[rules.user_id]} | ${SUBJECT_WORDS[rules.engine_id]} |`;
    }),
    '',
    '### Actions',
    '',
  ];
  for (const action of LIFECYCLE_ACTIONS) {
    lines.push(`#### ${action}`, '', ACTION_SUMMARIES[action], '', 'Metadata:', '');
    lines.push(...table(fieldRows(LIFECYCLE_METADATA_SCHEMAS[action]), false), '', 'Example:', '', ...json(LIFECYCLE_EXAMPLES[action]), '');
  }
  lines.push(
    '### Accepted variants',
    '',
    "Besides the shape above, the gateway accepts the rows a fleet orchestrator's `audit_log` writes as they are:",
    '',
    ...variantLines(LIFECYCLE_VARIANT_EXAMPLES),
  );
  lines.push(
    '## Tool events',
    '',
    'An AI agent\'s tool call, as the gateway stores it: sizes and a hash, never a payload. Every string is identifier-like, so free text, a prompt, an e-mail address or a',
    'document cannot slip into a column; ids must be pseudonymous. Exactly these keys are accepted; any other key is refused, and a payload-like key',
    `(${PAYLOAD_FIELD_NAMES.map((name) => `\`${name}\``).join(', ')}; compared case-insensitively) is answered "payload fields are never stored".`,
    '',
    ...table(fieldRows(ToolEventSchema, TOOL_FIELD_MEANINGS, { ts: eventTimestampRule() }), true),
    '',
    'Example:',
    '',
    ...json(TOOL_EVENT_EXAMPLE),
    '',
    '### Accepted tool-event variants',
    '',
    'Besides the shape above, the gateway accepts the rows a tool-audit backend writes as they are (column defaults, its own status codes, PostgreSQL text times):',
    '',
    ...variantLines(TOOL_EVENT_VARIANT_EXAMPLES),
  );
  return lines.join('\n');
}
