import { COMMON_ERRORS, type DomainErrorTable } from './domain.error';

/**
 * Every domain error code the engine answers with, defined once: its HTTP
 * status and title. Services throw {@link DomainError} with one of these
 * codes; the ProblemFilter maps it to an RFC 9457 problem
 * (`type` = https://auditstack.dev/problems/<code-in-kebab-case>).
 */
export const ENGINE_ERRORS = {
  ...COMMON_ERRORS,
  PROJECT_NOT_FOUND: { status: 404, title: 'Project not found' },
  ACTION_NOT_FOUND: { status: 404, title: 'Action not found' },
  RUN_NOT_FOUND: { status: 404, title: 'Run not found' },
  WORKBOOK_NOT_FOUND: { status: 404, title: 'Workbook not found' },
  WORKBOOK_VERSION_NOT_FOUND: { status: 404, title: 'Workbook version not found' },
  SERVICE_NOT_FOUND: { status: 404, title: 'Platform element not found' },
  PROJECT_NAME_TAKEN: { status: 409, title: 'Project name already taken' },
  ACTION_NAME_TAKEN: { status: 409, title: 'Action name already taken in the project' },
  WORKBOOK_VERSION_CONFLICT: { status: 409, title: 'Workbook version is stale' },
  ACTION_CONFIG_INVALID: { status: 400, title: "Action config does not pass its type's schema" },
  ACTION_TYPE_UNKNOWN: { status: 422, title: 'Action type not registered' },
  PROJECT_REFERENCE_UNKNOWN: { status: 422, title: 'Referenced project does not exist' },
} as const satisfies DomainErrorTable;

/** A domain error code of the engine. */
export type EngineErrorCode = keyof typeof ENGINE_ERRORS;
