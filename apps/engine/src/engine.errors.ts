import { DomainError, fieldErrorFromMessage, type EngineErrorCode } from '@auditstack/audit-core';

// The table (status and title of every engine error code) is part of the contract: audit-core's contract/engine.errors.ts.
export { ENGINE_ERRORS, type EngineErrorCode } from '@auditstack/audit-core';

/** A {@link DomainError} whose code is one of the engine's. */
export class EngineError extends DomainError<EngineErrorCode> {}

/**
 * A 4xx naming each field: `messages` are audit-core issue texts
 * (`config.url: must be an http(s) URL`), split into `errors[]` entries in the body.
 */
export function fieldProblem(code: EngineErrorCode, messages: readonly string[]): EngineError {
  return new EngineError(code, messages.join('; '), { errors: messages.map((message) => fieldErrorFromMessage(message, 'body')) });
}
