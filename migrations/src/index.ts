import { AuditSchema1795340000000 } from './1795340000000-audit-schema';

export { SqlMigration } from './sql-migration';

/** Every migration, in order. Never edit a merged migration: add a new file. */
export const MIGRATIONS = [AuditSchema1795340000000] as const;
