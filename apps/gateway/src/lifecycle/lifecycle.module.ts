import { Module } from '@nestjs/common';
import { LifecycleController } from './lifecycle.controller';
import { LifecycleQueryService } from './lifecycle-query.service';

/** Lifecycle queries and canned reports. Needs the global Storage and Governance modules. */
@Module({
  controllers: [LifecycleController],
  providers: [LifecycleQueryService],
  exports: [LifecycleQueryService],
})
export class LifecycleModule {}
