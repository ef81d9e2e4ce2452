import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Principal } from '@auditstack/audit-core/server';
import { ErrorBodyRedactor } from '../errors/error-body-redactor.service';
import { BearerAuthGuard, PRINCIPAL_NARROWER, type PrincipalNarrower } from './auth.guard';

export interface AuthModuleOptions {
  /**
   * The service's data belongs to no workspace (the engine: projects, actions,
   * runs, workbooks are fleet-wide): a workspace-scoped token keeps its
   * identity (`/v1/whoami`) but holds no entitlement here, so a "workspace
   * admin" is never an admin of the whole fleet. @defaultValue false
   */
  fleetWideOnly?: boolean;
}

/** Narrower of a fleet-wide service: a scoped principal keeps its name and scope, and no entitlement. */
export const FLEET_WIDE_ONLY: PrincipalNarrower = {
  narrow: (principal: Principal): Principal => (principal.workspaceId === null ? principal : { ...principal, entitlements: [] }),
};

/**
 * Installs the bearer-token guard on every route of the service, and the 5xx
 * body redactor (no connection details in error bodies). Needs DatabaseModule.
 * Import `AuthModule` as is, or `AuthModule.forRoot({ fleetWideOnly: true })`.
 */
@Module({
  providers: [{ provide: APP_GUARD, useClass: BearerAuthGuard }, ErrorBodyRedactor],
})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        ErrorBodyRedactor,
        ...(options.fleetWideOnly ? [{ provide: PRINCIPAL_NARROWER, useValue: FLEET_WIDE_ONLY }] : []),
      ],
    };
  }
}
