import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { StorageUnavailableError } from './storage.types';

/** Maps the storage layer's "cannot take writes now" to 503 with `Retry-After`, wherever it surfaces (ingest, markers, emergency stop). */
@Catch(StorageUnavailableError)
export class StorageExceptionFilter implements ExceptionFilter<StorageUnavailableError> {
  catch(error: StorageUnavailableError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .header('retry-after', String(error.retryAfterSeconds))
      .send({ statusCode: 503, error: 'Service Unavailable', message: error.message });
  }
}
