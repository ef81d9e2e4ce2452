import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { boundedText, named, UtcTimestampSchema } from '../../schemas/common.schema';
import { K8S_AUDIT_LEVELS, K8S_AUDIT_STAGES } from '../../schemas/cluster-audit-event.schema';
import { ApiTimestampSchema } from '../api-types.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { IngestBatchResponseSchema, MAX_BATCH_EVENTS } from './events.contract';
import { SourceInfoShape } from './gateway-shapes.schema';

/**
 * The Kubernetes audit webhook backend (issue 14): kube-apiserver's
 * `--audit-webhook-config-file` points at `POST /v1/k8s-audit`, which takes the
 * `audit.k8s.io/v1` `EventList` it sends, and the cluster audit rows are read
 * back with `GET /v1/cluster-audit-events`.
 */

const ObjectOf = (description: string) => z.record(z.string(), z.unknown()).meta({ description });

/**
 * One `audit.k8s.io/v1` `Event` as kube-apiserver sends it (documented: the
 * server reads each item itself, field by field, so one malformed item never
 * fails the list). https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event
 */
export const K8sAuditEventWireSchema = z
  .object({
    kind: z.literal('Event').optional().meta({ description: 'Usually omitted inside an EventList.' }),
    apiVersion: z.literal('audit.k8s.io/v1').optional(),
    level: z.enum(K8S_AUDIT_LEVELS),
    auditID: z.string().meta({ description: 'Unique per request (a client may set it with the Audit-ID header).' }),
    stage: z.enum(K8S_AUDIT_STAGES),
    requestURI: z.string(),
    verb: z.string(),
    user: z
      .object({
        username: z.string().optional(),
        uid: z.string().optional(),
        groups: z.array(z.string()).optional(),
        extra: ObjectOf('Not stored.').optional(),
      })
      .optional(),
    impersonatedUser: z.object({ username: z.string().optional(), groups: z.array(z.string()).optional() }).optional(),
    sourceIPs: z.array(z.string()).optional(),
    userAgent: z.string().optional(),
    objectRef: z
      .object({
        resource: z.string().optional(),
        namespace: z.string().optional(),
        name: z.string().optional(),
        uid: z.string().optional(),
        apiGroup: z.string().optional(),
        apiVersion: z.string().optional(),
        resourceVersion: z.string().optional(),
        subresource: z.string().optional(),
      })
      .optional(),
    responseStatus: z.object({ code: z.number().int().optional() }).catchall(z.unknown()).optional().meta({ description: 'Only the code is stored.' }),
    requestObject: ObjectOf('Request level and above: never stored, reduced to SHA-256 of its canonical JSON (RFC 8785) and its size.').optional(),
    responseObject: ObjectOf('RequestResponse level: never stored, reduced to SHA-256 of its canonical JSON (RFC 8785) and its size.').optional(),
    requestReceivedTimestamp: z.string().optional(),
    stageTimestamp: z.string(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .meta({ description: 'One audit.k8s.io/v1 Event.' });

/** The body kube-apiserver's webhook backend sends. */
export const K8sAuditEventListWireSchema = z
  .object({
    kind: z.literal('EventList'),
    apiVersion: z.literal('audit.k8s.io/v1'),
    metadata: ObjectOf('List metadata (ignored).').optional(),
    items: z.array(K8sAuditEventWireSchema).max(MAX_BATCH_EVENTS).nullable(),
  })
  .meta({ description: 'An audit.k8s.io/v1 EventList (what kube-apiserver sends), ≤ 10,000 items.' });

const K8S_AUDIT_BODY_DESCRIPTION = 'An audit.k8s.io/v1 EventList (as kube-apiserver sends it) or a single audit Event (with kind and apiVersion).';

/**
 * The request body: any JSON object on the wire (the envelope and each item are read by the server); documented as
 * EventList | Event, inlined (the wire schemas above carry no id, which would leave a `$defs` reference the document cannot resolve).
 */
const K8sAuditBodySchema = z.record(z.string(), z.unknown(), named('must be an audit.k8s.io/v1 EventList or Event (a JSON object)')).meta({
  id: 'K8sAuditIngest',
  description: K8S_AUDIT_BODY_DESCRIPTION,
  override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(
      jsonSchema,
      z.toJSONSchema(
        z.union([K8sAuditEventListWireSchema, K8sAuditEventWireSchema.extend({ kind: z.literal('Event'), apiVersion: z.literal('audit.k8s.io/v1') })]),
        {
          io: 'input',
          unrepresentable: 'any',
        },
      ),
      { description: K8S_AUDIT_BODY_DESCRIPTION },
    );
    delete jsonSchema['$schema'];
  },
});

/** A realistic EventList of one Metadata-level event (the OpenAPI example). */
export const K8S_AUDIT_EVENT_LIST_EXAMPLE = {
  kind: 'EventList',
  apiVersion: 'audit.k8s.io/v1',
  metadata: {},
  items: [
    {
      level: 'Metadata',
      auditID: '6d1c0ad4-8c0e-4b59-9b3e-7b7c3e8b4f21',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/payments/secrets/db-password',
      verb: 'get',
      user: { username: 'system:serviceaccount:payments:api', groups: ['system:serviceaccounts', 'system:authenticated'] },
      sourceIPs: ['10.0.3.17'],
      userAgent: 'kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46',
      objectRef: { resource: 'secrets', namespace: 'payments', name: 'db-password', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: '2026-12-01T09:15:02.371204Z',
      stageTimestamp: '2026-12-01T09:15:02.380911Z',
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by RoleBinding "api/payments"' },
    },
  ],
} as const;

/** A cluster audit event as stored and listed (what `GET /v1/cluster-audit-events` returns). */
export const StoredClusterAuditEventSchema = z
  .object({
    event_id: z.uuid(),
    ts: ApiTimestampSchema.meta({ description: 'stageTimestamp (millisecond precision).' }),
    audit_id: z.string(),
    stage: z.string(),
    level: z.string(),
    cluster_id: z.string().nullable(),
    verb: z.string(),
    username: z.string().nullable(),
    user_groups: z.array(z.string()),
    impersonated_user: z.string().nullable(),
    source_ips: z.array(z.string()),
    user_agent: z.string().nullable(),
    api_group: z.string().nullable(),
    api_version: z.string().nullable(),
    resource: z.string().nullable(),
    subresource: z.string().nullable(),
    namespace: z.string().nullable(),
    name: z.string().nullable(),
    request_uri: z.string(),
    response_code: z.number().int().nullable(),
    request_received_ts: ApiTimestampSchema.nullable(),
    request_object_sha256: z.string().nullable().meta({ description: 'SHA-256 (hex) of the request body’s canonical JSON; the body is never stored.' }),
    request_object_size: z.number().int().min(0).meta({ description: 'Bytes of that canonical JSON; 0 without a body.' }),
    response_object_sha256: z.string().nullable(),
    response_object_size: z.number().int().min(0),
    annotations: z.record(z.string(), z.string()).meta({
      description: 'The event’s annotations (authorization decision, pod security…); auditstack.dev/altered-fields lists fields cut or cleaned to fit.',
    }),
    ledger_seq: z.number().int().min(0).nullable().meta({ description: 'Position of the row in the evidence ledger; null until ledgered.' }),
  })
  .meta({ id: 'StoredClusterAuditEvent', description: 'A Kubernetes audit event as stored (metadata only, bodies as hash + size), with its ledger position.' });

/** A filter value: 1–512 characters of text (a Kubernetes user name may hold `@` or `:`). */
const FilterText = (description: string) => boundedText(512, 1).optional().meta({ description });

export const ClusterAuditListQuerySchema = PageQuerySchema.extend({
  user: FilterText('Only events of this user (user.username, exact).'),
  verb: FilterText('Only this verb (get, list, create, update, patch, delete, …).'),
  resource: FilterText('Only this resource (objectRef.resource, e.g. secrets).'),
  namespace: FilterText('Only this namespace.'),
  cluster_id: FilterText('Only this cluster (K8S_AUDIT_CLUSTER_ID of the gateway that took the events).'),
  from: UtcTimestampSchema.optional().meta({ description: 'Only rows at or after this instant (ISO-8601 with a zone).' }),
  to: UtcTimestampSchema.optional().meta({ description: 'Only rows before this instant (ISO-8601 with a zone).' }),
});

export const ClusterAuditEventPageSchema = pageOf(StoredClusterAuditEventSchema)
  .extend(SourceInfoShape)
  .meta({ id: 'ClusterAuditEventPage', description: 'Cluster audit events, newest first.' });

/** The routes of the Kubernetes audit webhook backend (issue 14). */
export const K8S_AUDIT_ROUTES = {
  ingestK8sAudit: defineRoute({
    operationId: 'ingestK8sAudit',
    method: 'POST',
    path: '/v1/k8s-audit',
    summary: 'Kubernetes audit webhook backend',
    description:
      "What kube-apiserver's audit webhook backend sends (`--audit-webhook-config-file`): an `audit.k8s.io/v1` EventList of ≤ 10,000 events (body ≤ 5 MB), or one Event. Each event becomes a cluster audit row (metadata only: `requestObject`/`responseObject` are reduced to SHA-256 + size, never stored). 200 with one outcome per item once the accepted ones are durable (the spool takes them while PostgreSQL is down); a malformed item is rejected alone, never the list (kube-apiserver would resend the whole batch). 400 only when the envelope is not an audit EventList/Event; 503 + Retry-After when nothing can be stored. A retry of the same events is reported duplicate. Cluster events are fleet-wide: a workspace-scoped token gets 403.",
    tags: ['events'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: K8sAuditBodySchema,
    bodyExample: K8S_AUDIT_EVENT_LIST_EXAMPLE,
    response: {
      description: 'The outcome of each item, after the accepted ones are durable.',
      schema: IngestBatchResponseSchema,
    },
    errors: [400, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
  listClusterAuditEvents: defineRoute({
    operationId: 'listClusterAuditEvents',
    method: 'GET',
    path: '/v1/cluster-audit-events',
    summary: 'List cluster audit events',
    description:
      'Kubernetes audit events, newest first, filtered by user, verb, resource, namespace, cluster and time, keyset-paginated: pass `next_cursor` back as `cursor`. Fleet-wide: a workspace-scoped caller gets 403.',
    tags: ['events'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsRead,
    query: ClusterAuditListQuerySchema,
    response: { description: 'One page of cluster audit events.', schema: ClusterAuditEventPageSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
} as const;

/** A cluster audit event as clients read it. */
export type StoredClusterAuditEvent = z.output<typeof StoredClusterAuditEventSchema>;
