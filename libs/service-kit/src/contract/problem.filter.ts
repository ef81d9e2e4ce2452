import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  COMMON_ERRORS,
  DomainError,
  fieldErrorFromMessage,
  PROBLEM_CONTENT_TYPE,
  problemType,
  type DomainErrorTable,
  type Problem,
  type ProblemFieldError,
} from '@auditstack/audit-core';
import { isStorageUnavailable, STORAGE_RETRY_AFTER_SECONDS } from '../health/storage-unavailable.util';
import { redactConnectionDetails } from '../errors/connection-redaction.util';

/** Retry-After of an `OVERLOADED` or `RATE_LIMITED` answer without a more precise figure. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The status → common code used for errors that carry no domain code (Nest's and Fastify's own). */
const CODE_BY_STATUS: Readonly<Record<number, keyof typeof COMMON_ERRORS>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'OVERLOADED',
};

/** A problem ready to send, before the request-specific `instance`. */
export interface ProblemAnswer {
  readonly status: number;
  readonly body: Omit<Problem, 'instance'> & Record<string, unknown>;
  readonly retryAfterSeconds?: number;
}

/**
 * The one exception filter of a service: every error of every route leaves
 * as an RFC 9457 `application/problem+json` body. Domain errors are looked up
 * in the app's error table (status and title defined once); Nest's and
 * Fastify's own errors (unknown route, body too large, bad JSON) map by
 * status; storage outages answer 503 with `Retry-After` and no connection
 * detail; anything else is a logged 500 that says nothing about internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');
  private readonly table: DomainErrorTable;

  constructor(table: DomainErrorTable = {}) {
    this.table = { ...COMMON_ERRORS, ...table };
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const answer = this.toProblem(exception);
    if (answer.status >= 500 && answer.body.code !== 'STORAGE_UNAVAILABLE' && answer.body.code !== 'OVERLOADED') {
      this.logger.error(
        `${request.method} ${request.url.split('?')[0]} → ${answer.status}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    const instance = (request.url ?? '').split('?')[0];
    if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
    if (answer.status === 401) void reply.header('www-authenticate', 'Bearer');
    void reply
      .status(answer.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify({ ...answer.body, instance }));
  }

  /** The problem answer for any thrown value. */
  toProblem(exception: unknown): ProblemAnswer {
    if (exception instanceof DomainError) return this.fromDomainError(exception);
    if (isStorageUnavailable(exception)) {
      const retryAfter = (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      const seconds = typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : STORAGE_RETRY_AFTER_SECONDS;
      return this.build('STORAGE_UNAVAILABLE', storageDetail(exception), { retryAfterSeconds: seconds });
    }
    if (exception instanceof HttpException) {
      // Nest wraps Fastify's own client errors (bad JSON, body too large) in an HttpException: answer from the original.
      const cause = exception.cause as { statusCode?: unknown } | undefined;
      if (cause instanceof Error && typeof cause.statusCode === 'number' && cause.statusCode >= 400 && cause.statusCode < 500) return this.toProblem(cause);
      return this.fromHttpException(exception);
    }
    // Fastify's own client errors (body parsing, limits, media type) carry a 4xx statusCode.
    const fastify = exception as { statusCode?: unknown; code?: unknown; message?: unknown };
    if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
      const code = fastify.statusCode === 400 ? 'MALFORMED_BODY' : (CODE_BY_STATUS[fastify.statusCode] ?? 'VALIDATION_FAILED');
      // A JSON SyntaxError's message quotes the body: never echo input, say what is wrong.
      const detail =
        exception instanceof SyntaxError
          ? 'the request body is not valid JSON'
          : typeof fastify.code === 'string' && fastify.code.startsWith('FST_') && typeof fastify.message === 'string'
            ? fastify.message
            : this.titleOf(code);
      return this.build(code, detail, {}, fastify.statusCode);
    }
    return this.build('INTERNAL', 'an internal error occurred; it has been logged', {});
  }

  private fromDomainError(error: DomainError): ProblemAnswer {
    const known = this.table[error.code] !== undefined;
    if (!known) this.logger.error(`domain error code ${error.code} is not in this service's error table`);
    const code = known ? error.code : 'INTERNAL';
    const status = this.table[code]!.status;
    const retryAfterSeconds = error.extras.retryAfterSeconds ?? (status === 429 || status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
    return this.build(code, known ? error.detail : 'an internal error occurred; it has been logged', {
      errors: error.extras.errors,
      retryAfterSeconds,
      members: error.extras.members,
    });
  }

  private fromHttpException(exception: HttpException): ProblemAnswer {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const body = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const bodyCode = typeof body.code === 'string' && this.table[body.code]?.status === status ? body.code : undefined;
    const code = bodyCode ?? CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    const messages = Array.isArray(body.message) ? body.message.filter((m): m is string => typeof m === 'string') : [];
    const detail =
      typeof body.detail === 'string'
        ? body.detail
        : typeof body.message === 'string'
          ? body.message
          : messages.length > 0
            ? messages.join('; ')
            : typeof response === 'string'
              ? response
              : exception.message;
    const rawErrors = Array.isArray(body.errors) ? body.errors : status === 400 ? messages : [];
    const errors = rawErrors
      .map((e): ProblemFieldError | null => (typeof e === 'string' ? fieldErrorFromMessage(e) : isFieldError(e) ? e : null))
      .filter((e): e is ProblemFieldError => e !== null);
    const retryAfter = typeof body.retry_after_seconds === 'number' ? body.retry_after_seconds : undefined;
    const members: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!['statusCode', 'error', 'message', 'errors', 'detail', 'code', 'type', 'title', 'status', 'instance', 'retry_after_seconds'].includes(key))
        members[key] = value;
    }
    return this.build(
      code,
      status >= 500 ? redactConnectionDetails(detail) : detail,
      {
        errors: errors.length > 0 ? errors : undefined,
        retryAfterSeconds: retryAfter ?? (status === 429 || status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined),
        members,
      },
      status,
    );
  }

  private titleOf(code: string): string {
    return this.table[code]?.title ?? 'Error';
  }

  private build(
    code: string,
    detail: string,
    extras: {
      errors?: readonly ProblemFieldError[] | undefined;
      retryAfterSeconds?: number | undefined;
      members?: Readonly<Record<string, unknown>> | undefined;
    },
    statusOverride?: number,
  ): ProblemAnswer {
    const status = statusOverride ?? this.table[code]?.status ?? 500;
    const body: ProblemAnswer['body'] = {
      ...(extras.members ?? {}),
      type: problemType(code),
      title: this.titleOf(code),
      status,
      detail,
      code,
      ...(extras.errors && extras.errors.length > 0 ? { errors: [...extras.errors] } : {}),
      ...(extras.retryAfterSeconds !== undefined ? { retry_after_seconds: extras.retryAfterSeconds } : {}),
    };
    return extras.retryAfterSeconds !== undefined ? { status, body, retryAfterSeconds: extras.retryAfterSeconds } : { status, body };
  }
}

function isFieldError(value: unknown): value is ProblemFieldError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string' &&
    typeof (value as { rule?: unknown }).rule === 'string'
  );
}

const GENERIC_STORAGE = 'storage is unavailable right now; retry later';

/**
 * What the client is told of a storage outage: the sentence our own layers
 * wrote (a `StorageUnavailableError`), cut before any `:` that would introduce
 * a driver message, and only when it names no path, URL or address; otherwise
 * a generic sentence. Details go to the log.
 */
function storageDetail(exception: unknown): string {
  const e = exception as { name?: unknown; message?: unknown };
  if (e.name !== 'StorageUnavailableError' || typeof e.message !== 'string') return GENERIC_STORAGE;
  const sentence = e.message.split(':')[0]!.trim();
  if (!sentence || /[/@\\]|\d+\.\d+\.\d+|\w\.\w+\.\w/.test(sentence)) return GENERIC_STORAGE;
  return /retry/i.test(sentence) ? sentence : `${sentence}; retry later`;
}
