import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';

/** CloudEvents 1.0 over HTTP (`POST /v1/cloudevents`): binary, structured and batched. */
@Module({
  imports: [IngestModule],
})
export class CloudEventsModule {}
