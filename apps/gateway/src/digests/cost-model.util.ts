// The cost model is shared with the engine's daily cost digest: one definition, in audit-core.
export { CostModelSchema, DEFAULT_COST_MODEL, loadCostModel, round6, toolCost, type CostModel, type Usage } from '@auditstack/audit-core/server';
