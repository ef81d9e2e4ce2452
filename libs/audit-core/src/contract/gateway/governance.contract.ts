import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { ApiTokenCreateSchema, EntitlementSchema } from '../../schemas/api-token.schema';
import { IdentifierSchema, named, strictObject, UtcTimestampSchema, UuidSchema } from '../../schemas/common.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { WindowHoursSchema } from './events.contract';
import { ApiTimestampSchema } from '../api-types.schema';
import { SourceInfoShape } from './gateway-shapes.schema';

/** `POST /v1/tools/authorize`: may this agent call this tool now? */
export const AuthorizeRequestSchema = strictObject(
  {
    agent_id: IdentifierSchema.meta({ description: 'The agent asking.' }),
    workspace_id: IdentifierSchema.meta({
      description: 'The workspace the call is for.',
    }),
    tool: IdentifierSchema.meta({ description: 'The governed tool.' }),
    action: IdentifierSchema.meta({
      description: 'What the tool is asked to do.',
    }),
  },
  'an authorize request (fields: agent_id, workspace_id, tool, action)',
).meta({
  id: 'AuthorizeRequest',
  description: 'A governed tool call an agent is about to make.',
  example: {
    agent_id: 'agent-support',
    workspace_id: 'ws-acme',
    tool: 'github',
    action: 'create_issue',
  },
});
export type AuthorizeRequest = z.output<typeof AuthorizeRequestSchema>;

export const AuthorizeResponseSchema = z
  .object({
    decision: z.enum(['allow', 'deny']),
    reason: z.string().meta({
      description: 'Why, in words (the policy rule, or the emergency stop).',
    }),
    marker_id: z.uuid().optional().meta({ description: 'The ledger marker recording a denial.' }),
    marker_pending: z.boolean().optional().meta({
      description: 'True when a denial could not be recorded yet (storage down): its marker follows.',
    }),
  })
  .meta({
    id: 'AuthorizeDecision',
    example: {
      decision: 'deny',
      reason: 'tool github is not rolled out to workspace ws-acme',
      marker_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d13',
    },
  });

/** Body of `POST /v1/admin/emergency-stop` (optional). */
export const EmergencyStopRequestSchema = strictObject(
  {
    reason: z.string(named('must be 1–500 characters')).min(1, named('must be 1–500 characters')).max(500, named('must be 1–500 characters')).optional(),
  },
  'an emergency-stop request (fields: reason)',
)
  .optional()
  .meta({
    id: 'EmergencyStopRequest',
    description: 'Why the stop is engaged (optional; the body may be absent).',
    example: { reason: 'agent loop is opening issues in bulk' },
  });

export const EmergencyStopStateSchema = z
  .object({
    engaged: z.boolean(),
    since: ApiTimestampSchema.optional(),
    by: z.string().optional().meta({ description: 'Who engaged it.' }),
    reason: z.string().optional(),
    marker_id: z.uuid().nullable().optional().meta({
      description: 'The ledger marker of the engagement; null while it is pending.',
    }),
    sentinel: z.string().meta({
      description: 'The sentinel file: present at boot → every tool call is denied. Remove it and restart to lift the stop.',
    }),
  })
  .meta({
    id: 'EmergencyStopState',
    description: 'Whether every governed tool call is being denied.',
  });

export const EmergencyStopResultSchema = EmergencyStopStateSchema.extend({
  already: z.boolean().meta({ description: 'The stop was already engaged (idempotent).' }),
  marker_pending: z.boolean().optional().meta({
    description: 'The marker could not be written yet (storage down): it follows.',
  }),
  sentinel_written: z.boolean().optional().meta({
    description: 'False when the sentinel could not be written: a restart would lift the stop.',
  }),
}).meta({ id: 'EmergencyStopResult' });

const MARKER_RULE = 'must be a marker name: lower-case letters, digits and _';

export const MarkerListQuerySchema = PageQuerySchema.extend({
  marker: z
    .string(named(MARKER_RULE))
    .regex(/^[a-z][a-z0-9_]{0,63}$/, named(MARKER_RULE))
    .optional()
    .meta({
      description: 'Only markers of this name (emergency_stop, tool_call_denied, backend_fallback_started, spool_line_quarantined, …).',
    }),
  from: UtcTimestampSchema.optional().meta({
    description: 'Only markers at or after this instant.',
  }),
  to: UtcTimestampSchema.optional().meta({
    description: 'Only markers before this instant.',
  }),
});

export const MarkerSchema = z
  .object({
    id: z.uuid(),
    ts: ApiTimestampSchema,
    marker: z.string().meta({ description: 'What happened (see the marker kinds).' }),
    details: z.record(z.string(), z.unknown()),
    ledger_seq: z.number().int().min(0).nullable(),
  })
  .meta({
    id: 'Marker',
    description: 'Something the gateway recorded about itself, in the ledger.',
  });

export const MarkerPageSchema = pageOf(MarkerSchema).meta({
  id: 'MarkerPage',
  description: 'Markers, newest first.',
});

const FinopsEntryShape = {
  calls: z.number().int().min(0),
  errors: z.number().int().min(0),
  denied: z.number().int().min(0),
  unrecognised_status: z.number().int().min(0).meta({
    description: 'Calls whose status is none of ok, error, denied, timeout (stored as sent); counted in calls, not in errors or denied.',
  }),
  error_rate: z.number().min(0).max(1),
  p50_duration_ms: z.number().nullable(),
  p95_duration_ms: z.number().nullable(),
  duration_ms_total: z.number().min(0),
  bytes_in: z.number().min(0),
  bytes_out: z.number().min(0),
  cost: z.number().min(0),
};

const DigestWindowShape = {
  window_hours: z.number().int(),
  from: ApiTimestampSchema,
  to: ApiTimestampSchema,
  workspace_scope: z.string().nullable().meta({
    description: "The caller's workspace when it is scoped to one (only that workspace is counted).",
  }),
  ...SourceInfoShape,
};

export const FinopsDashboardSchema = z
  .object({
    ...DigestWindowShape,
    currency: z.string(),
    cost_weights: z.object({
      per_call: z.number(),
      per_second: z.number(),
      per_kb_in: z.number(),
      per_kb_out: z.number(),
      per_engine_hour: z.number(),
    }),
    totals: z.object({
      ...FinopsEntryShape,
      engine_hours: z.number().optional().meta({
        description: 'Fleet-wide engine-hours (unscoped callers, PostgreSQL backend).',
      }),
      engine_cost: z.number().optional(),
      total_cost: z.number().optional(),
    }),
    by_tool: z.array(z.object({ tool: z.string().nullable(), ...FinopsEntryShape })),
    by_agent: z.array(z.object({ agent_id: z.string().nullable(), ...FinopsEntryShape })),
    by_workspace: z.array(z.object({ workspace_id: z.string().nullable(), ...FinopsEntryShape })),
    unrecognised_statuses: z.array(z.object({ status: z.string(), calls: z.number().int().min(0) })).meta({
      description: 'The statuses other than ok, error, denied, timeout in the window, by name, most calls first (at most 20).',
    }),
  })
  .meta({
    id: 'FinopsDashboard',
    description: 'Calls, errors, durations, bytes and cost per tool, agent and workspace over the window, sorted by cost.',
  });

const VolumeShape = {
  calls: z.number().int().min(0),
  bytes_in: z.number().min(0),
  bytes_out: z.number().min(0),
  bytes_total: z.number().min(0),
  without_hash: z.number().int().min(0),
};

export const PrivacyDashboardSchema = z
  .object({
    ...DigestWindowShape,
    totals: z.object({
      calls: z.number().int().min(0),
      bytes_in: z.number().min(0),
      bytes_out: z.number().min(0),
      without_hash: z.number().int().min(0),
      unrecognised_status: z.number().int().min(0),
    }),
    volume_by_tool: z.array(z.object({ tool: z.string().nullable(), ...VolumeShape })),
    volume_by_workspace: z.array(z.object({ workspace_id: z.string().nullable(), ...VolumeShape })),
    repeated_inputs: z.array(
      z.object({
        input_hash: z.string(),
        calls: z.number().int(),
        tools: z.array(z.string()),
        agents: z.number().int(),
        workspaces: z.number().int(),
        first_at: ApiTimestampSchema,
        last_at: ApiTimestampSchema,
      }),
    ),
    size_outliers: z.object({
      rule: z.string(),
      events: z.array(
        z.object({
          event_id: z.string(),
          ts: ApiTimestampSchema,
          tool: z.string(),
          agent_id: z.string().nullable(),
          workspace_id: z.string().nullable(),
          in_size: z.number(),
          out_size: z.number(),
          tool_median_in: z.number(),
          tool_median_out: z.number(),
        }),
      ),
    }),
    events_without_hash: z.array(
      z.object({
        tool: z.string().nullable(),
        events: z.number().int(),
        calls: z.number().int(),
      }),
    ),
    payloads_stored: z.literal(false),
    payload_guarantee: z.object({
      payload_columns_in_table: z.array(z.string()),
      how: z.array(z.string()),
    }),
  })
  .meta({
    id: 'PrivacyDashboard',
    description: 'Data volume, repeated inputs, size outliers, events without hash, and the no-payload guarantee.',
  });

const ApiTokenResponseShape = {
  id: z.uuid(),
  name: z.string().meta({ description: 'Unique among active tokens.' }),
  principal: z.string().meta({
    description: 'Who requests made with the token are attributed to.',
  }),
  entitlements: z.array(EntitlementSchema).meta({ description: 'What the token may do.' }),
  workspace_id: z.string().nullable().meta({
    description: 'The workspace the token is confined to; null for fleet-wide tokens.',
  }),
  created_at: ApiTimestampSchema,
  last_used_at: ApiTimestampSchema.nullable(),
  revoked_at: ApiTimestampSchema.nullable(),
};

/** A token as listed (no secret): the response form of audit-core's `ApiTokenSchema`. */
export const ApiTokenResponseSchema = z.object(ApiTokenResponseShape).meta({ id: 'ApiToken', description: 'An API token (never its secret).' });

export const ApiTokenPageSchema = pageOf(ApiTokenResponseSchema).meta({
  id: 'ApiTokenPage',
  description: 'Tokens, oldest first.',
});

/** A token just created: the only time its secret is shown. */
export const ApiTokenCreatedSchema = z
  .object({
    ...ApiTokenResponseShape,
    token: z.string().meta({
      description: 'The secret: shown once, only its hash is stored.',
    }),
  })
  .meta({ id: 'ApiTokenCreated' });

export const ApiTokenCreateRequestSchema = ApiTokenCreateSchema.meta({
  id: 'ApiTokenCreateRequest',
  description: 'A token to create: it cannot be stronger than the caller.',
  example: {
    name: 'ci-bot',
    entitlements: ['events.write'],
    workspace_id: 'ws-acme',
  },
});

const WindowQuerySchema = z.object({ window_hours: WindowHoursSchema });

/** Tool governance (authorize, emergency stop, markers), the tool dashboards and token administration. */
export const GOVERNANCE_ROUTES = {
  authorizeToolCall: defineRoute({
    operationId: 'authorizeToolCall',
    method: 'POST',
    path: '/v1/tools/authorize',
    summary: 'Authorize a governed tool call',
    description:
      "An agent's router asks before a governed tool call; checked against the RBAC / rollout policy, and denied while the emergency stop is engaged. A denial is a 200 with `decision: deny`, recorded as a ledger marker. A caller scoped to a workspace asks for that workspace only; behind a trusted proxy an agent asks for itself only (403).",
    tags: ['governance'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: AuthorizeRequestSchema,
    bodyExample: {
      agent_id: 'agent-support',
      workspace_id: 'ws-acme',
      tool: 'github',
      action: 'create_issue',
    },
    response: { description: 'The decision.', schema: AuthorizeResponseSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  engageEmergencyStop: defineRoute({
    operationId: 'engageEmergencyStop',
    method: 'POST',
    path: '/v1/admin/emergency-stop',
    summary: 'Engage the emergency stop',
    description:
      'Every governed tool call is denied from now on, also after a restart (a sentinel file), and while PostgreSQL is down (the marker then follows). Idempotent. Lifted only out of band: remove the sentinel and restart.',
    tags: ['governance'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.admin,
    body: EmergencyStopRequestSchema,
    bodyExample: { reason: 'agent loop is opening issues in bulk' },
    response: {
      description: 'The stop is engaged.',
      schema: EmergencyStopResultSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  emergencyStopState: defineRoute({
    operationId: 'emergencyStopState',
    method: 'GET',
    path: '/v1/admin/emergency-stop',
    summary: 'Emergency stop state',
    tags: ['governance'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.admin,
    response: {
      description: 'Whether the stop is engaged.',
      schema: EmergencyStopStateSchema,
    },
    errors: [...AUTHENTICATED_ERRORS],
  }),
  listMarkers: defineRoute({
    operationId: 'listMarkers',
    method: 'GET',
    path: '/v1/markers',
    summary: 'List gateway markers',
    description:
      'What the gateway recorded about itself — fallback started/ended, emergency stop engaged/lifted, denied tool calls, quarantined spool lines — newest first, keyset-paginated. Fleet-wide: a workspace-scoped caller gets 403.',
    tags: ['governance'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.evidenceRead,
    query: MarkerListQuerySchema,
    response: { description: 'One page of markers.', schema: MarkerPageSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  finopsDashboard: defineRoute({
    operationId: 'finopsDashboard',
    method: 'GET',
    path: '/v1/finops/dashboard',
    summary: 'FinOps dashboard',
    description: 'Tool-call cost over the window. A workspace-scoped caller sees only its workspace.',
    tags: ['tools'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.toolsCostRead,
    query: WindowQuerySchema,
    response: {
      description: 'The FinOps digest.',
      schema: FinopsDashboardSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  privacyDashboard: defineRoute({
    operationId: 'privacyDashboard',
    method: 'GET',
    path: '/v1/privacy/dashboard',
    summary: 'Privacy dashboard',
    description: 'Data volume and the no-payload guarantee over the window. A workspace-scoped caller sees only its workspace.',
    tags: ['tools'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.toolsDataGovRead,
    query: WindowQuerySchema,
    response: {
      description: 'The privacy digest.',
      schema: PrivacyDashboardSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  listTokens: defineRoute({
    operationId: 'listTokens',
    method: 'GET',
    path: '/v1/admin/tokens',
    summary: 'List API tokens',
    description: "Oldest first, keyset-paginated; never a secret. A workspace-scoped admin sees its workspace's tokens only.",
    tags: ['admin'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.admin,
    query: PageQuerySchema,
    response: {
      description: 'One page of tokens.',
      schema: ApiTokenPageSchema,
    },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
  createToken: defineRoute({
    operationId: 'createToken',
    method: 'POST',
    path: '/v1/admin/tokens',
    summary: 'Create an API token',
    description:
      'The secret is returned once; only its hash is stored. A token cannot be stronger than its creator (403): its entitlements must be held by the caller and a workspace-scoped caller creates tokens of its workspace only. A ledgered config change.',
    tags: ['admin'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.admin,
    body: ApiTokenCreateRequestSchema,
    bodyExample: {
      name: 'ci-bot',
      entitlements: ['events.write'],
      workspace_id: 'ws-acme',
    },
    response: {
      status: 201,
      description: 'The token and its secret.',
      schema: ApiTokenCreatedSchema,
    },
    errors: [400, 409, ...AUTHENTICATED_ERRORS],
  }),
  revokeToken: defineRoute({
    operationId: 'revokeToken',
    method: 'DELETE',
    path: '/v1/admin/tokens/{id}',
    summary: 'Revoke an API token',
    description: "Takes effect within AUTH_CACHE_MS. A workspace-scoped admin revokes its workspace's tokens only (others: 404). A ledgered config change.",
    tags: ['admin'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.admin,
    params: z.object({ id: UuidSchema.meta({ description: 'The token id.' }) }),
    response: { status: 204, description: 'Revoked.' },
    errors: [400, 404, ...AUTHENTICATED_ERRORS],
  }),
} as const;
