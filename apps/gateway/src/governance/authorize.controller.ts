import { Body, Controller, Inject } from '@nestjs/common';
import { DomainError, ENTITLEMENTS, GATEWAY_ROUTES, type RouteBody, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { EmergencyStopService } from './emergency-stop.service';
import { RBAC_POLICY } from './governance.tokens';
import { decideToolCall, type RbacPolicy } from './rbac-policy.util';

const R = GATEWAY_ROUTES;

/**
 * `POST /v1/tools/authorize` (`events.write`): an agent's router asks before a
 * governed tool call. Checked against the RBAC / rollout policy; while the
 * emergency stop is engaged every call is denied. Each denial is a ledger
 * marker (`tool_call_denied`).
 */
@Controller()
export class AuthorizeController {
  constructor(
    private readonly stop: EmergencyStopService,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
  ) {}

  @ContractRoute(R.authorizeToolCall)
  @RequireEntitlements(ENTITLEMENTS.eventsWrite)
  async authorize(
    @Body() body: RouteBody<typeof R.authorizeToolCall>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.authorizeToolCall>> {
    if (principal.workspaceId !== null && principal.workspaceId !== body.workspace_id) {
      throw new DomainError<GatewayErrorCode>('WORKSPACE_FORBIDDEN', `this token is scoped to workspace ${principal.workspaceId}`);
    }
    // Behind a trusted proxy the caller is the agent the proxy named: it asks for itself only.
    if (principal.agentId && principal.agentId !== body.agent_id) {
      throw new DomainError<GatewayErrorCode>('AGENT_FORBIDDEN', `agent_id: agent ${principal.agentId} may authorize only its own calls`);
    }
    const verdict = this.stop.isEngaged
      ? { decision: 'deny' as const, reason: 'emergency stop engaged: every governed tool call is denied' }
      : decideToolCall(this.policy, body);
    if (verdict.decision === 'allow') return verdict;
    // A denial is answered even when it cannot be recorded yet (storage down): its marker follows later.
    const markerId = await this.stop.recordDenial({ ...body, reason: verdict.reason, emergency_stop: this.stop.isEngaged });
    return markerId ? { ...verdict, marker_id: markerId } : { ...verdict, marker_pending: true };
  }

  /**
   * Engages the emergency stop (admin), also while PostgreSQL is down (the
   * marker is then written as soon as storage takes it: `marker_pending`).
   * Lifted only out of band: remove the sentinel file and restart.
   */
  @ContractRoute(R.engageEmergencyStop)
  @RequireEntitlements(ENTITLEMENTS.admin)
  async emergencyStop(
    @Body() body: RouteBody<typeof R.engageEmergencyStop>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.engageEmergencyStop>> {
    const result = await this.stop.engage(principal.principal, body?.reason ?? 'emergency stop requested over the API');
    return { ...this.stop.state(), ...result };
  }

  @ContractRoute(R.emergencyStopState)
  @RequireEntitlements(ENTITLEMENTS.admin)
  state(): RouteResult<typeof R.emergencyStopState> {
    return this.stop.state();
  }
}
