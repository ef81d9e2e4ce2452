import { z } from 'zod';
import {
  boundedText,
  CodeSchema,
  Hex64Schema,
  IDENTIFIER_PATTERN,
  IdentifierSchema,
  named,
  NonNegativeIntSchema,
  PositiveIntSchema,
  SLUG_PATTERN,
  strictObject,
  EventTimestampSchema,
  formatIssuePath,
  quoteKeys,
  UuidSchema,
  withPath,
} from './common.schema';
import { PAYLOAD_FIELD_NAMES } from './tool-event.schema';

/**
 * The 16 transitions a fleet orchestrator records (`audit.lifecycle_events.action`).
 * Persisted: never rename one.
 */
export const LIFECYCLE_ACTIONS = [
  'provision',
  'start',
  'stop',
  'wake',
  'destroy',
  'rotate_key',
  'health_check',
  'health_failed',
  'auto_restart_start',
  'auto_restart_success',
  'auto_restart_failed',
  'auto_restart_gave_up',
  'policy_register',
  'policy_update',
  'admit_denied',
  'provision_denied',
] as const;

/** One of {@link LIFECYCLE_ACTIONS}. */
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** A lifecycle action name, with a message listing the known ones. */
export const LifecycleActionSchema = z.enum(LIFECYCLE_ACTIONS, named(`must be one of ${LIFECYCLE_ACTIONS.join(', ')}`));

/** Actors that are not a product: the orchestrator itself and a human operator. */
export const LIFECYCLE_BUILTIN_ACTORS = ['system', 'admin'] as const;

/**
 * Who drove a transition: `system`, `admin`, or a product slug (lowercase
 * `a–z 0–9 -`, 1–63 characters, starting with a letter or digit).
 */
export const ActorSchema = z
  .string(named("must be 'system', 'admin' or a product slug (1–63 characters of a–z, 0–9, '-', starting with a letter or digit)"))
  .regex(SLUG_PATTERN);

/** `system` | `admin` | a product slug. */
export type Actor = z.output<typeof ActorSchema>;

// ---------------------------------------------------------------------------
// Metadata, one strict schema per action. Values are orchestrator facts
// (images, regions, codes, counters), bounded; free text only where a human
// reason is the point, and then bounded too.

const ImageRefSchema = z
  .string(named("must be an image reference: 1–255 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '@', '-'"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,254}$/);

const ReasonTextSchema = boundedText(500, 1);

/** `provision`: an engine was created. */
export const ProvisionMetadataSchema = strictObject(
  {
    /** Image (or template) the engine was created from, e.g. `registry.example/engine:1.4.2`. */
    image: ImageRefSchema,
    region: IdentifierSchema.optional(),
    /** Size / instance class, e.g. `small`, `gpu-a10`. */
    size: IdentifierSchema.optional(),
    /** The admission policy that allowed it. */
    policy_id: IdentifierSchema.optional(),
    policy_version: PositiveIntSchema.optional(),
  },
  'provision metadata',
);

/** `start`: an engine began running (cold start or after a stop). */
export const StartMetadataSchema = strictObject(
  {
    reason: CodeSchema.optional(),
    /** Time from start request to ready. */
    boot_ms: NonNegativeIntSchema.optional(),
    image: ImageRefSchema.optional(),
  },
  'start metadata',
);

/** `stop`: an engine was stopped (kept, can be started or woken again). */
export const StopMetadataSchema = strictObject(
  {
    /** Why, as a code: `idle`, `user`, `admin`, `policy`, `shutdown`, `error`… */
    reason: CodeSchema,
    /** Idle time that triggered an idle stop. */
    idle_seconds: NonNegativeIntSchema.optional(),
  },
  'stop metadata',
);

/** `wake`: a stopped/suspended engine was resumed on demand. */
export const WakeMetadataSchema = strictObject(
  {
    /** What woke it, as a code: `request`, `schedule`, `admin`… */
    trigger: CodeSchema,
    /** How long it had been asleep. */
    slept_seconds: NonNegativeIntSchema.optional(),
  },
  'wake metadata',
);

/** `destroy`: an engine and (unless retained) its data were removed. */
export const DestroyMetadataSchema = strictObject(
  {
    reason: CodeSchema,
    data_retained: z.boolean(named('must be a boolean')).optional(),
  },
  'destroy metadata',
);

/** `rotate_key`: an engine's credential was replaced. Key ids only, never key material. */
export const RotateKeyMetadataSchema = strictObject(
  {
    key_id: IdentifierSchema,
    previous_key_id: IdentifierSchema.nullable().optional(),
    reason: CodeSchema.optional(),
  },
  'rotate_key metadata',
);

/** `health_check`: a probe passed. */
export const HealthCheckMetadataSchema = strictObject(
  {
    /** Which probe: `http`, `tcp`, `liveness`… */
    check: CodeSchema,
    latency_ms: NonNegativeIntSchema.optional(),
  },
  'health_check metadata',
);

/** `health_failed`: a probe failed. */
export const HealthFailedMetadataSchema = strictObject(
  {
    check: CodeSchema,
    reason: ReasonTextSchema,
    consecutive_failures: PositiveIntSchema,
  },
  'health_failed metadata',
);

/** `auto_restart_start`: the orchestrator began an automatic restart. */
export const AutoRestartStartMetadataSchema = strictObject(
  {
    /** 1-based attempt number. */
    attempt: PositiveIntSchema,
    max_attempts: PositiveIntSchema.optional(),
    /** What triggered it, as a code: usually `health_failed`. */
    trigger: CodeSchema.optional(),
  },
  'auto_restart_start metadata',
);

/** `auto_restart_success`: the restart brought the engine back. */
export const AutoRestartSuccessMetadataSchema = strictObject(
  {
    attempt: PositiveIntSchema,
    /** Time the engine was unavailable. */
    downtime_ms: NonNegativeIntSchema.optional(),
  },
  'auto_restart_success metadata',
);

/** `auto_restart_failed`: one restart attempt failed (another may follow). */
export const AutoRestartFailedMetadataSchema = strictObject(
  {
    attempt: PositiveIntSchema,
    error_code: CodeSchema,
    error: boundedText(1000).optional(),
  },
  'auto_restart_failed metadata',
);

/** `auto_restart_gave_up`: the orchestrator stopped retrying. */
export const AutoRestartGaveUpMetadataSchema = strictObject(
  {
    attempts: PositiveIntSchema,
    last_error_code: CodeSchema.optional(),
  },
  'auto_restart_gave_up metadata',
);

/** `policy_register`: a new admission / provisioning policy. */
export const PolicyRegisterMetadataSchema = strictObject(
  {
    policy_id: IdentifierSchema,
    version: PositiveIntSchema,
    name: boundedText(200, 1).optional(),
    /** SHA-256 (64 hex) of the policy document, so the exact text can be proven later. */
    policy_hash: Hex64Schema.optional(),
  },
  'policy_register metadata',
);

/** `policy_update`: a new version of an existing policy. */
export const PolicyUpdateMetadataSchema = strictObject(
  {
    policy_id: IdentifierSchema,
    version: PositiveIntSchema,
    previous_version: PositiveIntSchema.optional(),
    policy_hash: Hex64Schema.optional(),
  },
  'policy_update metadata',
);

/** `admit_denied`: admission control refused a request (to reach or use an engine). */
export const AdmitDeniedMetadataSchema = strictObject(
  {
    reason: ReasonTextSchema,
    policy_id: IdentifierSchema,
    /** The rule of the policy that denied. */
    rule: IdentifierSchema.optional(),
    policy_version: PositiveIntSchema.optional(),
  },
  'admit_denied metadata',
);

/** `provision_denied`: a provision request was refused (quota, policy, capacity) before an engine existed. */
export const ProvisionDeniedMetadataSchema = strictObject(
  {
    reason: ReasonTextSchema,
    policy_id: IdentifierSchema.optional(),
    rule: IdentifierSchema.optional(),
    image: ImageRefSchema.optional(),
    region: IdentifierSchema.optional(),
    size: IdentifierSchema.optional(),
  },
  'provision_denied metadata',
);

/** The metadata schema of each action. */
export const LIFECYCLE_METADATA_SCHEMAS = {
  provision: ProvisionMetadataSchema,
  start: StartMetadataSchema,
  stop: StopMetadataSchema,
  wake: WakeMetadataSchema,
  destroy: DestroyMetadataSchema,
  rotate_key: RotateKeyMetadataSchema,
  health_check: HealthCheckMetadataSchema,
  health_failed: HealthFailedMetadataSchema,
  auto_restart_start: AutoRestartStartMetadataSchema,
  auto_restart_success: AutoRestartSuccessMetadataSchema,
  auto_restart_failed: AutoRestartFailedMetadataSchema,
  auto_restart_gave_up: AutoRestartGaveUpMetadataSchema,
  policy_register: PolicyRegisterMetadataSchema,
  policy_update: PolicyUpdateMetadataSchema,
  admit_denied: AdmitDeniedMetadataSchema,
  provision_denied: ProvisionDeniedMetadataSchema,
} as const satisfies Record<LifecycleAction, z.ZodObject>;

/** The metadata of one action, parsed. */
export type LifecycleMetadata<A extends LifecycleAction = LifecycleAction> = z.output<(typeof LIFECYCLE_METADATA_SCHEMAS)[A]>;

// ---------------------------------------------------------------------------
// Schema evolution: unknown metadata keys.

/**
 * How the gateway treats metadata keys its schemas do not know
 * (`EVENT_SCHEMA_MODE`): `tolerant` (default) keeps them — stored, hashed in
 * the ledger payload with the rest of the metadata, bounded, and flagged in
 * the ingest answer — so an orchestrator that adds a key loses no event;
 * `strict` refuses them, naming them.
 */
export const EVENT_SCHEMA_MODES = ['tolerant', 'strict'] as const;

/** One of {@link EVENT_SCHEMA_MODES}. */
export type EventSchemaMode = (typeof EVENT_SCHEMA_MODES)[number];

/** Bounds of the unknown metadata keys one event may carry (tolerant mode); over a bound the event is refused naming `metadata`. */
export const UNKNOWN_METADATA_LIMITS = {
  /** Unknown top-level metadata keys. */
  maxKeys: 32,
  /** Nesting: `metadata.a.b.c.d` is depth 4, the deepest value kept. */
  maxDepth: 4,
  /** Bytes of the JSON of the unknown keys (with their values). */
  maxSerializedBytes: 8192,
  /** Characters of any string value inside them. */
  maxStringLength: 1024,
  /** Characters of any key name inside them. */
  maxKeyLength: 128,
} as const;

const PAYLOAD_KEYS: ReadonlySet<string> = new Set(PAYLOAD_FIELD_NAMES);
// C0 controls except tab, LF and CR, and DEL: PostgreSQL's jsonb refuses \u0000 and the rest hide text in logs.
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// The key that would reach an object's prototype when copied (JSON.parse makes it an own key); never kept.
const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/**
 * The top-level metadata keys of `metadata` that the schema of `action` does
 * not know: what the gateway kept and flagged (tolerant mode), what read APIs
 * and the dashboard can flag on a stored row. Empty for an unknown action or
 * a metadata value that is not an object. Pure; keys in the object's order.
 */
export function unknownMetadataKeys(action: string, metadata: unknown): string[] {
  if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(action)) return [];
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return [];
  const known = LIFECYCLE_METADATA_SCHEMAS[action as LifecycleAction].shape as Record<string, unknown>;
  return Object.keys(metadata).filter((key) => !Object.hasOwn(known, key));
}

/** One reason why unknown metadata cannot be kept: where (relative to `metadata`) and the message naming it (`metadata.tier.a: …`). */
export interface MetadataProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

function problem(path: readonly (string | number)[], rule: string): MetadataProblem {
  return { path, message: withPath(['metadata', ...path], rule) };
}

/** At most this many problems are reported for one event's unknown metadata. */
const MAX_PROBLEMS = 10;

/** Why a key inside unknown metadata is refused, or null. */
function keyRule(key: string): string | null {
  if (PAYLOAD_KEYS.has(key.toLowerCase())) return `payload fields are never stored (${PAYLOAD_FIELD_NAMES.join(', ')}; at any depth of metadata)`;
  if (RESERVED_KEYS.has(key)) return 'reserved key name, never kept';
  if (key.length === 0 || key.length > UNKNOWN_METADATA_LIMITS.maxKeyLength || CONTROL_CHARS.test(key)) {
    return `unknown metadata key names must be 1–${UNKNOWN_METADATA_LIMITS.maxKeyLength} characters without control characters`;
  }
  return null;
}

/**
 * The problems of one unknown metadata value at `path` (relative to
 * `metadata`): depth, string length, control characters, non-finite numbers,
 * and payload-like or reserved key names at any depth. Stops after
 * {@link MAX_PROBLEMS} (a hostile value may hold many).
 */
function unknownValueProblems(value: unknown, path: (string | number)[], out: MetadataProblem[]): void {
  if (out.length >= MAX_PROBLEMS) return;
  if (path.length > UNKNOWN_METADATA_LIMITS.maxDepth) {
    out.push(problem(path, `unknown metadata is kept at most ${UNKNOWN_METADATA_LIMITS.maxDepth} levels deep`));
    return;
  }
  if (typeof value === 'string') {
    if (value.length > UNKNOWN_METADATA_LIMITS.maxStringLength) {
      out.push(problem(path, `strings in unknown metadata are at most ${UNKNOWN_METADATA_LIMITS.maxStringLength} characters`));
    } else if (CONTROL_CHARS.test(value)) {
      out.push(problem(path, 'strings in unknown metadata must not hold control characters'));
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(problem(path, 'numbers in unknown metadata must be finite'));
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && out.length < MAX_PROBLEMS; i++) unknownValueProblems(value[i], [...path, i], out);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, inner] of Object.entries(value)) {
      const rule = keyRule(key);
      if (rule) out.push(problem([...path, key], rule));
      else unknownValueProblems(inner, [...path, key], out);
      if (out.length >= MAX_PROBLEMS) return;
    }
    return;
  }
  out.push(problem(path, 'unknown metadata must be JSON (object, array, string, number, boolean or null)'));
}

/**
 * Why the unknown keys of `metadata` (those not in `known`) cannot be kept,
 * or an empty list: at most {@link UNKNOWN_METADATA_LIMITS}`.maxKeys` keys,
 * their JSON at most `maxSerializedBytes`, values bounded in depth and
 * string length, and no payload-like key ({@link PAYLOAD_FIELD_NAMES}) at any
 * depth — the privacy promise holds for metadata too.
 */
export function unknownMetadataProblems(metadata: Readonly<Record<string, unknown>>, known: Readonly<Record<string, unknown>>): MetadataProblem[] {
  const unknown = Object.keys(metadata).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length === 0) return [];
  if (unknown.length > UNKNOWN_METADATA_LIMITS.maxKeys) {
    return [problem([], `at most ${UNKNOWN_METADATA_LIMITS.maxKeys} unknown keys are kept, got ${unknown.length}`)];
  }
  const out: MetadataProblem[] = [];
  for (const key of unknown) {
    const rule = keyRule(key);
    if (rule) out.push(problem([key], rule));
    else unknownValueProblems(metadata[key], [key], out);
    if (out.length >= MAX_PROBLEMS) return out;
  }
  if (out.length > 0) return out;
  const kept = Object.fromEntries(unknown.map((key) => [key, metadata[key]]));
  const bytes = new TextEncoder().encode(JSON.stringify(kept)).length;
  if (bytes > UNKNOWN_METADATA_LIMITS.maxSerializedBytes) {
    out.push(problem([], `unknown keys are kept up to ${UNKNOWN_METADATA_LIMITS.maxSerializedBytes} bytes of JSON, got ${bytes}`));
  }
  return out;
}

/**
 * The tolerant form of an action's metadata schema: the same known fields and
 * rules, plus unknown keys kept within {@link UNKNOWN_METADATA_LIMITS}.
 */
function tolerantMetadata<M extends z.ZodObject>(strict: M, what: string): z.ZodObject<M['shape'], z.core.$catchall<z.ZodUnknown>> {
  const shape = strict.shape as Record<string, unknown>;
  return z
    .object(strict.shape, {
      error: (issue) => {
        const input = (issue as { input?: unknown }).input;
        if (issue.code === 'invalid_type' && input === undefined) return withPath(issue.path, 'required');
        const kind = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
        return withPath(issue.path, `${what} must be a JSON object, received ${kind}`);
      },
    })
    .catchall(z.unknown())
    .superRefine((metadata, ctx) => {
      for (const { path, message } of unknownMetadataProblems(metadata, shape)) ctx.addIssue({ code: 'custom', message, path: [...path] });
    }) as unknown as z.ZodObject<M['shape'], z.core.$catchall<z.ZodUnknown>>;
}

/** The metadata schema of each action, tolerant mode: known fields by their rule, unknown keys kept (bounded). */
export const LIFECYCLE_TOLERANT_METADATA_SCHEMAS = Object.fromEntries(
  LIFECYCLE_ACTIONS.map((action) => [action, tolerantMetadata(LIFECYCLE_METADATA_SCHEMAS[action], `${action} metadata`)]),
) as unknown as { readonly [A in LifecycleAction]: z.ZodObject<(typeof LIFECYCLE_METADATA_SCHEMAS)[A]['shape'], z.core.$catchall<z.ZodUnknown>> };

/** The warning of one kept unknown key, as the ingest answer lists it: `metadata.tier: unknown key, kept`. */
export function unknownMetadataWarning(key: string): string {
  return `${formatIssuePath(['metadata', key])}: unknown key, kept`;
}

// ---------------------------------------------------------------------------
// Which subject ids each action carries.

/**
 * How an action treats one of `product_id` / `user_id` / `engine_id`:
 * `required` — a non-null identifier; `nullable` — an identifier or null
 * (absent means null); `null` — must be null or absent (the action has no
 * such subject).
 */
export type SubjectRule = 'required' | 'nullable' | 'null';

/** The subject ids of one action. */
export interface SubjectRules {
  readonly product_id: SubjectRule;
  readonly user_id: SubjectRule;
  readonly engine_id: SubjectRule;
}

const ENGINE_TRANSITION = { product_id: 'nullable', user_id: 'nullable', engine_id: 'required' } as const;
const NO_REQUIRED_SUBJECT = { product_id: 'nullable', user_id: 'nullable', engine_id: 'nullable' } as const;

/**
 * Subject-id rules per action, as seed 002's `audit_log` writes them
 * (`product_id` "nullable for system-level actions", `user_id` "nullable when
 * not yet allocated", `engine_id` "nullable for product-level actions"):
 * - engine transitions (`provision` … `auto_restart_gave_up`): `engine_id`
 *   required — the row is about that engine and means nothing without it;
 *   `product_id` and `user_id` may be null (pooled engines, an auto-provision
 *   before allocation, a path where the orchestrator does not resolve them);
 * - `policy_register`, `policy_update`: all three may be null — a policy is
 *   system- or product-level (null product = a fleet-wide policy);
 * - `admit_denied`, `provision_denied`: all three may be null — a denial can
 *   happen before the product, user or engine is resolved (an unknown
 *   product is itself a reason to deny).
 * `null` ("must be null or absent") is kept as a rule for future actions; no
 * action uses it since an emitter's extra subject id is not a reason to lose
 * its event.
 */
export const LIFECYCLE_SUBJECT_RULES = {
  provision: ENGINE_TRANSITION,
  start: ENGINE_TRANSITION,
  stop: ENGINE_TRANSITION,
  wake: ENGINE_TRANSITION,
  destroy: ENGINE_TRANSITION,
  rotate_key: ENGINE_TRANSITION,
  health_check: ENGINE_TRANSITION,
  health_failed: ENGINE_TRANSITION,
  auto_restart_start: ENGINE_TRANSITION,
  auto_restart_success: ENGINE_TRANSITION,
  auto_restart_failed: ENGINE_TRANSITION,
  auto_restart_gave_up: ENGINE_TRANSITION,
  policy_register: NO_REQUIRED_SUBJECT,
  policy_update: NO_REQUIRED_SUBJECT,
  admit_denied: NO_REQUIRED_SUBJECT,
  provision_denied: NO_REQUIRED_SUBJECT,
} as const satisfies Record<LifecycleAction, SubjectRules>;

type SubjectField<R extends SubjectRule> = R extends 'required'
  ? typeof IdentifierSchema
  : R extends 'nullable'
    ? z.ZodDefault<z.ZodNullable<typeof IdentifierSchema>>
    : z.ZodDefault<z.ZodNull>;

function subjectField<R extends SubjectRule>(rule: R, action: LifecycleAction): SubjectField<R> {
  if (rule === 'required') {
    return z
      .string({
        error: (issue) =>
          withPath(
            issue.path,
            issue.code === 'invalid_type' && issue.input === undefined
              ? `required for ${action} events`
              : `must be an identifier (1–128 characters of A–Z, a–z, 0–9, '.', '_', ':', '/', '-'; required for ${action} events)`,
          ),
      })
      .regex(IDENTIFIER_PATTERN) as unknown as SubjectField<R>;
  }
  if (rule === 'nullable') return IdentifierSchema.nullable().default(null) as unknown as SubjectField<R>;
  return z.null(named(`must be null or absent for ${action} events`)).default(null) as unknown as SubjectField<R>;
}

// ---------------------------------------------------------------------------
// The event.

/** `event_id`: the idempotency key; optional — the gateway derives it from the canonical content when absent. */
export const EventIdSchema = UuidSchema;

/** `duration_ms`: non-negative integer or null; absent means null. */
const DurationSchema = NonNegativeIntSchema.nullable().default(null);

/** `actor`: absent means `system` (seed 002's orchestrator writes it only when a product or an admin drove the transition). */
const DefaultActorSchema = ActorSchema.default('system');

const EVENT_FIELDS = 'event_id, ts (alias timestamp), action, actor, product_id, user_id, engine_id, metadata, duration_ms';

/** Parse an absent metadata object as `{}`, so missing required fields are reported one by one. */
function emptyByDefault<M extends z.ZodObject>(schema: M): z.ZodPrefault<M> {
  return (schema as z.ZodObject).prefault({}) as unknown as z.ZodPrefault<M>;
}

/** The shape of one action's event schema (as sent), typed from its subject rules and metadata schema. */
type LifecycleEventShape<A extends LifecycleAction, R extends SubjectRules, M extends z.ZodObject> = {
  event_id: z.ZodOptional<typeof EventIdSchema>;
  ts: z.ZodOptional<typeof EventTimestampSchema>;
  timestamp: z.ZodOptional<typeof EventTimestampSchema>;
  action: z.ZodLiteral<A>;
  actor: typeof DefaultActorSchema;
  product_id: SubjectField<R['product_id']>;
  user_id: SubjectField<R['user_id']>;
  engine_id: SubjectField<R['engine_id']>;
  metadata: z.ZodPrefault<M>;
  duration_ms: typeof DurationSchema;
};

/** A parsed event of one action: `ts` resolved (from `ts` or its alias `timestamp`), the alias gone. */
type ResolvedEvent<T> = Omit<T, 'ts' | 'timestamp'> & { ts: Date };

/** One action's event schema: the strict object as sent, then `timestamp` folded into `ts`. */
export type LifecycleEventOptionSchema<A extends LifecycleAction, R extends SubjectRules, M extends z.ZodObject> = z.ZodPipe<
  z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict>,
  z.ZodTransform<
    ResolvedEvent<z.output<z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict>>>,
    z.output<z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict>>
  >
>;

/**
 * `ts` and its alias `timestamp` (seed 002's column name): one of them is
 * required; both may be given only for the same instant.
 */
function resolveTimestamp<T extends { ts?: Date | undefined; timestamp?: Date | undefined }>(event: T, ctx: z.core.$RefinementCtx<T>): ResolvedEvent<T> {
  const { ts, timestamp, ...rest } = event;
  if (ts !== undefined && timestamp !== undefined && ts.getTime() !== timestamp.getTime()) {
    ctx.issues.push({
      code: 'custom',
      message: 'timestamp: a different instant than ts; timestamp is an alias of ts: send one of them, or both with the same instant',
      input: event,
      path: ['timestamp'],
    });
    return z.NEVER;
  }
  const at = ts ?? timestamp;
  if (at === undefined) {
    ctx.issues.push({ code: 'custom', message: 'ts: required (or its alias timestamp)', input: event, path: ['ts'] });
    return z.NEVER;
  }
  return { ...rest, ts: at } as ResolvedEvent<T>;
}

/**
 * The strict top-level object of a lifecycle event: an unknown key is
 * refused naming it and the allowed fields; a payload-like key
 * ({@link PAYLOAD_FIELD_NAMES}) is answered "payload fields are never stored".
 */
function eventObject<T extends z.core.$ZodLooseShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const what = `a lifecycle event (fields: ${EVENT_FIELDS})`;
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      const input = (issue as { input?: unknown }).input;
      if (issue.code === 'unrecognized_keys') {
        const payload = issue.keys.filter((key) => PAYLOAD_KEYS.has(key.toLowerCase()));
        const other = issue.keys.filter((key) => !PAYLOAD_KEYS.has(key.toLowerCase()));
        const parts: string[] = [];
        if (payload.length > 0) parts.push(`payload fields are never stored: ${quoteKeys(payload)}`);
        if (other.length > 0) parts.push(`unknown field(s) ${quoteKeys(other)} in ${what}; allowed: ${allowed}`);
        return withPath(issue.path, parts.join('; '));
      }
      if (issue.code === 'invalid_type' && input === undefined) return withPath(issue.path, 'required');
      const kind = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
      return withPath(issue.path, `${what} must be a JSON object, received ${kind}`);
    },
  });
}

function lifecycleEventOption<A extends LifecycleAction, R extends SubjectRules, M extends z.ZodObject>(
  action: A,
  subjects: R,
  metadata: M,
): LifecycleEventOptionSchema<A, R, M> {
  // The casts only restore the per-action types that TypeScript widens inside this generic body.
  const object = eventObject({
    event_id: EventIdSchema.optional(),
    ts: EventTimestampSchema.optional(),
    timestamp: EventTimestampSchema.optional(),
    action: z.literal(action),
    actor: DefaultActorSchema,
    product_id: subjectField(subjects.product_id, action),
    user_id: subjectField(subjects.user_id, action),
    engine_id: subjectField(subjects.engine_id, action),
    metadata: emptyByDefault(metadata),
    duration_ms: DurationSchema,
  }) as unknown as z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict>;
  return object.transform(resolveTimestamp) as unknown as LifecycleEventOptionSchema<A, R, M>;
}

type OptionsOf<Metadata extends { readonly [A in LifecycleAction]: z.ZodObject }> = {
  readonly [A in LifecycleAction]: LifecycleEventOptionSchema<A, (typeof LIFECYCLE_SUBJECT_RULES)[A], Metadata[A]>;
};

function eventOptions<Metadata extends { readonly [A in LifecycleAction]: z.ZodObject }>(metadata: Metadata): OptionsOf<Metadata> {
  return Object.fromEntries(
    LIFECYCLE_ACTIONS.map((action) => [action, lifecycleEventOption(action, LIFECYCLE_SUBJECT_RULES[action], metadata[action])]),
  ) as unknown as OptionsOf<Metadata>;
}

/**
 * Per-action event schemas, tolerant mode (the default): unknown metadata
 * keys are kept within {@link UNKNOWN_METADATA_LIMITS}. Each is the strict
 * object as sent (`.in`) piped into the `ts`/`timestamp` resolution.
 */
export const LIFECYCLE_EVENT_SCHEMAS = eventOptions(LIFECYCLE_TOLERANT_METADATA_SCHEMAS);

/** Per-action event schemas, strict mode (`EVENT_SCHEMA_MODE=strict`): unknown metadata keys are refused, naming them. */
export const STRICT_LIFECYCLE_EVENT_SCHEMAS = eventOptions(LIFECYCLE_METADATA_SCHEMAS);

const MAX_QUOTED_ACTION = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The error of the action discriminator: unknown or missing action, or not an object. */
const UNION_ERROR = {
  error: (issue: z.core.$ZodRawIssue): string => {
    if (issue.code === 'invalid_union') {
      // The action is attacker controlled: quote it only when it is short and plain.
      const input = issue.input as { action?: unknown } | undefined;
      const given = input?.action;
      if (given === undefined) return withPath(issue.path, `required; one of ${LIFECYCLE_ACTIONS.join(', ')}`);
      const shown = typeof given === 'string' && MAX_QUOTED_ACTION.test(given) ? ` ${JSON.stringify(given)}` : '';
      return withPath(issue.path, `unknown lifecycle action${shown}; expected one of ${LIFECYCLE_ACTIONS.join(', ')}`);
    }
    return withPath(issue.path, 'a lifecycle event must be a JSON object');
  },
};

/**
 * A lifecycle event: `event_id?`, `ts` (or its alias `timestamp`), `action`,
 * `actor` (absent = `system`), `product_id`, `user_id`, `engine_id`,
 * `metadata`, `duration_ms`; unknown top-level keys are refused. Discriminated
 * on `action`, so a metadata error names `metadata.<field>`, and an unknown
 * action is reported as such with the list of known actions. `ts` is an
 * RFC 3339 or PostgreSQL text instant normalised to UTC and must lie in the
 * event range ({@link EventTimestampSchema}); `product_id` / `user_id` /
 * `engine_id` follow {@link LIFECYCLE_SUBJECT_RULES}. Metadata: known fields
 * by their rule; unknown keys kept, bounded ({@link UNKNOWN_METADATA_LIMITS})
 * and never payload-like — this is the tolerant mode, the default; see
 * {@link StrictLifecycleEventSchema}.
 */
const S = LIFECYCLE_EVENT_SCHEMAS;
export const LifecycleEventSchema = z.discriminatedUnion(
  'action',
  [
    S.provision,
    S.start,
    S.stop,
    S.wake,
    S.destroy,
    S.rotate_key,
    S.health_check,
    S.health_failed,
    S.auto_restart_start,
    S.auto_restart_success,
    S.auto_restart_failed,
    S.auto_restart_gave_up,
    S.policy_register,
    S.policy_update,
    S.admit_denied,
    S.provision_denied,
  ],
  UNION_ERROR,
);

/** {@link LifecycleEventSchema} in strict mode (`EVENT_SCHEMA_MODE=strict`): unknown metadata keys are refused. */
const T = STRICT_LIFECYCLE_EVENT_SCHEMAS;
export const StrictLifecycleEventSchema = z.discriminatedUnion(
  'action',
  [
    T.provision,
    T.start,
    T.stop,
    T.wake,
    T.destroy,
    T.rotate_key,
    T.health_check,
    T.health_failed,
    T.auto_restart_start,
    T.auto_restart_success,
    T.auto_restart_failed,
    T.auto_restart_gave_up,
    T.policy_register,
    T.policy_update,
    T.admit_denied,
    T.provision_denied,
  ],
  UNION_ERROR,
);

/** The lifecycle event schema of a mode. */
export function lifecycleEventSchema(mode: EventSchemaMode): typeof LifecycleEventSchema {
  return mode === 'strict' ? (StrictLifecycleEventSchema as unknown as typeof LifecycleEventSchema) : LifecycleEventSchema;
}

/** A parsed lifecycle event (`ts` a `Date`, absent nullable ids and `duration_ms` as null, `actor` defaulted). */
export type LifecycleEvent = z.output<typeof LifecycleEventSchema>;

/** A lifecycle event as a client sends it (JSON). */
export type LifecycleEventInput = z.input<typeof LifecycleEventSchema>;

/** The parsed event of one action. */
export type LifecycleEventOf<A extends LifecycleAction> = Extract<LifecycleEvent, { action: A }>;
