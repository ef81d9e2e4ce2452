import { Catch, HttpStatus, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS } from './storage-unavailable.util';

/** The problem type of a 503 caused by unavailable storage. */
export const STORAGE_UNAVAILABLE_TYPE = 'https://auditstack.dev/problems/storage-unavailable';

/**
 * Global filter: an unavailable database, queue or disk anywhere in a request
 * answers `503` with `Retry-After` and a problem body that names no host,
 * port, path or driver message (those go to the log); every other error goes
 * to Nest's default handling unchanged.
 */
@Catch()
export class StorageUnavailableFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Storage');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http' || !isStorageUnavailable(exception)) return super.catch(exception, host);
    this.logger.warn(`storage unavailable: ${(exception as Error).message}`);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const detail = publicDetail(exception);
    const retryAfter = (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    void reply
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .header('retry-after', String(typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : STORAGE_RETRY_AFTER_SECONDS))
      .header('content-type', 'application/problem+json')
      .send({
        type: STORAGE_UNAVAILABLE_TYPE,
        title: 'Service Unavailable',
        status: 503,
        statusCode: 503,
        error: 'Service Unavailable',
        detail,
        message: detail,
      });
  }
}

const GENERIC = 'storage is unavailable right now; retry later';

/**
 * What the client is told: the sentence our own layers wrote (a `StorageUnavailableError`),
 * cut before any `:` that would introduce a driver message, and only when it names no
 * path, URL or address; otherwise a generic sentence. Details go to the log.
 */
function publicDetail(exception: unknown): string {
  const e = exception as { name?: unknown; message?: unknown };
  if (e.name !== 'StorageUnavailableError' || typeof e.message !== 'string') return GENERIC;
  const sentence = e.message.split(':')[0]!.trim();
  if (!sentence || /[/@\\]|\d+\.\d+\.\d+|\w\.\w+\.\w/.test(sentence)) return GENERIC;
  return /retry/i.test(sentence) ? sentence : `${sentence}; retry later`;
}
