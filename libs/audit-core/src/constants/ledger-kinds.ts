/** Ledger entry kinds (`audit.ledger.kind`). Persisted: never rename. */
export const LEDGER_KINDS = {
  run: 'run',
  lifecycle: 'lifecycle',
  tool: 'tool',
  config: 'config',
  retention: 'retention',
  marker: 'marker',
  observability: 'observability',
  cluster: 'cluster',
} as const;

export type LedgerKind = (typeof LEDGER_KINDS)[keyof typeof LEDGER_KINDS];
