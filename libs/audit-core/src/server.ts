// Public boundary for server-side consumers (services, CLI, tests):
// TypeORM entities, the DataSource factory, config loading.
export * from './entities/action.entity';
export * from './entities/api-token.entity';
export * from './entities/check-result.entity';
export * from './entities/checkpoint.entity';
export * from './entities/config-change.entity';
export * from './entities/entities';
export * from './entities/gateway-marker.entity';
export * from './entities/ledger-head.entity';
export * from './entities/ledger.entity';
export * from './entities/lifecycle-event.entity';
export * from './entities/project.entity';
export * from './entities/run.entity';
export * from './entities/service.entity';
export * from './entities/tool-event.entity';
export * from './entities/workbook.entity';
export * from './db/data-source.util';
export * from './tokens/api-token.util';
export * from './tokens/token-ledger-view.util';
export * from './repositories/api-token.repository';
export * from './config/config.error';
export * from './config/config.util';
export * from './digests/cost-model.util';
export * from './digests/tool-digest.util';
export * from './governance/rbac-policy.util';
