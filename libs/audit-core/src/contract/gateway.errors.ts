import type { DomainErrorTable } from './domain.error';

/**
 * The gateway's domain error codes, defined once: services and controllers
 * throw `DomainError(code, detail)`, the ProblemFilter answers with the status
 * and title below as an RFC 9457 problem. The common codes (validation, auth,
 * rate limit, storage outages…) come from audit-core's `COMMON_ERRORS`.
 */
export const GATEWAY_ERRORS = {
  /** The one event of a single-event ingest request failed validation (a batch reports it per event instead). */
  EVENT_REJECTED: { status: 400, title: 'Event rejected' },
  /** An OTLP/HTTP export request could not be read (not OTLP JSON or protobuf, corrupt gzip). */
  OTLP_MALFORMED: { status: 400, title: 'OTLP request unreadable' },
  /** A CloudEvent (the one of a single-event request) is not valid CloudEvents 1.0 or has no mapping. */
  CLOUDEVENT_REJECTED: { status: 400, title: 'CloudEvent rejected' },
  /** A Kubernetes audit webhook request is not an `audit.k8s.io/v1` EventList or Event. */
  K8S_AUDIT_REJECTED: { status: 400, title: 'Kubernetes audit request rejected' },
  /** No stored event has that id (or the caller's scope does not reach it). */
  EVENT_NOT_FOUND: { status: 404, title: 'Event not found' },
  /** A batch holds more than 10,000 events. */
  BATCH_TOO_LARGE: { status: 413, title: 'Batch too large' },
  /** The caller is confined to a workspace and asked for fleet-wide data or another workspace. */
  WORKSPACE_FORBIDDEN: { status: 403, title: "Outside the caller's workspace" },
  /** Behind a trusted proxy, an agent asked about another agent's calls. */
  AGENT_FORBIDDEN: { status: 403, title: "Another agent's call" },
  /** A token may not create a token stronger than itself. */
  TOKEN_EXCEEDS_CREATOR: {
    status: 403,
    title: 'Token stronger than its creator',
  },
  /** No active token with that id (or not in the caller's workspace). */
  TOKEN_NOT_FOUND: { status: 404, title: 'Token not found' },
  /** An active token already has that name. */
  TOKEN_NAME_TAKEN: { status: 409, title: 'Token name taken' },
  /** No checkpoint has been made yet. */
  CHECKPOINT_NOT_FOUND: { status: 404, title: 'Checkpoint not found' },
  /** No ledger entry (or checkpoint of that tree size) the caller may see. */
  EVIDENCE_NOT_FOUND: { status: 404, title: 'Evidence not found' },
  /** The leaf is not covered by a checkpoint yet. */
  EVIDENCE_NOT_COVERED: {
    status: 409,
    title: 'Not covered by a checkpoint yet',
  },
  /** A proof request that cannot be answered as asked (e.g. a tree size that does not include the leaf). */
  EVIDENCE_INVALID_ARGUMENT: { status: 400, title: 'Invalid evidence request' },
  /** The stored ledger no longer proves what was signed: the server cannot give a valid answer (logged). */
  EVIDENCE_INCONSISTENT: { status: 500, title: 'Evidence inconsistent' },
} as const satisfies DomainErrorTable;

/** A gateway domain error code. */
export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/** The gateway's OpenAPI `info` (shared by its ContractModule and the committed document). */
export const GATEWAY_API_INFO = {
  title: 'auditstack gateway',
  description:
    'Lifecycle and tool-governance events (ingest, queries, reports), tool governance (authorize, emergency stop, markers), the FinOps and privacy dashboards, API token administration and the evidence ledger (checkpoints, inclusion and consistency proofs). Errors are RFC 9457 problems.',
  version: '1.0.0',
} as const;
