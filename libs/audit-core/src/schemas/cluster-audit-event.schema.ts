import { z } from 'zod';
import { boundedText, EventTimestampSchema, Hex64Schema, named, NonNegativeIntSchema, quoteKeys, UuidSchema, withPath } from './common.schema';

/** Stages of a Kubernetes audit event (`audit.k8s.io/v1` `Stage`). */
export const K8S_AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;

/** Levels of a Kubernetes audit event (`audit.k8s.io/v1` `Level`). */
export const K8S_AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;

const OptionalText = (max: number) => boundedText(max).nullable().default(null);

const Sha256OrNull = Hex64Schema.nullable().default(null);

const BoundedList = (max: number, item: number, what: string) =>
  z
    .array(boundedText(item), named(`must be a list of strings`))
    .max(max, named(`at most ${max} ${what}`))
    .default([]);

/**
 * One Kubernetes API server audit event (a cluster audit row,
 * `audit.cluster_audit_events`), as stored and hashed into its `cluster`
 * ledger leaf. Metadata only: request and response bodies are never stored,
 * only their SHA-256 (canonical JSON) and size.
 */
export const ClusterAuditEventSchema = z.strictObject(
  {
    event_id: UuidSchema.optional(),
    ts: EventTimestampSchema,
    audit_id: boundedText(128, 1),
    stage: z.enum(K8S_AUDIT_STAGES, named(`must be one of ${K8S_AUDIT_STAGES.join(', ')}`)),
    level: z.enum(K8S_AUDIT_LEVELS, named(`must be one of ${K8S_AUDIT_LEVELS.join(', ')}`)),
    cluster_id: OptionalText(128),
    verb: boundedText(64, 1),
    username: OptionalText(512),
    user_groups: BoundedList(64, 256, 'groups'),
    impersonated_user: OptionalText(512),
    source_ips: BoundedList(16, 64, 'source IPs'),
    user_agent: OptionalText(512),
    api_group: OptionalText(256),
    api_version: OptionalText(64),
    resource: OptionalText(256),
    subresource: OptionalText(256),
    namespace: OptionalText(256),
    name: OptionalText(512),
    request_uri: boundedText(4096, 1),
    response_code: z.number(named('must be an HTTP status code')).int().min(0).max(999).nullable().default(null),
    request_received_ts: EventTimestampSchema.nullable().default(null),
    request_object_sha256: Sha256OrNull,
    request_object_size: NonNegativeIntSchema.default(0),
    response_object_sha256: Sha256OrNull,
    response_object_size: NonNegativeIntSchema.default(0),
    annotations: z
      .record(boundedText(316, 1), boundedText(1024), named('must be an object of string annotations'))
      .refine((value) => Object.keys(value).length <= 64, named('at most 64 annotations'))
      .default({}),
  },
  {
    error: (issue) =>
      withPath(issue.path, issue.code === 'unrecognized_keys' ? `unknown field(s) ${quoteKeys(issue.keys)}` : 'a cluster audit event must be an object'),
  },
);

/** A parsed cluster audit row. */
export type ClusterAuditEvent = z.output<typeof ClusterAuditEventSchema>;

/** A cluster audit row as the webhook mapper builds it. */
export type ClusterAuditEventInput = z.input<typeof ClusterAuditEventSchema>;
