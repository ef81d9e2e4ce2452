import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@auditstack/audit-core/server';
import { CurrentPrincipal } from './auth.decorators';

/** Who the bearer token is: lets the dashboard decide what to offer. Any valid token. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1')
export class WhoAmIController {
  @Get('whoami')
  @ApiOkResponse({ description: 'the token name, principal, entitlements and workspace scope' })
  whoami(@CurrentPrincipal() principal: Principal): Record<string, unknown> {
    return {
      name: principal.name,
      principal: principal.principal,
      entitlements: principal.entitlements,
      workspace_id: principal.workspaceId,
    };
  }
}
