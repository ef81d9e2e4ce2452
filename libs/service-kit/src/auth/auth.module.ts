import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BearerAuthGuard } from './auth.guard';

/** Installs the bearer-token guard on every route of the service. Needs DatabaseModule. */
@Module({
  providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }],
})
export class AuthModule {}
