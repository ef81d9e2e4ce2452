import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { LEDGER_KINDS } from '../../constants/ledger-kinds';
import { IdentifierSchema, named, UtcTimestampSchema, UuidSchema } from '../../schemas/common.schema';
import { ApiTimestampSchema } from '../api-types.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { SourceInfoShape, StoredLifecycleEventSchema, StoredToolEventSchema } from './gateway-shapes.schema';

/**
 * One timeline over every stored domain (issue 14 §5) and the detail routes
 * of single events: the first place to look in an incident.
 */

/**
 * The domains the timeline merges: lifecycle, tool, observability and
 * cluster audit events, the gateway's markers and the engine's check runs.
 * Also the middle part of the timeline's sort key `(ts, domain, id)`.
 */
export const TIMELINE_DOMAINS = [
  LEDGER_KINDS.lifecycle,
  LEDGER_KINDS.tool,
  LEDGER_KINDS.observability,
  LEDGER_KINDS.cluster,
  LEDGER_KINDS.marker,
  LEDGER_KINDS.run,
] as const;

/** One of {@link TIMELINE_DOMAINS}. */
export type TimelineDomain = (typeof TIMELINE_DOMAINS)[number];

const DOMAINS_RULE = `must be a comma-separated list of ${TIMELINE_DOMAINS.join(', ')}`;

const DOMAIN_NAME = `(?:${TIMELINE_DOMAINS.join('|')})`;

/** `domains`: a comma-separated subset of {@link TIMELINE_DOMAINS} (each kept once); all when absent. */
export const TimelineDomainsSchema = z
  .string(named(DOMAINS_RULE))
  .max(128, named(DOMAINS_RULE))
  .regex(new RegExp(`^${DOMAIN_NAME}(?:,${DOMAIN_NAME})*$`), named(DOMAINS_RULE))
  .transform((text) => [...new Set(text.split(','))] as TimelineDomain[])
  .meta({ description: `Only these domains (comma-separated: ${TIMELINE_DOMAINS.join(', ')}); all when absent.`, example: 'lifecycle,observability' });

const subject = (description: string) => IdentifierSchema.optional().meta({ description });

export const TimelineQuerySchema = PageQuerySchema.extend({
  engine_id: subject('Only rows of this engine: lifecycle and observability events.'),
  user_id: subject('Only rows of this user: lifecycle events, tool events and cluster audit events (Kubernetes username).'),
  workspace_id: subject('Only rows of this workspace: tool events and the markers that name it (e.g. tool_call_denied).'),
  graph_run_id: subject('Only rows of this agent graph run: tool events and the markers that name it.'),
  project_id: UuidSchema.optional().meta({ description: "Only this project's check runs." }),
  from: UtcTimestampSchema.optional().meta({ description: 'Only rows at or after this instant (ISO-8601 with a zone).' }),
  to: UtcTimestampSchema.optional().meta({ description: 'Only rows before this instant (ISO-8601 with a zone).' }),
  domains: TimelineDomainsSchema.optional(),
});

/** The subjects a timeline row belongs to (the filters it can be found by); absent keys do not apply. */
export const TimelineSubjectSchema = z
  .object({
    engine_id: z.string().optional(),
    user_id: z.string().optional(),
    workspace_id: z.string().optional(),
    graph_run_id: z.string().optional(),
    project_id: z.string().optional(),
  })
  .meta({ id: 'TimelineSubject', description: 'Who or what the row is about (the timeline filters that find it).' });

export const TimelineItemSchema = z
  .object({
    ts: ApiTimestampSchema.meta({ description: 'When it happened (a run: when it started).' }),
    domain: z.enum(TIMELINE_DOMAINS),
    id: z.uuid().meta({ description: "The row's id in its domain (event_id, marker id or run id)." }),
    summary: z.string().max(300).meta({ description: 'One line for people, built from identifiers and codes only (never metadata values).' }),
    subject: TimelineSubjectSchema,
    ledger_seq: z.number().int().min(0).nullable().meta({ description: 'Position of the row in the evidence ledger; null until ledgered.' }),
    details: z.record(z.string(), z.unknown()).meta({
      description: "The row's stored columns (sizes and hashes, never payloads; a run without its output, see GET /v1/runs/{id} on the engine).",
    }),
  })
  .meta({ id: 'TimelineItem', description: 'One row of the timeline.' });

export const TimelinePageSchema = pageOf(TimelineItemSchema)
  .extend({
    domains: z.array(z.enum(TIMELINE_DOMAINS)).meta({
      description: 'The domains this answer searched: those asked for that the filters and the caller’s scope apply to.',
    }),
    workspace_scope: z.string().nullable().meta({
      description: "The caller's workspace when it is scoped to one: only its tool events and the markers naming it are listed.",
    }),
    ...SourceInfoShape,
  })
  .meta({
    id: 'TimelinePage',
    description: 'Rows of every domain, newest first (ties by domain, then id, descending), keyset-paginated over the merged stream.',
  });

export const EventIdParamsSchema = z.object({ event_id: UuidSchema.meta({ description: 'The event id.' }) });

export const LifecycleEventDetailSchema = StoredLifecycleEventSchema.extend({
  unknown_metadata_keys: z.array(z.string()).meta({
    description: "Metadata keys the action's schema does not know: kept, hashed with the row, and flagged here.",
  }),
}).meta({ id: 'LifecycleEventDetail', description: 'One lifecycle event as stored, with the metadata keys its action does not define.' });

const readRoute = { auth: 'bearer', entitlement: ENTITLEMENTS.eventsRead } as const;

/** The timeline and single-event reads. */
export const EXPLORE_ROUTES = {
  timeline: defineRoute({
    operationId: 'timeline',
    method: 'GET',
    path: '/v1/timeline',
    summary: 'One timeline of every domain',
    description:
      'Lifecycle, tool, observability and cluster audit events, gateway markers and check runs merged newest first (ties broken by domain, then id), keyset-paginated over the merged stream: pass `next_cursor` back as `cursor` with the same filters. Subject filters combine (AND); a domain is searched only when every given subject filter applies to it (engine_id: lifecycle, observability; user_id: lifecycle, tool, cluster; workspace_id and graph_run_id: tool, marker; project_id: run); runs appear without a subject filter or with project_id. A workspace-scoped caller sees only its workspace’s tool events and the markers naming it (asking for another workspace_id is 403).',
    tags: ['timeline'],
    ...readRoute,
    query: TimelineQuerySchema,
    response: { description: 'One page of the timeline.', schema: TimelinePageSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  getLifecycleEvent: defineRoute({
    operationId: 'getLifecycleEvent',
    method: 'GET',
    path: '/v1/lifecycle-events/{event_id}',
    summary: 'One lifecycle event',
    description: 'The event as stored, with its metadata and the metadata keys its action does not define. Fleet-wide: a workspace-scoped caller gets 403.',
    tags: ['lifecycle'],
    ...readRoute,
    params: EventIdParamsSchema,
    response: { description: 'The event.', schema: LifecycleEventDetailSchema },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
  getToolEvent: defineRoute({
    operationId: 'getToolEvent',
    method: 'GET',
    path: '/v1/tool-events/{event_id}',
    summary: 'One tool event',
    description: "The event as stored (sizes and a hash, never a payload). A workspace-scoped caller finds only its workspace's events (others are 404).",
    tags: ['tools'],
    ...readRoute,
    params: EventIdParamsSchema,
    response: { description: 'The event.', schema: StoredToolEventSchema },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
} as const;

/** Responses as clients read them. */
export type TimelinePage = z.output<typeof TimelinePageSchema>;
export type TimelineItem = z.output<typeof TimelineItemSchema>;
export type LifecycleEventDetail = z.output<typeof LifecycleEventDetailSchema>;
