import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatIssues } from '@auditstack/audit-core';

/** Days, or `null` for "keep forever". */
const Days = z.number().int().min(1).max(36_500).nullable();

/**
 * The data-governance policy (`DATA_GOVERNANCE_FILE`, JSON, same style as
 * `RBAC_FILE` and `COST_MODEL_FILE`): how long the gateway's JSONL files and
 * the PostgreSQL event tables are kept. Missing keys take the defaults below;
 * an unknown key is an error. The repository ships the defaults in
 * `config/data-governance.json`; docs/operations.md §9 explains each key.
 *
 * ```json
 * {
 *   "audit_files": { "compress_after_days": 7, "delete_after_days": 30, "min_idle_minutes": 60 },
 *   "retention": { "lifecycle": 90, "tool": 90, "run": null, "observability": 30, "cluster": 365 }
 * }
 * ```
 */
export const DataGovernancePolicySchema = z.strictObject({
  audit_files: z
    .strictObject({
      /** gzip a daily JSONL file once it is more than this many days old. @defaultValue 7 */
      compress_after_days: z.number().int().min(1).max(36_500).default(7),
      /** Delete a JSONL file (plain or gzipped) once it is more than this many days old; `null` keeps files. @defaultValue 30 */
      delete_after_days: Days.default(30),
      /** Leave a file alone while it was modified less than this many minutes ago (still being written). @defaultValue 60 */
      min_idle_minutes: z.number().int().min(0).max(10_080).default(60),
    })
    .prefault({}),
  retention: z
    .strictObject({
      /** Days of `audit.lifecycle_events` kept (whole months older than this are dropped); `null` keeps all. @defaultValue 90 */
      lifecycle: Days.default(90),
      /** Days of `audit.tool_events` kept; `null` keeps all. @defaultValue 90 */
      tool: Days.default(90),
      /** Days of `audit.runs` kept; `null` (the default) never drops runs. @defaultValue null */
      run: Days.default(null),
      /** Days of `audit.observability_events` (engines' OTLP log records, payload-free) kept; `null` keeps all. @defaultValue 30 */
      observability: Days.default(30),
      /** Days of `audit.cluster_audit_events` (Kubernetes audit webhook) kept; `null` keeps all. @defaultValue 365 */
      cluster: Days.default(365),
    })
    .prefault({}),
});

export type DataGovernancePolicy = z.output<typeof DataGovernancePolicySchema>;

export const DEFAULT_DATA_GOVERNANCE_POLICY: DataGovernancePolicy = DataGovernancePolicySchema.parse({});

/** Reads and validates the policy file (unset: the defaults); a bad file throws naming every wrong field. */
export async function loadDataGovernancePolicy(file: string | undefined): Promise<DataGovernancePolicy> {
  if (!file) return DEFAULT_DATA_GOVERNANCE_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`DATA_GOVERNANCE_FILE ${file}: cannot read JSON (${(error as Error).message})`);
  }
  const parsed = DataGovernancePolicySchema.safeParse(json);
  if (!parsed.success) throw new Error(`DATA_GOVERNANCE_FILE ${file}: ${formatIssues(parsed.error).join('; ')}`);
  return parsed.data;
}
