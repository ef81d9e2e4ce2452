import { join, resolve } from 'node:path';
import { loadCostModel, loadRbacPolicy, type CostModel, type RbacPolicy } from '@auditstack/audit-core/server';
import type { EngineConfig } from '../config/engine.config';
import { loadDataGovernancePolicy, type DataGovernancePolicy } from './data-governance-policy.schema';

/** Where the operations actions read and write, from the engine's settings. */
export interface OperationsSettings {
  /** The gateway's JSONL folder (`AUDIT_JSONL_DIR`, default `$AUDITSTACK_HOME/spool`). */
  readonly jsonlDir: string;
  /** Reports root (`AUDIT_REPORTS_DIR`, default `$AUDITSTACK_HOME/reports`). */
  readonly reportsDir: string;
  /** The gateway's backend (`AUDIT_BACKEND`). */
  readonly backend: 'auto' | 'postgres' | 'jsonl' | 'null';
  readonly policyFile: string | undefined;
  readonly costModelFile: string | undefined;
  readonly rbacFile: string | undefined;
}

export function operationsSettings(config: Readonly<EngineConfig>): OperationsSettings {
  return {
    jsonlDir: resolve(config.AUDIT_JSONL_DIR ?? join(config.AUDITSTACK_HOME, 'spool')),
    reportsDir: resolve(config.AUDIT_REPORTS_DIR ?? join(config.AUDITSTACK_HOME, 'reports')),
    backend: config.AUDIT_BACKEND,
    policyFile: config.DATA_GOVERNANCE_FILE,
    costModelFile: config.COST_MODEL_FILE,
    rbacFile: config.RBAC_FILE,
  };
}

/** The policy files are read at each run, so an edit takes effect at the next firing (no restart). */
export function readPolicy(s: OperationsSettings): Promise<DataGovernancePolicy> {
  return loadDataGovernancePolicy(s.policyFile);
}

export function readCostModel(s: OperationsSettings): CostModel {
  return loadCostModel(s.costModelFile);
}

/** The RBAC / rollout policy; `null` when `RBAC_FILE` is unset (the gateway then denies every tool call). */
export function readRbac(s: OperationsSettings): RbacPolicy | null {
  return s.rbacFile ? loadRbacPolicy(s.rbacFile) : null;
}
