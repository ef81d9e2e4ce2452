import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Entitlement } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import type { AuthenticatedRequest } from './authenticated-request';

export const IS_PUBLIC = 'auditstack:public';
export const REQUIRED_ENTITLEMENTS = 'auditstack:entitlements';

/** Marks a route as open (health and metrics probes only). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The token must carry every listed entitlement (`admin` implies all). */
export const RequireEntitlements = (...entitlements: Entitlement[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ENTITLEMENTS, entitlements);

/** The verified principal of the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a public route');
  return request.principal;
});
