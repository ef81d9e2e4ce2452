import { AuditSchema1795340000000 } from './1795340000000-audit-schema';
import { GatewayMarkers1795341500000 } from './1795341500000-gateway-markers';

export { SqlMigration } from './sql-migration';

/** Every migration, in order. Never edit a merged migration: add a new file. */
export const MIGRATIONS = [AuditSchema1795340000000, GatewayMarkers1795341500000] as const;
