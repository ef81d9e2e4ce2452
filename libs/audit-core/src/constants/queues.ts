/** Queue names: one per isolation need, not one per job name. Persisted in Redis: never rename. */
export const QUEUES = {
  checks: 'auditstack-checks',
  operations: 'auditstack-operations',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
