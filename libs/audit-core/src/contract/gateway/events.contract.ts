import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { IdentifierSchema, named, UtcTimestampSchema } from '../../schemas/common.schema';
import { LifecycleActionSchema, LifecycleEventSchema } from '../../schemas/lifecycle-event.schema';
import { ToolEventSchema, ToolEventStatusSchema } from '../../schemas/tool-event.schema';
import { PageLimitSchema, pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { ApiTimestampSchema } from '../api-types.schema';
import { LIFECYCLE_EVENT_EXAMPLE, TOOL_EVENT_EXAMPLE } from '../event-examples';
import { IngestWarningsSchema, SourceInfoShape, StoredLifecycleEventSchema, StoredToolEventSchema } from './gateway-shapes.schema';

/** Most events in one ingest request (beyond: 413). */
export const MAX_BATCH_EVENTS = 10_000;
/** Largest ingest body in bytes (beyond: 413). */
export const MAX_INGEST_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The body of an ingest route: one event (an object) or a batch (an array of
 * 1–10,000). The server checks only that shape here: each event is validated
 * on its own by the ingest service, so one bad event in a batch is reported
 * in its outcome instead of failing the whole batch. The OpenAPI document
 * shows the full event schema (`documented`).
 */
function ingestBody(documented: z.ZodType, id: string, description: string) {
  const documentedUnion = z.union([documented, z.array(documented).min(1).max(MAX_BATCH_EVENTS)]);
  return (
    z
      // Sizes (1–10,000; beyond: 413) are checked by the ingest service, in one place.
      .union([z.record(z.string(), z.unknown()), z.array(z.unknown())], named('must be one event (a JSON object) or a batch (an array of events)'))
      .meta({
        id,
        description,
        override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
          for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
          Object.assign(
            jsonSchema,
            z.toJSONSchema(documentedUnion, {
              io: 'input',
              unrepresentable: 'any',
            }),
            { description },
          );
          delete jsonSchema['$schema'];
        },
      })
  );
}

/** Outcome of one event of a batch. */
export const IngestEventResultSchema = z
  .object({
    index: z.number().int().min(0).meta({ description: 'Position of the event in the batch.' }),
    status: z.enum(['accepted', 'duplicate', 'rejected']).meta({
      description: 'accepted: stored now; duplicate: an event with this event_id was stored before; rejected: not stored (see errors).',
    }),
    event_id: z.uuid().optional().meta({
      description: 'The event id (supplied, or derived from the canonical content).',
    }),
    errors: z.array(z.string()).optional().meta({
      description: 'Why the event was rejected: each message names the field and the rule.',
    }),
    warnings: IngestWarningsSchema,
  })
  .meta({ id: 'IngestEventResult' });

/** Answer to one event: where it went. */
export const IngestSingleResponseSchema = z
  .object({
    event_id: z.uuid(),
    status: z.enum(['accepted', 'duplicate']),
    backend: z.string().meta({
      description: 'The backend that took the event (postgres, jsonl, null).',
    }),
    warnings: IngestWarningsSchema,
  })
  .meta({
    id: 'IngestSingleResult',
    description: 'The outcome of one event, after it is durable.',
  });

/** Answer to a batch: one outcome per event and the counts (partial success). */
export const IngestBatchResponseSchema = z
  .object({
    results: z.array(IngestEventResultSchema),
    accepted: z.number().int().min(0),
    duplicate: z.number().int().min(0),
    rejected: z.number().int().min(0),
    backend: z.string(),
  })
  .meta({
    id: 'IngestBatchResult',
    description: 'Per-event outcomes of a batch, after the accepted events are durable. A rejected event is never stored; an accepted one is stored whole.',
  });

/** The answer of an ingest route. */
export const IngestResponseSchema = z.union([IngestSingleResponseSchema, IngestBatchResponseSchema]).meta({ id: 'IngestResult' });

const OptionalId = IdentifierSchema.optional();
const TimeRangeShape = {
  from: UtcTimestampSchema.optional().meta({
    description: 'Only rows at or after this instant (ISO-8601 with a zone).',
  }),
  to: UtcTimestampSchema.optional().meta({
    description: 'Only rows before this instant (ISO-8601 with a zone).',
  }),
};

/** `window_hours`: 1–2160 (90 days). @defaultValue 24 */
export const WindowHoursSchema = z.coerce
  .number(named('must be an integer 1–2160 (hours)'))
  .int(named('must be an integer 1–2160 (hours)'))
  .min(1, named('must be an integer 1–2160 (hours)'))
  .max(2160, named('must be an integer 1–2160 (hours)'))
  .default(24)
  .meta({ description: 'Hours back from now (1–2160).', example: 24 });

export const LifecycleListQuerySchema = PageQuerySchema.extend({
  ...TimeRangeShape,
  engine_id: OptionalId,
  user_id: OptionalId,
  product_id: OptionalId,
  actor: OptionalId,
  action: LifecycleActionSchema.optional(),
});

export const ToolListQuerySchema = PageQuerySchema.extend({
  ...TimeRangeShape,
  workspace_id: OptionalId,
  agent_id: OptionalId,
  user_id: OptionalId,
  tool: OptionalId,
  action: OptionalId,
  status: ToolEventStatusSchema.optional(),
  req_id: OptionalId,
  graph_run_id: OptionalId,
});

const WindowQuerySchema = z.object({ window_hours: WindowHoursSchema });
const WindowLimitQuerySchema = z.object({
  window_hours: WindowHoursSchema,
  limit: PageLimitSchema,
});
const LimitQuerySchema = z.object({ limit: PageLimitSchema });

export const LifecycleEventPageSchema = pageOf(StoredLifecycleEventSchema).extend(SourceInfoShape).meta({
  id: 'LifecycleEventPage',
  description: 'Lifecycle events, newest first.',
});

export const EngineRecentSchema = pageOf(StoredLifecycleEventSchema)
  .extend({ engine_id: z.string(), ...SourceInfoShape })
  .meta({
    id: 'EngineRecentActivity',
    description: "One engine's lifecycle events, newest first.",
  });

export const ProvisionsReportSchema = pageOf(
  z
    .object({
      hour: ApiTimestampSchema,
      provisions: z.number().int().min(0),
      denied: z.number().int().min(0),
    })
    .meta({ id: 'ProvisionsHour' }),
)
  .extend({
    window_hours: z.number().int(),
    last_hour: z.number().int().min(0).meta({ description: 'Provisions in the last hour.' }),
    ...SourceInfoShape,
  })
  .meta({
    id: 'ProvisionsReport',
    description: 'Provisions per hour over the window (every hour listed, zeros included; not paged: next_cursor is null).',
  });

export const AutoRestartHotspotsSchema = pageOf(
  z
    .object({
      engine_id: z.string(),
      product_id: z.string().nullable(),
      restarts: z.number().int().min(0),
      successes: z.number().int().min(0),
      failures: z.number().int().min(0),
      gave_up: z.number().int().min(0),
      last_at: ApiTimestampSchema,
    })
    .meta({ id: 'AutoRestartHotspot' }),
)
  .extend({ window_hours: z.number().int(), ...SourceInfoShape })
  .meta({
    id: 'AutoRestartHotspots',
    description: 'Engines with the most automatic restarts in the window (top `limit`; not paged: next_cursor is null).',
  });

export const ActorActivitySchema = pageOf(
  z
    .object({
      actor: z.string(),
      events: z.number().int().min(0),
      last_at: ApiTimestampSchema,
      by_action: z.record(z.string(), z.number().int().min(0)).meta({ description: 'Events per lifecycle action.' }),
    })
    .meta({ id: 'ActorActivity' }),
)
  .extend({ window_hours: z.number().int(), ...SourceInfoShape })
  .meta({
    id: 'ActorActivityReport',
    description: 'Lifecycle activity per actor in the window, busiest first (not paged: next_cursor is null).',
  });

export const UserLifetimeSchema = pageOf(StoredLifecycleEventSchema)
  .extend({
    user_id: z.string(),
    first_provision_at: ApiTimestampSchema.nullable(),
    destroyed_at: ApiTimestampSchema.nullable(),
    engines: z.array(z.string()).meta({ description: 'Engines the user had.' }),
    truncated: z.boolean().meta({ description: 'More transitions exist than `limit`.' }),
    ...SourceInfoShape,
  })
  .meta({
    id: 'UserLifetime',
    description: "One user's transitions, oldest first (first `limit`; not paged: next_cursor is null, `truncated` says whether more exist).",
  });

export const EngineHoursQuerySchema = z.object({
  group_by: z.enum(['product', 'user'], named('must be product or user')).default('product'),
  ...TimeRangeShape,
});

export const EngineHoursReportSchema = pageOf(
  z
    .object({
      product_id: z.string().nullable().optional(),
      user_id: z.string().nullable().optional(),
      engine_hours: z.number().min(0),
      engines: z.number().int().min(0),
    })
    .meta({
      id: 'EngineHoursRow',
      description: 'Engine-hours of one product (group_by=product) or user (group_by=user).',
    }),
)
  .extend({
    group_by: z.enum(['product', 'user']),
    from: ApiTimestampSchema,
    to: ApiTimestampSchema,
    ...SourceInfoShape,
  })
  .meta({
    id: 'EngineHoursReport',
    description: 'Engine-hours per product or user in [from, to) (default: the last 24 hours; not paged: next_cursor is null).',
  });

export const ToolEventPageSchema = pageOf(StoredToolEventSchema)
  .extend({
    workspace_scope: z.string().nullable().meta({
      description: "The caller's workspace when it is scoped to one (only that workspace is listed).",
    }),
    ...SourceInfoShape,
  })
  .meta({ id: 'ToolEventPage', description: 'Tool events, newest first.' });

const lifecycleReport = {
  tags: ['lifecycle'],
  auth: 'bearer',
  entitlement: ENTITLEMENTS.eventsRead,
} as const;
/** A lifecycle read: fleet-wide data, so a workspace-scoped caller gets 403. */
const LIFECYCLE_READ_ERRORS = [400, ...AUTHENTICATED_ERRORS] as const;

/** Event ingest, the lifecycle queries and reports, and the tool-event list. */
export const EVENT_ROUTES = {
  ingestLifecycleEvents: defineRoute({
    operationId: 'ingestLifecycleEvents',
    method: 'POST',
    path: '/v1/lifecycle-events',
    summary: 'Send lifecycle events',
    description:
      'One lifecycle event (an object) or a batch (an array of 1–10,000, body ≤ 5 MB). One event: 200 with its outcome, or 400 naming the field. A batch: 200 with an outcome per event (accepted, duplicate or rejected with the reasons) — partial success. Nothing is acknowledged before it is durable. A workspace-scoped caller cannot write lifecycle events (403): they are fleet-wide. `event_id` makes a retry idempotent.',
    tags: ['events'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: ingestBody(LifecycleEventSchema, 'LifecycleEventIngest', 'One lifecycle event, or an array of 1–10,000 of them.'),
    bodyExample: [LIFECYCLE_EVENT_EXAMPLE],
    response: {
      description: 'The outcome of each event, after the accepted ones are durable.',
      schema: IngestResponseSchema,
    },
    errors: [400, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
  ingestToolEvents: defineRoute({
    operationId: 'ingestToolEvents',
    method: 'POST',
    path: '/v1/tool-events',
    summary: 'Send tool events',
    description:
      'One tool event (an object) or a batch (an array of 1–10,000, body ≤ 5 MB): sizes and a hash, never a payload. One event: 200 with its outcome, or 400 naming the field. A batch: 200 with an outcome per event — partial success. A workspace-scoped caller writes events of its own workspace only (others are rejected naming workspace_id).',
    tags: ['events'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: ingestBody(ToolEventSchema, 'ToolEventIngest', 'One tool event, or an array of 1–10,000 of them.'),
    bodyExample: [TOOL_EVENT_EXAMPLE],
    response: {
      description: 'The outcome of each event, after the accepted ones are durable.',
      schema: IngestResponseSchema,
    },
    errors: [400, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
  listLifecycleEvents: defineRoute({
    operationId: 'listLifecycleEvents',
    method: 'GET',
    path: '/v1/lifecycle-events',
    summary: 'List lifecycle events',
    description: 'Newest first, filtered, keyset-paginated: pass `next_cursor` back as `cursor`. Fleet-wide: a workspace-scoped caller gets 403.',
    ...lifecycleReport,
    query: LifecycleListQuerySchema,
    response: {
      description: 'One page of lifecycle events.',
      schema: LifecycleEventPageSchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  engineRecentActivity: defineRoute({
    operationId: 'engineRecentActivity',
    method: 'GET',
    path: '/v1/lifecycle/engines/{engine_id}/recent',
    summary: "An engine's recent lifecycle events",
    description: 'Newest first, keyset-paginated.',
    ...lifecycleReport,
    params: z.object({
      engine_id: IdentifierSchema.meta({ description: 'The engine.' }),
    }),
    query: PageQuerySchema,
    response: {
      description: "One page of the engine's events.",
      schema: EngineRecentSchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  provisionsReport: defineRoute({
    operationId: 'provisionsReport',
    method: 'GET',
    path: '/v1/lifecycle/provisions',
    summary: 'Provisions per hour',
    description: 'Provisions in the last hour and per hour over the window, with denied provisions.',
    ...lifecycleReport,
    query: WindowQuerySchema,
    response: {
      description: 'The provisions report.',
      schema: ProvisionsReportSchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  autoRestartHotspots: defineRoute({
    operationId: 'autoRestartHotspots',
    method: 'GET',
    path: '/v1/lifecycle/auto-restart-hotspots',
    summary: 'Engines restarted most',
    description: 'Engines with the most automatic restarts in the window, with successes, failures and give-ups.',
    ...lifecycleReport,
    query: WindowLimitQuerySchema,
    response: {
      description: 'The hotspots.',
      schema: AutoRestartHotspotsSchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  actorActivity: defineRoute({
    operationId: 'actorActivity',
    method: 'GET',
    path: '/v1/lifecycle/actors',
    summary: 'Lifecycle activity per actor',
    description: 'Events per actor and per action in the window.',
    ...lifecycleReport,
    query: WindowQuerySchema,
    response: {
      description: 'Activity per actor.',
      schema: ActorActivitySchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  userLifetime: defineRoute({
    operationId: 'userLifetime',
    method: 'GET',
    path: '/v1/lifecycle/users/{user_id}/lifetime',
    summary: "A user's lifetime",
    description: 'First provision to destroy: every transition in order, oldest first.',
    ...lifecycleReport,
    params: z.object({
      user_id: IdentifierSchema.meta({
        description: 'The user (pseudonymous id).',
      }),
    }),
    query: LimitQuerySchema,
    response: {
      description: "The user's transitions.",
      schema: UserLifetimeSchema,
    },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  engineHours: defineRoute({
    operationId: 'engineHours',
    method: 'GET',
    path: '/v1/lifecycle/engine-hours',
    summary: 'Engine-hours per product or user',
    description: 'An engine runs from a start or wake until its next start, wake, stop or destroy, clipped to [from, to).',
    ...lifecycleReport,
    query: EngineHoursQuerySchema,
    response: { description: 'Engine-hours.', schema: EngineHoursReportSchema },
    errors: LIFECYCLE_READ_ERRORS,
  }),
  listToolEvents: defineRoute({
    operationId: 'listToolEvents',
    method: 'GET',
    path: '/v1/tool-events',
    summary: 'List tool events',
    description: 'Newest first, filtered, keyset-paginated. A workspace-scoped caller sees only its workspace (asking for another workspace_id is 403).',
    tags: ['tools'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsRead,
    query: ToolListQuerySchema,
    response: {
      description: 'One page of tool events.',
      schema: ToolEventPageSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
} as const;

/** Responses as clients read them. */
export type IngestResponse = z.output<typeof IngestResponseSchema>;
export type StoredLifecycleEvent = z.output<typeof StoredLifecycleEventSchema>;
export type StoredToolEvent = z.output<typeof StoredToolEventSchema>;
