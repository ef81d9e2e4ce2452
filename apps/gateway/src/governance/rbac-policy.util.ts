// The RBAC / rollout policy is shared with the engine's weekly drift report: one definition, in audit-core.
export { decideToolCall, EMPTY_POLICY, loadRbacPolicy, RbacPolicySchema, type RbacPolicy } from '@auditstack/audit-core/server';
