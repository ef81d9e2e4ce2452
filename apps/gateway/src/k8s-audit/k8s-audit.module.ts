import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { ClusterAuditQueryService } from './cluster-audit-query.service';
import { K8sAuditController } from './k8s-audit.controller';
import { K8sAuditService } from './k8s-audit.service';

/**
 * The Kubernetes audit webhook backend (`POST /v1/k8s-audit`) and the cluster
 * audit reads (`GET /v1/cluster-audit-events`). Stores through the
 * IngestModule's service; needs the global Storage and Governance modules.
 */
@Module({
  imports: [IngestModule],
  controllers: [K8sAuditController],
  providers: [K8sAuditService, ClusterAuditQueryService],
})
export class K8sAuditModule {}
