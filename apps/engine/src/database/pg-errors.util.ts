import { fieldProblem, type EngineErrorCode } from '../engine.errors';

/** What a constraint violation of an API write means: the engine error code and the sentence naming the field (`name: …`, a path then the rule). */
export interface PgWriteErrors {
  readonly unique?: { readonly code: EngineErrorCode; readonly detail: string };
  readonly foreignKey?: { readonly code: EngineErrorCode; readonly detail: string };
}

/**
 * Maps PostgreSQL constraint violations of API writes to the engine's domain
 * errors (unique → 409, foreign key → 422); anything else is rethrown (a 5xx
 * is a bug, an unreachable database a 503 from the ProblemFilter).
 */
export function mapPgWriteError(error: unknown, errors: PgWriteErrors = {}): never {
  const code = (error as { code?: string }).code;
  if (code === '23505') {
    const spec = errors.unique ?? { code: 'CONFLICT', detail: 'a row with this name already exists' };
    throw fieldProblem(spec.code, [spec.detail]);
  }
  if (code === '23503') {
    const spec = errors.foreignKey ?? { code: 'UNPROCESSABLE', detail: 'a referenced row does not exist' };
    throw fieldProblem(spec.code, [spec.detail]);
  }
  throw error;
}
