import { Module } from '@nestjs/common';
import { EventDetailController } from './event-detail.controller';
import { TimelineController } from './timeline.controller';
import { TimelineRepository } from './timeline.repository';
import { TimelineService } from './timeline.service';

/** One timeline over every event domain (`GET /v1/timeline`) and the event detail reads. Needs the global Storage and Governance modules. */
@Module({
  controllers: [TimelineController, EventDetailController],
  providers: [TimelineRepository, TimelineService],
})
export class TimelineModule {}
