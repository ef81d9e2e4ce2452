import { join } from 'node:path';
import { ENGINE_API_INFO, ENGINE_ERRORS, ENGINE_ROUTES, GATEWAY_API_INFO, GATEWAY_ERRORS, GATEWAY_ROUTES } from '@auditstack/audit-core';
import type { OpenApiSource } from '@auditstack/service-kit';

/** The repository root (tools/src/openapi → ../../..). */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** One committed OpenAPI document and what it is generated from. */
export interface OpenApiTarget {
  /** `engine` or `gateway`. */
  readonly name: string;
  /** Path of the committed document, relative to the repository root. */
  readonly file: string;
  /** The route and error tables (read when the document is built). */
  readonly source: () => OpenApiSource;
}

/**
 * The documents `auditstack openapi` writes and checks: each service's route
 * table, error table and `info`, all from audit-core's contract (the same
 * objects the services pass to `ContractModule.forRoot`).
 * `test/contract/property.int-spec.ts` also fails when the document a booted
 * service serves at /docs-json differs from the committed one.
 */
export function openApiTargets(): readonly OpenApiTarget[] {
  return [
    {
      name: 'engine',
      file: 'openapi/engine.json',
      source: () => ({
        ...ENGINE_API_INFO,
        routes: ENGINE_ROUTES,
        errors: ENGINE_ERRORS,
      }),
    },
    {
      name: 'gateway',
      file: 'openapi/gateway.json',
      source: () => ({
        ...GATEWAY_API_INFO,
        routes: GATEWAY_ROUTES,
        errors: GATEWAY_ERRORS,
      }),
    },
  ];
}
