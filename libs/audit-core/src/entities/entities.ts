import { ActionEntity } from './action.entity';
import { ApiTokenEntity } from './api-token.entity';
import { CheckResultEntity } from './check-result.entity';
import { CheckpointEntity } from './checkpoint.entity';
import { ClusterAuditEventEntity } from './cluster-audit-event.entity';
import { ConfigChangeEntity } from './config-change.entity';
import { GatewayMarkerEntity } from './gateway-marker.entity';
import { LedgerHeadEntity } from './ledger-head.entity';
import { LedgerSubtreeEntity } from './ledger-subtree.entity';
import { LedgerEntity } from './ledger.entity';
import { LifecycleEventEntity } from './lifecycle-event.entity';
import { ObservabilityEventEntity } from './observability-event.entity';
import { ProjectEntity } from './project.entity';
import { RunEntity } from './run.entity';
import { ServiceEntity } from './service.entity';
import { ToolEventEntity } from './tool-event.entity';
import { WorkbookEntity } from './workbook.entity';

/** Every table of the `audit` schema, for the DataSource and the drift check. */
export const AUDIT_ENTITIES = [
  ProjectEntity,
  ActionEntity,
  RunEntity,
  CheckResultEntity,
  WorkbookEntity,
  ServiceEntity,
  LifecycleEventEntity,
  ToolEventEntity,
  ObservabilityEventEntity,
  ClusterAuditEventEntity,
  LedgerEntity,
  LedgerHeadEntity,
  LedgerSubtreeEntity,
  CheckpointEntity,
  ApiTokenEntity,
  GatewayMarkerEntity,
  ConfigChangeEntity,
] as const;
