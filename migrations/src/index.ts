import { AuditSchema1795340000000 } from './1795340000000-audit-schema';
import { GatewayMarkers1795341500000 } from './1795341500000-gateway-markers';
import { ConfigChanges1795341600000 } from './1795341600000-config-changes';
import { LedgerMsTimeAndSubtrees1795341700000 } from './1795341700000-ledger-ms-time-and-subtrees';
import { TokenConfigChanges1795342000000 } from './1795342000000-token-config-changes';
import { CheckDatasources1795342100000 } from './1795342100000-check-datasources';
import { LedgerAppendTime1795342200000 } from './1795342200000-ledger-append-time';
import { ObservabilityAndClusterEvents1795342300000 } from './1795342300000-observability-and-cluster-events';
import { TimelineIndexes1795342450000 } from './1795342450000-timeline-indexes';
import { ActionTypeDefault1795342500000 } from './1795342500000-action-type-default';

export { SqlMigration } from './sql-migration';

/** Every migration, in order. Never edit a merged migration: add a new file. */
export const MIGRATIONS = [
  AuditSchema1795340000000,
  GatewayMarkers1795341500000,
  ConfigChanges1795341600000,
  LedgerMsTimeAndSubtrees1795341700000,
  TokenConfigChanges1795342000000,
  CheckDatasources1795342100000,
  LedgerAppendTime1795342200000,
  ObservabilityAndClusterEvents1795342300000,
  TimelineIndexes1795342450000,
  ActionTypeDefault1795342500000,
] as const;
