import { BadRequestException, ConflictException } from '@nestjs/common';

/** Maps PostgreSQL constraint violations of API writes to 4xx; anything else is rethrown (a 5xx is a bug). */
export function mapPgWriteError(error: unknown, messages: { unique?: string; foreignKey?: string } = {}): never {
  const code = (error as { code?: string }).code;
  if (code === '23505') throw new ConflictException(messages.unique ?? 'a row with this name already exists');
  if (code === '23503') throw new BadRequestException(messages.foreignKey ?? 'a referenced row does not exist');
  throw error;
}

/** A 400 in the shape the ZodValidationPipe uses: `message` joins `errors`, each naming its field. */
export function badRequest(errors: string[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: errors.join('; '), errors });
}
