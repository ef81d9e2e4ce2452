import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ALL_ENTITLEMENTS, type Entitlement } from '../constants/entitlements';
import { formatIssues, IdentifierSchema } from '../schemas/common.schema';

/** `*` or a list. */
const Scope = z.union([z.literal('*'), z.array(z.string().min(1))]);

/**
 * The RBAC / rollout policy file (`RBAC_FILE`, JSON):
 *
 * ```json
 * {
 *   "agents": {
 *     "agent-reporter": {
 *       "entitlements": ["events.read", "tools.cost.read"],
 *       "workspaces": ["ws-1"],
 *       "tools": { "github": ["read", "search"], "jira": "*" }
 *     }
 *   },
 *   "rollout": { "deploy": { "workspaces": ["ws-canary"] } }
 * }
 * ```
 *
 * `entitlements` are what a trusted proxy's `X-Agent-Id` gets; `workspaces`
 * which `X-Workspace-Id` values it may claim; `tools` the tool → actions an
 * agent may call (`/v1/tools/authorize`); `rollout` limits a tool to some
 * workspaces whatever the agent's grants. Anything not listed is denied.
 */
export const RbacPolicySchema = z.strictObject({
  agents: z
    .record(
      IdentifierSchema,
      z.strictObject({
        entitlements: z.array(z.enum(ALL_ENTITLEMENTS as [Entitlement, ...Entitlement[]])).default([]),
        workspaces: Scope.default([]),
        tools: z.record(z.string().min(1), Scope).default({}),
      }),
    )
    .default({}),
  rollout: z.record(z.string().min(1), z.strictObject({ workspaces: Scope })).default({}),
});

export type RbacPolicy = z.output<typeof RbacPolicySchema>;

export const EMPTY_POLICY: RbacPolicy = { agents: {}, rollout: {} };

/** Loads and validates the policy file; a bad file stops boot with every wrong field named. */
export function loadRbacPolicy(file: string | undefined): RbacPolicy {
  if (!file) return EMPTY_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`RBAC_FILE ${file}: cannot read JSON (${(error as Error).message})`);
  }
  const parsed = RbacPolicySchema.safeParse(json);
  if (!parsed.success) throw new Error(`RBAC_FILE ${file}: ${formatIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

const inScope = (scope: '*' | readonly string[], value: string): boolean => scope === '*' || scope.includes(value);

/** The decision for one governed tool call, before the emergency stop is considered. */
export function decideToolCall(
  policy: RbacPolicy,
  call: { agent_id: string; workspace_id: string; tool: string; action: string },
): { decision: 'allow' | 'deny'; reason: string } {
  const agent = policy.agents[call.agent_id];
  if (!agent) return { decision: 'deny', reason: `agent ${call.agent_id} is not in the RBAC policy` };
  if (!inScope(agent.workspaces, call.workspace_id))
    return { decision: 'deny', reason: `agent ${call.agent_id} may not act in workspace ${call.workspace_id}` };
  const actions = agent.tools[call.tool];
  if (!actions) return { decision: 'deny', reason: `agent ${call.agent_id} is not granted tool ${call.tool}` };
  if (!inScope(actions, call.action)) return { decision: 'deny', reason: `agent ${call.agent_id} may not ${call.action} with tool ${call.tool}` };
  const rollout = policy.rollout[call.tool];
  if (rollout && !inScope(rollout.workspaces, call.workspace_id))
    return { decision: 'deny', reason: `tool ${call.tool} is not rolled out to workspace ${call.workspace_id}` };
  return { decision: 'allow', reason: 'granted by the RBAC policy' };
}
