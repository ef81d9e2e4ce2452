// Public boundary of @auditstack/audit-core for every consumer, the dashboard
// included: schemas, constants and types only — nothing that imports typeorm or pg.
export * from './constants/action-types';
export * from './constants/entitlements';
export * from './constants/ledger-kinds';
export * from './constants/queues';
export * from './schemas/action.schema';
export * from './schemas/api-token.schema';
export * from './schemas/check-result.schema';
export * from './schemas/common.schema';
export * from './schemas/config-change.schema';
export * from './schemas/evidence.schema';
export * from './schemas/lifecycle-event.schema';
export * from './schemas/project.schema';
export * from './schemas/run.schema';
export * from './schemas/tool-event.schema';
export * from './schemas/workbook.schema';
export * from './ledger/ledger-payload.util';
export * from './contract/api-types.schema';
export * from './contract/common.contract';
export * from './contract/engine.contract';
export * from './contract/domain.error';
export * from './contract/event-examples';
export * from './contract/page.schema';
export * from './contract/problem.schema';
export * from './contract/route.contract';
export * from './contract/gateway.contract';
