import { Controller } from '@nestjs/common';
import { COMMON_ROUTES, type RouteResult } from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute } from '../contract/contract-route.decorator';
import { CurrentPrincipal } from './auth.decorators';

/** Who the bearer token is: lets the dashboard decide what to offer. Any valid token. */
@Controller()
export class WhoAmIController {
  @ContractRoute(COMMON_ROUTES.whoami)
  whoami(@CurrentPrincipal() principal: Principal): RouteResult<typeof COMMON_ROUTES.whoami> {
    return {
      name: principal.name,
      principal: principal.principal,
      entitlements: [...principal.entitlements],
      workspace_id: principal.workspaceId,
    };
  }
}
