import { Module } from '@nestjs/common';
import { IngestBodyLimit } from './ingest-body-limit.provider';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

/** `POST /v1/lifecycle-events`, `POST /v1/tool-events`. Needs the global StorageModule. */
@Module({
  controllers: [IngestController],
  providers: [IngestService, IngestBodyLimit],
})
export class IngestModule {}
