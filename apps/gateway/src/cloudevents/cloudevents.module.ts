import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { CloudEventsContentTypes } from './cloudevents-content-type.provider';
import { CloudEventsController } from './cloudevents.controller';
import { CloudEventsService } from './cloudevents.service';

/**
 * CloudEvents 1.0 over HTTP (`POST /v1/cloudevents`): binary, structured and
 * batched. Maps each event to a lifecycle or tool event and stores it through
 * the IngestService (needs the global StorageModule).
 */
@Module({
  imports: [IngestModule],
  controllers: [CloudEventsController],
  providers: [CloudEventsService, CloudEventsContentTypes],
})
export class CloudEventsModule {}
