import { z } from 'zod';

/**
 * What the dashboard reads from the engine and gateway, parsed leniently: the
 * services are young, so a parser accepts the documented shape and the few
 * close variants the services have used (an array or `{ items }`, `id` or
 * `project_id`), and drops fields it does not know. A body that fits none of
 * them becomes an "unexpected answer" message, never a crash.
 */

const text = z.string();
const optionalText = z.string().nullish().transform((value) => value ?? null);
/** A timestamp as ISO-8601 text (services serialise `Date` as ISO strings). */
const isoTime = z.union([z.string(), z.number()]).transform((value) => new Date(value).toISOString());
const optionalIsoTime = isoTime.nullish().transform((value) => value ?? null);
const count = z.coerce.number().int().nonnegative();

// ---------------------------------------------------------------------------
// Identity: GET /v1/whoami (engine and gateway).

/** `GET /v1/whoami`: who the bearer token belongs to and what it may do. */
export const WhoamiSchema = z.object({
  name: text,
  principal: text,
  entitlements: z.array(text),
  workspace_id: z.string().nullable().default(null),
});
export type Whoami = z.output<typeof WhoamiSchema>;

// ---------------------------------------------------------------------------
// Engine: GET /v1/overview.

/** Status colour of a project: all pass → green, a warning → amber, a failure → red, nothing yet → grey. */
export const BADGES = ['green', 'amber', 'red', 'grey'] as const;
export type Badge = (typeof BADGES)[number];

const badge = z.enum(BADGES).catch('grey');

const statusCounts = z.object({ pass: count.default(0), warn: count.default(0), fail: count.default(0), error: count.default(0) });

/**
 * One project card. Accepted: `{ id | project_id, name, score: {passed,total} | number, total?, badge,
 * last_audit_at, failing? , counts? {pass,warn,fail,error} }`.
 */
export const ProjectCardSchema = z
  .object({
    id: text.optional(),
    project_id: text.optional(),
    name: text,
    score: z.union([z.object({ passed: count, total: count }), count]).optional(),
    total: count.optional(),
    badge: badge.optional(),
    last_audit_at: optionalIsoTime,
    failing: count.optional(),
    counts: statusCounts.optional(),
    /** Daily scores of the last 30 days, oldest first (optional: shown as a sparkline when sent). */
    trend: z
      .array(z.object({ day: text, passed: count, total: count }))
      .optional()
      .catch(undefined),
  })
  .transform((card, ctx) => {
    const id = card.id ?? card.project_id;
    if (!id) {
      ctx.addIssue({ code: 'custom', message: 'a project card needs id or project_id' });
      return z.NEVER;
    }
    const passed = typeof card.score === 'object' ? card.score.passed : (card.score ?? 0);
    const total = typeof card.score === 'object' ? card.score.total : (card.total ?? 0);
    const failing = card.failing ?? (card.counts ? card.counts.fail + card.counts.error : Math.max(0, total - passed));
    return {
      id,
      name: card.name,
      passed,
      total,
      badge: card.badge ?? badgeFor(passed, total, failing),
      lastAuditAt: card.last_audit_at,
      failing,
      trend: card.trend ?? [],
    };
  });
export type ProjectCard = z.output<typeof ProjectCardSchema>;

/** The colour when the service did not send one: no results → grey, any failure → red, else green. */
export function badgeFor(passed: number, total: number, failing: number): Badge {
  if (total === 0) return 'grey';
  if (failing > 0) return 'red';
  return passed < total ? 'amber' : 'green';
}

/**
 * `GET /v1/overview?q=&status=&limit=&offset=`: `{ projects | items: ProjectCard[], total?, summary? }` or a bare array.
 * `total` present means the engine paginated; absent means the list is complete.
 */
export const OverviewSchema = z
  .union([
    z.array(ProjectCardSchema),
    z.object({
      projects: z.array(ProjectCardSchema).optional(),
      items: z.array(ProjectCardSchema).optional(),
      total: count.optional(),
      summary: z
        .object({ projects: count.optional(), failing_checks: count.optional(), failing_projects: count.optional() })
        .optional(),
    }),
  ])
  .transform((body) => {
    if (Array.isArray(body)) return { projects: body, total: null, summary: null };
    return {
      projects: body.projects ?? body.items ?? [],
      total: body.total ?? null,
      summary: body.summary ?? null,
    };
  });
export type Overview = z.output<typeof OverviewSchema>;

// ---------------------------------------------------------------------------
// Engine: GET /v1/projects/:id/scorecard.

export const ScorecardCheckSchema = z.object({
  check_id: text,
  target: text.default(''),
  status: text,
  message: text.default(''),
  rule: z.record(z.string(), z.unknown()).nullish(),
  evidence: z.record(z.string(), z.unknown()).nullish(),
  checked_at: optionalIsoTime,
  /** Earlier results of this check, newest first. */
  history: z
    .array(z.object({ run_id: text, status: text, started_at: optionalIsoTime }))
    .default([])
    .catch([]),
});
export type ScorecardCheck = z.output<typeof ScorecardCheckSchema>;

/** `GET /v1/projects/:id/scorecard`: the project's card plus `checks[]`. */
export const ScorecardSchema = z.intersection(
  ProjectCardSchema,
  z.object({ checks: z.array(ScorecardCheckSchema).default([]) }).transform((body) => ({ checks: body.checks })),
);
export type Scorecard = z.output<typeof ScorecardSchema>;

// ---------------------------------------------------------------------------
// Engine: actions, action types, runs.

/** `GET /v1/actions` items. `next_run_at` and `last_run` are shown when the engine sends them. */
export const ActionSchema = z.object({
  id: text,
  project_id: optionalText,
  name: text,
  action_type: text,
  schedule: text,
  status: z.enum(['active', 'paused']).catch('active'),
  description: text.default(''),
  /** The type's config (read for links, e.g. a `workbook` action's workbook); `{}` when not sent. */
  config: z.record(z.string(), z.unknown()).nullish().transform((value) => value ?? {}).catch({}),
  next_run_at: optionalIsoTime,
  last_run: z
    .object({ status: text, started_at: optionalIsoTime, finished_at: optionalIsoTime })
    .nullish()
    .transform((value) => value ?? null),
});
export type ActionRow = z.output<typeof ActionSchema>;

/** `GET /v1/actions`: an array, or `{ items }`. */
export const ActionListSchema = z
  .union([z.array(ActionSchema), z.object({ items: z.array(ActionSchema) })])
  .transform((body) => (Array.isArray(body) ? body : body.items));

/** `GET /v1/action-types` items: the type id and the JSON Schema of its `config`. */
export const ActionTypeSchema = z.object({
  id: text,
  description: text.default(''),
  config_schema: z.record(z.string(), z.unknown()),
});
export type ActionType = z.output<typeof ActionTypeSchema>;

export const ActionTypeListSchema = z
  .union([z.array(ActionTypeSchema), z.object({ items: z.array(ActionTypeSchema) })])
  .transform((body) => (Array.isArray(body) ? body : body.items));

/** One run (`GET /v1/runs` items). */
export const RunSchema = z.object({
  id: text,
  action_id: text,
  project_id: optionalText,
  action_type: text.default(''),
  trigger: text.default(''),
  status: text,
  message: text.default(''),
  started_at: optionalIsoTime,
  finished_at: optionalIsoTime,
  duration_ms: count.nullish().transform((value) => value ?? null),
  ledger_seq: z.union([z.string(), z.number()]).nullish().transform((value) => (value === null || value === undefined ? null : String(value))),
});
export type RunRow = z.output<typeof RunSchema>;

/** `GET /v1/runs/:id`: a run with its `output` (per-check results, evidence, error). */
export const RunDetailSchema = RunSchema.extend({
  scheduled_at: optionalIsoTime,
  output: z.record(z.string(), z.unknown()).default({}),
});
export type RunDetail = z.output<typeof RunDetailSchema>;

/** `GET /v1/runs`: `{ items, next_cursor }` newest first (keyset pagination). */
export const RunPageSchema = keysetPage(RunSchema);
export type RunPage = z.output<typeof RunPageSchema>;

// ---------------------------------------------------------------------------
// Gateway: lifecycle, tools, evidence.

/** One lifecycle event (`GET /v1/lifecycle-events` items). */
export const LifecycleEventSchema = z.object({
  event_id: optionalText,
  ts: isoTime,
  action: text,
  actor: text.default(''),
  product_id: optionalText,
  user_id: optionalText,
  engine_id: optionalText,
  duration_ms: count.nullish().transform((value) => value ?? null),
});
export type LifecycleEventRow = z.output<typeof LifecycleEventSchema>;

/** `GET /v1/lifecycle-events`: `{ items, next_cursor }`. */
export const LifecycleEventPageSchema = keysetPage(LifecycleEventSchema);
export type LifecycleEventPage = z.output<typeof LifecycleEventPageSchema>;

/** `GET /v1/evidence/checkpoints/latest`: the newest signed checkpoint (C2SP signed note). */
export const CheckpointSchema = z.object({
  tree_size: z.union([z.string(), z.number()]).transform(String),
  root_hash: text,
  note: text,
  key_id: text.default(''),
  timestamp_kind: text.default('local'),
  created_at: optionalIsoTime,
});
export type Checkpoint = z.output<typeof CheckpointSchema>;

function keysetPage<T extends z.ZodType>(item: T) {
  return z
    .union([z.array(item), z.object({ items: z.array(item), next_cursor: z.string().nullish() })])
    .transform((body) =>
      Array.isArray(body)
        ? { items: body as z.output<T>[], nextCursor: null as string | null }
        : { items: body.items as z.output<T>[], nextCursor: body.next_cursor ?? null },
    );
}

/** Adapts a zod schema to the client's parser signature (throws on a shape mismatch). */
export function parserOf<S extends z.ZodType>(schema: S): (body: unknown) => z.output<S> {
  return (body) => schema.parse(body);
}
