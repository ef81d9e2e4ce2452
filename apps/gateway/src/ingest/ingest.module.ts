import { Module } from '@nestjs/common';
import { IngestBodyLimit } from './ingest-body-limit.provider';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

/**
 * `POST /v1/lifecycle-events`, `POST /v1/tool-events`. Needs the global
 * StorageModule. Exports IngestService: the format adapters (OTLP,
 * CloudEvents, Kubernetes audit) store through it.
 */
@Module({
  controllers: [IngestController],
  providers: [IngestService, IngestBodyLimit],
  exports: [IngestService],
})
export class IngestModule {}
