import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_API_INFO, ENGINE_ROUTES, GATEWAY_ROUTES, type DomainErrorTable } from '@auditstack/audit-core';
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
 * An app's domain error table, read from the app's `*.errors.ts` at run
 * time. `tools` may depend on libraries only (nx module boundaries), so the
 * table is not imported; the registry names the file and the export, and a
 * missing file or export stops the command rather than writing a document
 * without the app's error codes.
 */
export function appErrorTable(file: string, exportName: string): DomainErrorTable {
  const path = join(REPO_ROOT, file);
  if (!existsSync(`${path}.ts`) && !existsSync(`${path}.js`)) throw new Error(`error table ${file} not found`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- apps are not a dependency of tools (module boundaries); the table is data read at run time.
  const table = (require(path) as Record<string, unknown>)[exportName];
  if (typeof table !== 'object' || table === null) throw new Error(`${file} does not export ${exportName}`);
  return table as DomainErrorTable;
}

/**
 * The documents `auditstack openapi` writes and checks. The engine's `info`
 * is `ENGINE_API_INFO` (shared with its ContractModule); the gateway's
 * repeats what the gateway module passes to `ContractModule.forRoot` until it
 * has the same. Either way `test/contract/property.int-spec.ts` fails when
 * the document a booted service serves at /docs-json differs from the
 * committed one.
 */
export function openApiTargets(): readonly OpenApiTarget[] {
  return [
    {
      name: 'engine',
      file: 'openapi/engine.json',
      source: () => ({
        ...ENGINE_API_INFO,
        routes: ENGINE_ROUTES,
        errors: appErrorTable('apps/engine/src/engine.errors', 'ENGINE_ERRORS'),
      }),
    },
    {
      name: 'gateway',
      file: 'openapi/gateway.json',
      source: () => ({
        title: 'auditstack gateway',
        description:
          'Lifecycle and tool-governance events (ingest, queries, reports), tool governance (authorize, emergency stop, markers), the FinOps and privacy dashboards, API token administration and the evidence ledger (checkpoints, inclusion and consistency proofs). Errors are RFC 9457 problems.',
        version: '1.0.0',
        routes: GATEWAY_ROUTES,
        errors: appErrorTable('apps/gateway/src/gateway.errors', 'GATEWAY_ERRORS'),
      }),
    },
  ];
}
