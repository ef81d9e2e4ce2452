import { Module } from '@nestjs/common';

/** One timeline over every event domain (`GET /v1/timeline`) and the event detail reads. */
@Module({})
export class TimelineModule {}
