export * from './auth/auth.decorators';
export * from './auth/auth.guard';
export * from './auth/auth.module';
export type { AuthenticatedRequest } from './auth/authenticated-request';
export * from './bootstrap/bootstrap.util';
export * from './database/database.module';
export * from './health/ping.controller';
export * from './logging/pino-logger.service';
export * from './metrics/metrics.module';
