import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hasEntitlement, type Entitlement } from '@auditstack/audit-core';
import { ApiTokenRepository } from '@auditstack/audit-core/server';
import { IS_PUBLIC, REQUIRED_ENTITLEMENTS } from './auth.decorators';
import type { AuthenticatedRequest } from './authenticated-request';

/**
 * Global guard: every route needs `Authorization: Bearer <token>` unless it is
 * marked `@Public()`. Unknown, malformed or revoked token → 401; a valid token
 * without a required entitlement → 403.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    const principal = await this.tokens.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException('the bearer token is unknown or revoked');
    request.principal = principal;

    const needed = this.reflector.getAllAndOverride<Entitlement[] | undefined>(REQUIRED_ENTITLEMENTS, targets) ?? [];
    const missing = needed.filter((e) => !hasEntitlement(principal.entitlements, e));
    if (missing.length > 0) throw new ForbiddenException(`this token lacks the entitlement ${missing.join(', ')}`);
    return true;
  }
}
