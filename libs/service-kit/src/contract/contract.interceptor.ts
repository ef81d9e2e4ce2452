import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { z } from 'zod';
import { DomainError, fieldErrorsFromZod, type AnyRoute, type ProblemFieldError } from '@auditstack/audit-core';
import { ROUTE_CONTRACT } from './contract-route.decorator';

/**
 * Validates every request against its route contract before the handler runs
 * (path, query and body replaced by their parsed values, so handlers read
 * typed, defaulted input) and serialises every response through the
 * contract's response schema: unknown keys are dropped and a response that
 * does not match is never sent — it becomes a logged 500
 * `RESPONSE_CONTRACT_VIOLATION`, which the contract tests catch.
 */
@Injectable()
export class ContractInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Contract');

  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const route = this.reflector.get<AnyRoute | undefined>(ROUTE_CONTRACT, context.getHandler());
    if (!route) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { params: unknown; query: unknown; body: unknown }>();
    const errors: ProblemFieldError[] = [];
    if (route.params) request.params = parsePart(route.params, request.params ?? {}, 'path', errors);
    if (route.query) request.query = parsePart(route.query, request.query ?? {}, 'query', errors);
    if (route.body) request.body = parsePart(route.body, request.body, 'body', errors);
    if (errors.length > 0) {
      throw new DomainError('VALIDATION_FAILED', errors.map((e) => (e.path ? `${e.path}: ${e.rule}` : e.rule)).join('; '), { errors });
    }
    const schema = route.response.schema;
    if (!schema) return next.handle();
    return next.handle().pipe(
      map((result: unknown) => {
        const parsed = schema.safeParse(result);
        if (parsed.success) return parsed.data;
        // The issues name our own fields, never a value: safe to log in full.
        this.logger.error(
          `response of ${route.operationId} does not match its contract: ${parsed.error.issues.map((i: z.core.$ZodIssue) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
        throw new DomainError('RESPONSE_CONTRACT_VIOLATION', `the response of ${route.operationId} did not match its contract; the error is logged`);
      }),
    );
  }
}

function parsePart(schema: z.ZodType, value: unknown, where: ProblemFieldError['in'], errors: ProblemFieldError[]): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  errors.push(...fieldErrorsFromZod(parsed.error, where));
  return value;
}
