import { decideToolCall, RbacPolicySchema } from './rbac-policy.util';

describe('decideToolCall', () => {
  const policy = RbacPolicySchema.parse({
    agents: { a1: { workspaces: ['ws-1', 'ws-2'], tools: { github: ['read'], deploy: '*' } }, a2: { workspaces: '*', tools: { github: '*' } } },
    rollout: { deploy: { workspaces: ['ws-2'] } },
  });
  const call = { agent_id: 'a1', workspace_id: 'ws-1', tool: 'github', action: 'read' };

  it.each([
    [call, 'allow', 'granted'],
    [{ ...call, agent_id: 'zz' }, 'deny', 'not in the RBAC policy'],
    [{ ...call, workspace_id: 'ws-9' }, 'deny', 'may not act in workspace'],
    [{ ...call, tool: 'jira' }, 'deny', 'not granted tool'],
    [{ ...call, action: 'write' }, 'deny', 'may not write'],
    [{ ...call, tool: 'deploy', action: 'run' }, 'deny', 'not rolled out'],
    [{ ...call, tool: 'deploy', action: 'run', workspace_id: 'ws-2' }, 'allow', 'granted'],
    [{ ...call, agent_id: 'a2', workspace_id: 'anything', action: 'delete' }, 'allow', 'granted'],
  ])('%j → %s', (input, decision, reason) => {
    const out = decideToolCall(policy, input);
    expect(out.decision).toBe(decision);
    expect(out.reason).toContain(reason);
  });

  it('refuses a policy with an unknown entitlement', () => {
    expect(RbacPolicySchema.safeParse({ agents: { a: { entitlements: ['events.delete'] } } }).success).toBe(false);
  });
});
