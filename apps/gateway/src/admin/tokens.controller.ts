import { BadRequestException, Body, Controller, Delete, ForbiddenException, Get, Headers, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiTokenCreateSchema, ENTITLEMENTS, UuidSchema, type ApiTokenCreate } from '@auditstack/audit-core';
import { ApiTokenRepository, TokenInputError, tokenExceedsCreator, type ApiTokenEntity, type Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal, RequireEntitlements, ZodValidationPipe } from '@auditstack/service-kit';
import { CallerService, type Caller } from '../governance/caller.service';

type RequestHeaders = Record<string, string | string[] | undefined>;

function present(token: ApiTokenEntity): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    principal: token.principal,
    entitlements: token.entitlements,
    workspace_id: token.workspaceId,
    created_at: token.createdAt,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
  };
}

/** The token (and, in trusted-proxy mode, the agent) a change is attributed to in `audit.config_changes`. */
function actorOf(principal: Principal, caller: Caller): string {
  return `${principal.name} (${principal.tokenId})${caller.agentId ? ` for agent ${caller.agentId}` : ''}`;
}

/**
 * Token administration over HTTP (the CLI's `auditstack tokens` does the same). Entitlement `admin`.
 *
 * A token cannot make a token stronger than itself: the new token's
 * entitlements must be held by the caller and, when the caller is confined to
 * a workspace (a scoped token, or an agent named by a trusted proxy), the new
 * token must be scoped to that same workspace — otherwise 403. A scoped admin
 * lists and revokes only its workspace's tokens; others answer 404 (hidden,
 * not merely refused). Creations and revocations are ledgered config changes.
 */
@ApiTags('admin')
@ApiBearerAuth()
@RequireEntitlements(ENTITLEMENTS.admin)
@Controller('v1/admin/tokens')
export class TokensController {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly callers: CallerService,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Headers() headers: RequestHeaders): Promise<Record<string, unknown>[]> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    return (await this.tokens.list(caller.workspaceId)).map(present);
  }

  /** Returns the secret once; only its hash is stored. */
  @Post()
  async create(
    @Body(new ZodValidationPipe(ApiTokenCreateSchema)) body: ApiTokenCreate,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: RequestHeaders,
  ): Promise<Record<string, unknown>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    const workspaceId = body.workspace_id ?? null;
    const refusal = tokenExceedsCreator(caller, { entitlements: body.entitlements, workspaceId });
    if (refusal) throw new ForbiddenException(refusal);
    try {
      const { token, record } = await this.tokens.create({ name: body.name, entitlements: body.entitlements, workspaceId, actor: actorOf(principal, caller) });
      return { ...present(record), token };
    } catch (error) {
      if (error instanceof TokenInputError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @Param('id', new ZodValidationPipe(UuidSchema)) id: string,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: RequestHeaders,
  ): Promise<void> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    const revoked = await this.tokens.revoke(id, { actor: actorOf(principal, caller), workspaceId: caller.workspaceId });
    if (!revoked) throw new NotFoundException(`no active token with id ${id}${caller.workspaceId !== null ? ` in workspace ${caller.workspaceId}` : ''}`);
  }
}
