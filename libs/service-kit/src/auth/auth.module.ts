import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ErrorBodyRedactor } from '../errors/error-body-redactor.service';
import { BearerAuthGuard } from './auth.guard';

/** Installs the bearer-token guard on every route of the service, and the 5xx body redactor (no connection details in error bodies). Needs DatabaseModule. */
@Module({
  providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }, ErrorBodyRedactor],
})
export class AuthModule {}
