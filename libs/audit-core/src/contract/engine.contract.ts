import { COMMON_ROUTES } from './common.contract';
import { ACTION_ROUTES } from './engine/actions.contract';
import { PROJECT_ROUTES } from './engine/projects.contract';
import { RUN_ROUTES } from './engine/runs.contract';
import { SERVICE_ROUTES } from './engine/services.contract';
import { WORKBOOK_ROUTES } from './engine/workbooks.contract';

export * from './engine/actions.contract';
export * from './engine/engine-shared.schema';
export * from './engine/projects.contract';
export * from './engine/runs.contract';
export * from './engine/services.contract';
export * from './engine/workbooks.contract';

/**
 * Every route of the engine, keyed by operationId (the SDK's method names):
 * the probes and `whoami` shared with the gateway, projects, actions, action
 * types, runs, the overview and scorecards, workbooks and the inventory.
 * The engine's controllers bind each entry with `@ContractRoute`, its
 * OpenAPI document (`openapi/engine.json`) is generated from it, and the
 * dashboard reads its response schemas.
 */
export const ENGINE_ROUTES = {
  ...COMMON_ROUTES,
  ...PROJECT_ROUTES,
  ...ACTION_ROUTES,
  ...RUN_ROUTES,
  ...WORKBOOK_ROUTES,
  ...SERVICE_ROUTES,
} as const;

/** The engine's OpenAPI `info`: the same words in the served `/docs`, the committed `openapi/engine.json` and the SDK. Bump `version`'s major for a breaking change. */
export const ENGINE_API_INFO = {
  title: 'auditstack engine',
  description:
    'The auditstack engine: projects, scheduled actions (checks and operations), action types, runs, scorecards, workbooks and the platform inventory. Every error is an RFC 9457 problem (application/problem+json); every list is `{items, next_cursor}` with opaque keyset cursors.',
  version: '1.0.0',
} as const;

/** The engine's route table type. */
export type EngineRoutes = typeof ENGINE_ROUTES;
