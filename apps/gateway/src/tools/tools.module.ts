import { Module } from '@nestjs/common';
import { ToolEventsController } from './tool-events.controller';
import { ToolQueryService } from './tool-query.service';

/** Tool-event queries. Needs the global Storage and Governance modules. */
@Module({
  controllers: [ToolEventsController],
  providers: [ToolQueryService],
})
export class ToolsModule {}
