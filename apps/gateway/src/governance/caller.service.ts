import { Inject, Injectable } from '@nestjs/common';
import { DomainError, hasEntitlement, IDENTIFIER_PATTERN, type Entitlement } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import type { PrincipalNarrower } from '@auditstack/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import type { GatewayErrorCode } from '../gateway.errors';
import { RBAC_POLICY } from './governance.tokens';
import type { RbacPolicy } from './rbac-policy.util';

/** Who a read is for: entitlements and the workspace it is confined to (null: all). */
export interface Caller {
  entitlements: readonly string[];
  workspaceId: string | null;
  agentId: string | null;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Resolves the caller of a request. By default the bearer token is the
 * identity and `X-Agent-Id` / `X-Workspace-Id` are ignored. With
 * `TRUSTED_PROXY_MODE=true` a proxy (which still authenticates with its own
 * token) may name the agent and workspace it acts for: the agent's
 * entitlements come from the RBAC file (and must also be held by the proxy's
 * token), and reads are confined to the named workspace.
 */
@Injectable()
export class CallerService implements PrincipalNarrower {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: Readonly<GatewayConfig>,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
  ) {}

  /**
   * The principal a request acts for, as the bearer guard hands it to every
   * route: unchanged without agent headers (or outside trusted-proxy mode),
   * otherwise the agent's entitlements (also held by the proxy's token) and
   * the workspace it is confined to. Idempotent.
   */
  narrow(principal: Principal, headers: Headers): Principal {
    const caller = this.limit(principal, headers);
    if (caller.agentId === null) return principal;
    return { ...principal, entitlements: caller.entitlements, workspaceId: caller.workspaceId, agentId: caller.agentId };
  }

  resolve(principal: Principal, headers: Headers, needed: Entitlement): Caller {
    const caller = this.limit(principal, headers);
    if (caller.agentId !== null && !hasEntitlement(caller.entitlements, needed))
      throw new DomainError<GatewayErrorCode>('AGENT_FORBIDDEN', `agent ${caller.agentId} lacks the entitlement ${needed}`);
    return caller;
  }

  private limit(principal: Principal, headers: Headers): Caller {
    const agentId = this.config.TRUSTED_PROXY_MODE ? header(headers, 'x-agent-id') : undefined;
    const workspace = this.config.TRUSTED_PROXY_MODE ? header(headers, 'x-workspace-id') : undefined;
    if (agentId === undefined && workspace === undefined) {
      return { entitlements: principal.entitlements, workspaceId: principal.workspaceId, agentId: null };
    }
    if (!agentId || !IDENTIFIER_PATTERN.test(agentId))
      throw new DomainError<GatewayErrorCode>('AGENT_FORBIDDEN', 'X-Agent-Id: must be an identifier when X-Workspace-Id is sent', {
        errors: [{ path: 'X-Agent-Id', rule: 'must be an identifier when X-Workspace-Id is sent', in: 'header' }],
      });
    const agent = this.policy.agents[agentId];
    if (!agent) throw new DomainError<GatewayErrorCode>('AGENT_FORBIDDEN', `X-Agent-Id: agent ${agentId} is not in the RBAC policy`);
    const entitlements = agent.entitlements.filter((e) => hasEntitlement(principal.entitlements, e));
    if (workspace !== undefined && !IDENTIFIER_PATTERN.test(workspace))
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', 'X-Workspace-Id: must be an identifier', {
        errors: [{ path: 'X-Workspace-Id', rule: 'must be an identifier', in: 'header' }],
      });
    const workspaceId = workspace ?? (agent.workspaces !== '*' && agent.workspaces.length === 1 ? agent.workspaces[0]! : null);
    if (workspaceId === null)
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', `X-Workspace-Id: required for agent ${agentId}`, {
        errors: [{ path: 'X-Workspace-Id', rule: 'required', in: 'header' }],
      });
    if (agent.workspaces !== '*' && !agent.workspaces.includes(workspaceId)) {
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', `agent ${agentId} may not read workspace ${workspaceId}`);
    }
    if (principal.workspaceId !== null && principal.workspaceId !== workspaceId) {
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', 'the proxy token is scoped to another workspace');
    }
    return { entitlements, workspaceId, agentId };
  }
}
