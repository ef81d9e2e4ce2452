import type { LifecycleAction, LifecycleEventInput } from '../schemas/lifecycle-event.schema';
import type { ToolEventInput } from '../schemas/tool-event.schema';

/**
 * One example event per lifecycle action and one tool event: the examples of
 * the event catalog (`docs/events.md`) and of the gateway's OpenAPI document
 * (the ingest routes' `bodyExample`), so both show the same bytes. Every
 * example parses with its schema (asserted by the catalog's spec); ids are
 * pseudonymous and timestamps fixed, so generated documents are stable.
 */

/** The example event of each lifecycle action, as a client sends it (JSON). */
export const LIFECYCLE_EXAMPLES = {
  provision: {
    event_id: '0192f3a4-1c2d-7e3f-8a4b-5c6d7e8f9a01',
    ts: '2026-01-15T09:30:00.000Z',
    action: 'provision',
    actor: 'system',
    product_id: 'prod-analytics',
    user_id: 'u_8f3a2c',
    engine_id: 'eng-7f2c',
    metadata: {
      image: 'registry.example/engine:1.4.2',
      region: 'eu-west-1',
      size: 'small',
      policy_id: 'default-admission',
      policy_version: 3,
    },
    duration_ms: 4200,
  },
  start: {
    event_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d11',
    ts: '2026-11-20T10:00:00Z',
    action: 'start',
    actor: 'system',
    product_id: 'prod-analytics',
    user_id: 'u_8f3a2c',
    engine_id: 'eng-7f2c',
    metadata: {
      reason: 'user_request',
      boot_ms: 1840,
      image: 'registry.example/engine:1.4.2',
    },
    duration_ms: 1840,
  },
  stop: {
    ts: '2026-01-15T11:02:00.000Z',
    action: 'stop',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: { reason: 'idle', idle_seconds: 1800 },
  },
  wake: {
    ts: '2026-01-15T13:45:10.000Z',
    action: 'wake',
    actor: 'prod-analytics',
    user_id: 'u_8f3a2c',
    engine_id: 'eng-7f2c',
    metadata: { trigger: 'request', slept_seconds: 9790 },
    duration_ms: 850,
  },
  destroy: {
    ts: '2026-01-20T08:00:00.000Z',
    action: 'destroy',
    actor: 'admin',
    product_id: 'prod-analytics',
    engine_id: 'eng-7f2c',
    metadata: { reason: 'user', data_retained: false },
  },
  rotate_key: {
    ts: '2026-01-16T00:00:00.000Z',
    action: 'rotate_key',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: {
      key_id: 'key-2026-01-16',
      previous_key_id: 'key-2025-12-16',
      reason: 'scheduled',
    },
  },
  health_check: {
    ts: '2026-01-15T09:31:00.000Z',
    action: 'health_check',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: { check: 'http', latency_ms: 12 },
    duration_ms: 12,
  },
  health_failed: {
    ts: '2026-01-15T10:15:00.000Z',
    action: 'health_failed',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: {
      check: 'http',
      reason: 'GET /healthz timed out after 5 s',
      consecutive_failures: 3,
    },
  },
  auto_restart_start: {
    ts: '2026-01-15T10:15:01.000Z',
    action: 'auto_restart_start',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: { attempt: 1, max_attempts: 3, trigger: 'health_failed' },
  },
  auto_restart_success: {
    ts: '2026-01-15T10:15:09.000Z',
    action: 'auto_restart_success',
    actor: 'system',
    engine_id: 'eng-7f2c',
    metadata: { attempt: 1, downtime_ms: 8000 },
    duration_ms: 8000,
  },
  auto_restart_failed: {
    ts: '2026-01-17T04:20:30.000Z',
    action: 'auto_restart_failed',
    actor: 'system',
    engine_id: 'eng-2b81d4',
    metadata: {
      attempt: 2,
      error_code: 'image_pull_failed',
      error: 'registry answered 503 for registry.example/engine:1.4.2',
    },
  },
  auto_restart_gave_up: {
    ts: '2026-01-17T04:25:00.000Z',
    action: 'auto_restart_gave_up',
    actor: 'system',
    engine_id: 'eng-2b81d4',
    metadata: { attempts: 3, last_error_code: 'image_pull_failed' },
  },
  policy_register: {
    ts: '2026-01-10T12:00:00.000Z',
    action: 'policy_register',
    actor: 'admin',
    metadata: {
      policy_id: 'default-admission',
      version: 1,
      name: 'Default admission policy',
      policy_hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    },
  },
  policy_update: {
    ts: '2026-01-12T12:00:00.000Z',
    action: 'policy_update',
    actor: 'admin',
    product_id: 'prod-analytics',
    metadata: {
      policy_id: 'default-admission',
      version: 3,
      previous_version: 2,
      policy_hash: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
    },
  },
  admit_denied: {
    ts: '2026-01-15T14:00:00.000Z',
    action: 'admit_denied',
    actor: 'prod-analytics',
    product_id: 'prod-analytics',
    user_id: 'u_41c9e0',
    engine_id: 'eng-7f2c',
    metadata: {
      reason: 'user is not a member of the engine workspace',
      policy_id: 'default-admission',
      rule: 'workspace-membership',
      policy_version: 3,
    },
  },
  provision_denied: {
    ts: '2026-01-15T14:05:00.000Z',
    action: 'provision_denied',
    actor: 'prod-analytics',
    product_id: 'prod-analytics',
    user_id: 'u_41c9e0',
    metadata: {
      reason: 'GPU quota exhausted for this product',
      policy_id: 'default-admission',
      rule: 'gpu-quota',
      size: 'gpu-a10',
      region: 'eu-west-1',
    },
  },
} as const satisfies {
  readonly [A in LifecycleAction]: LifecycleEventInput & { readonly action: A };
};

/** The example tool event (an agent's tool call: sizes and a hash, never a payload). */
export const TOOL_EVENT_EXAMPLE = {
  event_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d12',
  ts: '2026-11-20T10:00:01Z',
  req_id: 'req-5b1e90',
  workspace_id: 'ws-acme',
  user_id: 'u_8f3a2c',
  agent_id: 'agent-support',
  tool: 'github',
  action: 'search_issues',
  status: 'ok',
  duration_ms: 245,
  in_size: 512,
  out_size: 18432,
  input_hash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  graph_run_id: 'run-2026-11-20-001',
  graph_node: 'triage',
  job_id: null,
} as const satisfies ToolEventInput;

/** The example body of `POST /v1/lifecycle-events` (one event; a batch is an array of them). */
export const LIFECYCLE_EVENT_EXAMPLE = LIFECYCLE_EXAMPLES.start;

/** One accepted variant of an event shape: what it shows and the body an emitter sends. */
export interface EventVariantExample<T> {
  /** A short title (catalog heading). */
  readonly title: string;
  /** What the gateway does with it, in one or two sentences. */
  readonly note: string;
  readonly event: T;
}

/**
 * The lifecycle-event variants the gateway accepts besides the canonical
 * shape: seed 002's `audit_log` rows as its orchestrator writes them
 * (`timestamp` for `ts`, no `actor`, null subject ids, PostgreSQL text
 * times) and metadata keys the schema does not know yet (kept and flagged).
 * Shown in the event catalog; each parses (asserted by the catalog's spec).
 */
export const LIFECYCLE_VARIANT_EXAMPLES = [
  {
    title: '`timestamp` instead of `ts`, PostgreSQL text time, no `actor`',
    note: "`timestamp` is an alias of `ts` (both may be sent only for the same instant); PostgreSQL `timestamptz` text is read as the instant it names; an absent `actor` is `'system'`.",
    event: {
      timestamp: '2026-01-15 10:15:00+00',
      action: 'health_failed',
      engine_id: 'eng-7f2c',
      metadata: { check: 'http', reason: 'GET /healthz timed out after 5 s', consecutive_failures: 3 },
    },
  },
  {
    title: 'A system-level action with null subject ids',
    note: '`product_id`, `user_id` and `engine_id` may be null (or absent) on policy actions and denials; engine transitions need `engine_id` only.',
    event: {
      timestamp: '2026-01-10 12:00:00.123456+00:00',
      action: 'policy_register',
      actor: 'admin',
      product_id: null,
      user_id: null,
      engine_id: null,
      metadata: { policy_id: 'default-admission', version: 1 },
      duration_ms: null,
    },
  },
  {
    title: 'Metadata keys the schema does not know yet',
    note: 'Kept (stored, and hashed in the ledger with the rest of the metadata), bounded, and flagged: the answer lists `metadata.tier: unknown key, kept` and `metadata.port: unknown key, kept` under `warnings`. With `EVENT_SCHEMA_MODE=strict` they are refused.',
    event: {
      ts: '2026-01-15T09:30:00Z',
      action: 'provision',
      product_id: 'prod-analytics',
      user_id: null,
      engine_id: 'eng-9a41',
      metadata: { image: 'registry.example/engine:1.5.0', region: 'eu-west-1', tier: 'gold', port: 8443 },
      duration_ms: 5230,
    },
  },
] as const satisfies readonly EventVariantExample<LifecycleEventInput>[];

/**
 * The tool-event variants the gateway accepts besides the canonical shape:
 * seed 001's `tool_audit_events` rows as its backend writes them (column
 * defaults for sizes and hash, its own status codes, PostgreSQL text times).
 */
export const TOOL_EVENT_VARIANT_EXAMPLES = [
  {
    title: 'Seed 001 defaults: no sizes or duration, `input_hash: ""`, PostgreSQL text time',
    note: 'Absent `duration_ms`, `in_size` and `out_size` are 0; `input_hash` `""` means "no hash" and is stored as null (the privacy digest counts these calls under `without_hash`).',
    event: {
      ts: '2026-11-20 10:00:01+00',
      req_id: 'req-5b1e91',
      workspace_id: 'ws-acme',
      user_id: 'u_8f3a2c',
      agent_id: 'agent-support',
      tool: 'web_search',
      action: 'search',
      status: 'ok',
      input_hash: '',
    },
  },
  {
    title: 'A status code other than the four recognised ones',
    note: '`ok`, `error`, `denied` and `timeout` are recognised; any other code of 1–32 characters of `a–z 0–9 _ . -` is stored as sent, flagged in the answer (`warnings`) and reported by name in the digests.',
    event: {
      ts: '2026-11-20T10:00:02.250000+00:00',
      req_id: 'req-5b1e92',
      workspace_id: 'ws-acme',
      user_id: null,
      agent_id: 'agent-support',
      tool: 'jira',
      action: 'create_issue',
      status: 'succeeded',
      duration_ms: 310,
      in_size: 900,
      out_size: 120,
      input_hash: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
    },
  },
] as const satisfies readonly EventVariantExample<ToolEventInput>[];
