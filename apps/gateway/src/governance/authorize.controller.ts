import { Body, Controller, ForbiddenException, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ENTITLEMENTS, IdentifierSchema, strictObject } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { EmergencyStopService } from './emergency-stop.service';
import { RBAC_POLICY } from './governance.tokens';
import { decideToolCall, type RbacPolicy } from './rbac-policy.util';

export const AuthorizeRequestSchema = strictObject(
  { agent_id: IdentifierSchema, workspace_id: IdentifierSchema, tool: IdentifierSchema, action: IdentifierSchema },
  'an authorize request (fields: agent_id, workspace_id, tool, action)',
);
type AuthorizeRequest = z.output<typeof AuthorizeRequestSchema>;

export const EmergencyStopRequestSchema = strictObject({ reason: z.string().min(1).max(500).optional() }, 'an emergency-stop request (fields: reason)');

/**
 * `POST /v1/tools/authorize` (`events.write`): an agent's router asks before a
 * governed tool call. Checked against the RBAC / rollout policy; while the
 * emergency stop is engaged every call is denied. Each denial is a ledger
 * marker (`tool_call_denied`).
 */
@ApiTags('governance')
@ApiBearerAuth()
@Controller('v1')
export class AuthorizeController {
  constructor(
    private readonly stop: EmergencyStopService,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
  ) {}

  @Post('tools/authorize')
  @HttpCode(200)
  @RequireEntitlements(ENTITLEMENTS.eventsWrite)
  async authorize(
    @Body(new ZodValidationPipe(AuthorizeRequestSchema)) body: AuthorizeRequest,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ decision: 'allow' | 'deny'; reason: string; marker_id?: string; marker_pending?: boolean }> {
    if (principal.workspaceId !== null && principal.workspaceId !== body.workspace_id) {
      throw new ForbiddenException(`this token is scoped to workspace ${principal.workspaceId}`);
    }
    // Behind a trusted proxy the caller is the agent the proxy named: it asks for itself only.
    if (principal.agentId && principal.agentId !== body.agent_id) {
      throw new ForbiddenException(`agent_id: agent ${principal.agentId} may authorize only its own calls`);
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
  @Post('admin/emergency-stop')
  @HttpCode(200)
  @RequireEntitlements(ENTITLEMENTS.admin)
  async emergencyStop(
    @Body(new ZodValidationPipe(EmergencyStopRequestSchema.optional())) body: z.output<typeof EmergencyStopRequestSchema> | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, unknown>> {
    const result = await this.stop.engage(principal.principal, body?.reason ?? 'emergency stop requested over the API');
    return { ...this.stop.state(), ...result };
  }

  @Get('admin/emergency-stop')
  @RequireEntitlements(ENTITLEMENTS.admin)
  state(): Record<string, unknown> {
    return this.stop.state();
  }
}
