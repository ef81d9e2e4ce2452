import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';

/** The Kubernetes audit webhook backend (`POST /v1/k8s-audit`) and the cluster audit reads. */
@Module({
  imports: [IngestModule],
})
export class K8sAuditModule {}
