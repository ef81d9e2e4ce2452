import { DEMO_ID_PREFIX, DEMO_USER_PREFIX } from '@auditstack/audit-core';

/** The identifiers that mark a row as demo data when they start with {@link DEMO_ID_PREFIX} (docs/demo.md). */
export const DEMO_ID_FIELDS = ['engine_id', 'product_id', 'workspace_id', 'agent_id', 'cluster_id'] as const;

/** The columns {@link isDemoRow} reads; any row shape with some of them fits. */
export type DemoCandidate = Readonly<Partial<Record<(typeof DEMO_ID_FIELDS)[number] | 'user_id', unknown>>>;

function startsWith(value: unknown, prefix: string): boolean {
  return typeof value === 'string' && value.startsWith(prefix);
}

/**
 * True when the row belongs to the simulated fleet of `auditstack demo` (docs/demo.md): its
 * `engine_id`, `product_id`, `workspace_id`, `agent_id` or `cluster_id` starts with `demo-`, or its
 * `user_id` starts with `u_demo_`. Nothing else counts (an actor, a tool or a request id with the prefix does not).
 */
export function isDemoRow(row: DemoCandidate): boolean {
  return DEMO_ID_FIELDS.some((field) => startsWith(row[field], DEMO_ID_PREFIX)) || startsWith(row.user_id, DEMO_USER_PREFIX);
}

/** A timeline row is demo when its subject or its stored columns are ({@link isDemoRow} on each). */
export function isDemoTimelineRow(row: { readonly subject: DemoCandidate; readonly details: DemoCandidate }): boolean {
  return isDemoRow(row.subject) || isDemoRow(row.details);
}
