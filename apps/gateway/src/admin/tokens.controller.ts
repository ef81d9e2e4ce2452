import { Body, Controller, Headers, Param, Query } from '@nestjs/common';
import { z } from 'zod';
import {
  decodeCursor,
  DomainError,
  encodeCursor,
  ENTITLEMENTS,
  GATEWAY_ROUTES,
  type Entitlement,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import { ApiTokenRepository, TokenInputError, tokenExceedsCreator, type ApiTokenEntity, type Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import type { GatewayErrorCode } from '../gateway.errors';
import { CallerService, type Caller } from '../governance/caller.service';

type RequestHeaders = Record<string, string | string[] | undefined>;
const R = GATEWAY_ROUTES;

/** Keyset position of the token list: the last token's creation time (ms since the epoch) and id. */
const TokenPositionSchema = z.tuple([z.number().int().min(0), z.uuid()]);

function present(token: ApiTokenEntity) {
  return {
    id: token.id,
    name: token.name,
    principal: token.principal,
    entitlements: [...token.entitlements] as Entitlement[],
    workspace_id: token.workspaceId,
    created_at: token.createdAt,
    last_used_at: token.lastUsedAt,
    revoked_at: token.revokedAt,
  };
}

/** Oldest first: creation time, then id. */
function compareTokens(a: ApiTokenEntity, b: ApiTokenEntity): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
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
@RequireEntitlements(ENTITLEMENTS.admin)
@Controller()
export class TokensController {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly callers: CallerService,
  ) {}

  /** One page of tokens, oldest first (the list is small: paged in memory over one query). */
  @ContractRoute(R.listTokens)
  async list(
    @Query() q: RouteQuery<typeof R.listTokens>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: RequestHeaders,
  ): Promise<RouteResult<typeof R.listTokens>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    const after = decodeCursor(q.cursor, TokenPositionSchema);
    const all = (await this.tokens.list(caller.workspaceId)).sort(compareTokens);
    const rest = after ? all.filter((t) => t.createdAt.getTime() > after[0] || (t.createdAt.getTime() === after[0] && t.id > after[1])) : all;
    const page = rest.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: page.map(present), next_cursor: rest.length > q.limit && last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
  }

  /** Returns the secret once; only its hash is stored. */
  @ContractRoute(R.createToken)
  async create(
    @Body() body: RouteBody<typeof R.createToken>,
    @CurrentPrincipal() principal: Principal,
    @Headers() headers: RequestHeaders,
  ): Promise<RouteResult<typeof R.createToken>> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    const workspaceId = body.workspace_id ?? null;
    const refusal = tokenExceedsCreator(caller, { entitlements: body.entitlements, workspaceId });
    if (refusal) throw new DomainError<GatewayErrorCode>('TOKEN_EXCEEDS_CREATOR', refusal);
    try {
      const { token, record } = await this.tokens.create({ name: body.name, entitlements: body.entitlements, workspaceId, actor: actorOf(principal, caller) });
      return { ...present(record), token };
    } catch (error) {
      // The body already passed the same schema: what is left is a name an active token holds.
      if (error instanceof TokenInputError)
        throw new DomainError<GatewayErrorCode>('TOKEN_NAME_TAKEN', error.message, {
          errors: [{ path: 'name', rule: 'must not be the name of an active token', in: 'body' }],
        });
      throw error;
    }
  }

  @ContractRoute(R.revokeToken)
  async revoke(@Param() p: RouteParams<typeof R.revokeToken>, @CurrentPrincipal() principal: Principal, @Headers() headers: RequestHeaders): Promise<void> {
    const caller = this.callers.resolve(principal, headers, ENTITLEMENTS.admin);
    const revoked = await this.tokens.revoke(p.id, { actor: actorOf(principal, caller), workspaceId: caller.workspaceId });
    if (!revoked)
      throw new DomainError<GatewayErrorCode>(
        'TOKEN_NOT_FOUND',
        `no active token with id ${p.id}${caller.workspaceId !== null ? ` in workspace ${caller.workspaceId}` : ''}`,
      );
  }
}
