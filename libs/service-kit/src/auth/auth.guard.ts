import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, hasEntitlement, type Entitlement } from '@auditstack/audit-core';
import { ApiTokenRepository, type Principal } from '@auditstack/audit-core/server';
import { IS_PUBLIC, REQUIRED_ENTITLEMENTS } from './auth.decorators';
import type { AuthenticatedRequest } from './authenticated-request';

/** Injection token of an optional {@link PrincipalNarrower} (the gateway's trusted-proxy mode provides one). */
export const PRINCIPAL_NARROWER = Symbol('PRINCIPAL_NARROWER');

/**
 * Narrows a verified principal to whom the request acts for (e.g. an agent
 * named by a trusted proxy): the result may only hold fewer entitlements and
 * a narrower workspace. Throws an HTTP 403 for a claim it refuses.
 */
export interface PrincipalNarrower {
  narrow(principal: Principal, headers: Record<string, string | string[] | undefined>): Principal;
}

/**
 * Global guard: every route needs `Authorization: Bearer <token>` unless it is
 * marked `@Public()`. Unknown, malformed or revoked token → 401; a valid token
 * without a required entitlement → 403. When a {@link PrincipalNarrower} is
 * provided, it runs first on every route, so the narrowed principal (not the
 * token's) is what entitlement checks and `@CurrentPrincipal()` see everywhere.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenRepository,
    @Optional() @Inject(PRINCIPAL_NARROWER) private readonly narrower?: PrincipalNarrower,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match?.[1]) throw new DomainError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const verified = await this.tokens.authenticate(match[1]);
    if (!verified) throw new DomainError('UNAUTHENTICATED', 'the bearer token is unknown or revoked');
    const principal = this.narrower ? this.narrower.narrow(verified, request.headers) : verified;
    request.principal = principal;

    const needed = this.reflector.getAllAndOverride<Entitlement[] | undefined>(REQUIRED_ENTITLEMENTS, targets) ?? [];
    const missing = needed.filter((e) => !hasEntitlement(principal.entitlements, e));
    if (missing.length > 0)
      throw new DomainError('FORBIDDEN', `this ${principal === verified ? 'token' : 'caller'} lacks the entitlement ${missing.join(', ')}`);
    return true;
  }
}
