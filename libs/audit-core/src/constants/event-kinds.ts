import type { LifecycleAction } from '../schemas/lifecycle-event.schema';

/**
 * The event classes the gateway stores (spool lines, ledger kinds, metric
 * labels, event ids are derived per kind): a fleet orchestrator's lifecycle
 * transitions, AI-agent tool calls, engines' observability records (OTLP logs)
 * and cluster audit events (the Kubernetes audit webhook). Persisted: never rename.
 */
export const EVENT_KINDS = {
  lifecycle: 'lifecycle',
  tool: 'tool',
  observability: 'observability',
  cluster: 'cluster',
} as const;

/** A stored event class. */
export type EventKind = (typeof EVENT_KINDS)[keyof typeof EVENT_KINDS];

/**
 * Lifecycle action names the gateway's reports query by (the full list is
 * `LIFECYCLE_ACTIONS`). Persisted in `audit.lifecycle_events.action`: never rename.
 */
export const LIFECYCLE_ACTION = {
  provision: 'provision',
  provisionDenied: 'provision_denied',
  start: 'start',
  wake: 'wake',
  stop: 'stop',
  destroy: 'destroy',
  autoRestartStart: 'auto_restart_start',
  autoRestartSuccess: 'auto_restart_success',
  autoRestartFailed: 'auto_restart_failed',
  autoRestartGaveUp: 'auto_restart_gave_up',
} as const satisfies Record<string, LifecycleAction>;
