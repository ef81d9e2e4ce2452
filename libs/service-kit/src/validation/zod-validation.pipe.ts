import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { formatIssues } from '@auditstack/audit-core';

/**
 * Validates a request part with an audit-core schema at the edge: a 400 whose
 * `errors` name each field and rule; nothing reaches the handler otherwise.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const errors = formatIssues(parsed.error);
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: errors.join('; '), errors });
  }
}
