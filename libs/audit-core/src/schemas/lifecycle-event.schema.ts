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
  UuidSchema,
  withPath,
} from './common.schema';

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

/**
 * Subject-id rules per action. Engine transitions need the engine; product
 * and user may be null (pooled engines, or the orchestrator does not resolve
 * them on that path). A provision must name its product. Policies are not
 * about an engine or a user. A denied provision has no engine yet.
 */
export const LIFECYCLE_SUBJECT_RULES = {
  provision: { product_id: 'required', user_id: 'nullable', engine_id: 'required' },
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
  policy_register: { product_id: 'nullable', user_id: 'null', engine_id: 'null' },
  policy_update: { product_id: 'nullable', user_id: 'null', engine_id: 'null' },
  admit_denied: { product_id: 'nullable', user_id: 'nullable', engine_id: 'nullable' },
  provision_denied: { product_id: 'required', user_id: 'nullable', engine_id: 'nullable' },
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

const EVENT_FIELDS = 'event_id, ts, action, actor, product_id, user_id, engine_id, metadata, duration_ms';

/** Parse an absent metadata object as `{}`, so missing required fields are reported one by one. */
function emptyByDefault<M extends z.ZodObject>(schema: M): z.ZodPrefault<M> {
  return (schema as z.ZodObject).prefault({}) as unknown as z.ZodPrefault<M>;
}

/** The shape of one action's event schema, typed from its subject rules and metadata schema. */
type LifecycleEventShape<A extends LifecycleAction, R extends SubjectRules, M extends z.ZodObject> = {
  event_id: z.ZodOptional<typeof EventIdSchema>;
  ts: typeof EventTimestampSchema;
  action: z.ZodLiteral<A>;
  actor: typeof ActorSchema;
  product_id: SubjectField<R['product_id']>;
  user_id: SubjectField<R['user_id']>;
  engine_id: SubjectField<R['engine_id']>;
  metadata: z.ZodPrefault<M>;
  duration_ms: typeof DurationSchema;
};

function lifecycleEventOption<A extends LifecycleAction, R extends SubjectRules, M extends z.ZodObject>(
  action: A,
  subjects: R,
  metadata: M,
): z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict> {
  // The casts only restore the per-action types that TypeScript widens inside this generic body.
  return strictObject(
    {
      event_id: EventIdSchema.optional(),
      ts: EventTimestampSchema,
      action: z.literal(action),
      actor: ActorSchema,
      product_id: subjectField(subjects.product_id, action),
      user_id: subjectField(subjects.user_id, action),
      engine_id: subjectField(subjects.engine_id, action),
      metadata: emptyByDefault(metadata),
      duration_ms: DurationSchema,
    },
    `a lifecycle event (fields: ${EVENT_FIELDS})`,
  ) as unknown as z.ZodObject<LifecycleEventShape<A, R, M>, z.core.$strict>;
}

/** Per-action event schemas (strict objects). */
export const LIFECYCLE_EVENT_SCHEMAS = {
  provision: lifecycleEventOption('provision', LIFECYCLE_SUBJECT_RULES.provision, LIFECYCLE_METADATA_SCHEMAS.provision),
  start: lifecycleEventOption('start', LIFECYCLE_SUBJECT_RULES.start, LIFECYCLE_METADATA_SCHEMAS.start),
  stop: lifecycleEventOption('stop', LIFECYCLE_SUBJECT_RULES.stop, LIFECYCLE_METADATA_SCHEMAS.stop),
  wake: lifecycleEventOption('wake', LIFECYCLE_SUBJECT_RULES.wake, LIFECYCLE_METADATA_SCHEMAS.wake),
  destroy: lifecycleEventOption('destroy', LIFECYCLE_SUBJECT_RULES.destroy, LIFECYCLE_METADATA_SCHEMAS.destroy),
  rotate_key: lifecycleEventOption('rotate_key', LIFECYCLE_SUBJECT_RULES.rotate_key, LIFECYCLE_METADATA_SCHEMAS.rotate_key),
  health_check: lifecycleEventOption('health_check', LIFECYCLE_SUBJECT_RULES.health_check, LIFECYCLE_METADATA_SCHEMAS.health_check),
  health_failed: lifecycleEventOption('health_failed', LIFECYCLE_SUBJECT_RULES.health_failed, LIFECYCLE_METADATA_SCHEMAS.health_failed),
  auto_restart_start: lifecycleEventOption('auto_restart_start', LIFECYCLE_SUBJECT_RULES.auto_restart_start, LIFECYCLE_METADATA_SCHEMAS.auto_restart_start),
  auto_restart_success: lifecycleEventOption(
    'auto_restart_success',
    LIFECYCLE_SUBJECT_RULES.auto_restart_success,
    LIFECYCLE_METADATA_SCHEMAS.auto_restart_success,
  ),
  auto_restart_failed: lifecycleEventOption('auto_restart_failed', LIFECYCLE_SUBJECT_RULES.auto_restart_failed, LIFECYCLE_METADATA_SCHEMAS.auto_restart_failed),
  auto_restart_gave_up: lifecycleEventOption(
    'auto_restart_gave_up',
    LIFECYCLE_SUBJECT_RULES.auto_restart_gave_up,
    LIFECYCLE_METADATA_SCHEMAS.auto_restart_gave_up,
  ),
  policy_register: lifecycleEventOption('policy_register', LIFECYCLE_SUBJECT_RULES.policy_register, LIFECYCLE_METADATA_SCHEMAS.policy_register),
  policy_update: lifecycleEventOption('policy_update', LIFECYCLE_SUBJECT_RULES.policy_update, LIFECYCLE_METADATA_SCHEMAS.policy_update),
  admit_denied: lifecycleEventOption('admit_denied', LIFECYCLE_SUBJECT_RULES.admit_denied, LIFECYCLE_METADATA_SCHEMAS.admit_denied),
  provision_denied: lifecycleEventOption('provision_denied', LIFECYCLE_SUBJECT_RULES.provision_denied, LIFECYCLE_METADATA_SCHEMAS.provision_denied),
} as const;

const S = LIFECYCLE_EVENT_SCHEMAS;

const MAX_QUOTED_ACTION = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * A lifecycle event: `event_id?`, `ts`, `action`, `actor`, `product_id`,
 * `user_id`, `engine_id`, `metadata`, `duration_ms`; unknown top-level keys
 * are refused. Discriminated on `action`, so a metadata error names
 * `metadata.<field>`, and an unknown action is reported as such with the list
 * of known actions. `ts` is normalised to UTC and must lie in the event range
 * ({@link EventTimestampSchema}); `product_id` / `user_id` /
 * `engine_id` follow {@link LIFECYCLE_SUBJECT_RULES}.
 */
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
  {
    error: (issue) => {
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
  },
);

/** A parsed lifecycle event (`ts` a `Date`, absent nullable ids and `duration_ms` as null). */
export type LifecycleEvent = z.output<typeof LifecycleEventSchema>;

/** A lifecycle event as a client sends it (JSON). */
export type LifecycleEventInput = z.input<typeof LifecycleEventSchema>;

/** The parsed event of one action. */
export type LifecycleEventOf<A extends LifecycleAction> = Extract<LifecycleEvent, { action: A }>;
