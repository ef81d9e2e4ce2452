import { DataSource, type DataSourceOptions as TypeOrmDataSourceOptions } from 'typeorm';
import { AUDIT_ENTITIES } from '../entities/entities';

/** Name of the table TypeORM records applied migrations in (schema `public`). */
export const MIGRATIONS_TABLE = 'auditstack_migrations';

export interface DataSourceOptions {
  /** `postgres://…` connection string. */
  url: string;
  /** Shown in `pg_stat_activity`, so an operator can tell the services apart. */
  applicationName: string;
  /** Migration classes; only the CLI and tests pass them. */
  migrations?: TypeOrmDataSourceOptions['migrations'];
  /** @defaultValue 10 */
  poolMax?: number;
  /** Log every SQL statement (debugging only). @defaultValue false */
  logging?: boolean;
}

/**
 * Builds (does not connect) the DataSource every process uses. The schema is
 * owned by migrations: `synchronize` is off, always.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    entities: [...AUDIT_ENTITIES],
    migrations: options.migrations ?? [],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: options.logging ?? false,
    extra: { max: options.poolMax ?? 10 },
  });
}
