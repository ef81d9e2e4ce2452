import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_NARROWER } from '@auditstack/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AuthorizeController } from './authorize.controller';
import { CallerService } from './caller.service';
import { EmergencyStopService } from './emergency-stop.service';
import { RBAC_POLICY } from './governance.tokens';
import { MarkersController } from './markers.controller';
import { loadRbacPolicy } from './rbac-policy.util';
import { TokenFallbackService } from './token-fallback.service';

/**
 * RBAC policy, trusted-proxy caller resolution, the emergency stop,
 * `/v1/tools/authorize` and `/v1/markers`; global so the query modules can resolve callers.
 */
@Global()
@Module({
  controllers: [AuthorizeController, MarkersController],
  providers: [
    { provide: RBAC_POLICY, inject: [GATEWAY_CONFIG], useFactory: (config: Readonly<GatewayConfig>) => loadRbacPolicy(config.RBAC_FILE) },
    CallerService,
    // Trusted-proxy limits on every route: the bearer guard narrows each principal through the CallerService.
    { provide: PRINCIPAL_NARROWER, useExisting: CallerService },
    EmergencyStopService,
    TokenFallbackService,
  ],
  exports: [CallerService, RBAC_POLICY, EmergencyStopService, PRINCIPAL_NARROWER],
})
export class GovernanceModule {}
