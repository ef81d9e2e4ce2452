// Public boundary of @auditstack/audit-core for every consumer, the dashboard
// included: schemas, constants and types only — nothing that imports typeorm or pg.
export * from './constants/action-types';
export * from './constants/entitlements';
export * from './constants/ledger-kinds';
export * from './constants/queues';
export * from './schemas/check-result.schema';
