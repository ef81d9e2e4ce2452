import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  decodeCursor,
  encodeCursor,
  ENGINE_ROUTES,
  ENTITLEMENTS,
  ServiceCursorSchema,
  type RouteBody,
  type RouteParams,
  type RouteQuery,
  type RouteResult,
} from '@auditstack/audit-core';
import type { Principal } from '@auditstack/audit-core/server';
import { ContractRoute, CurrentPrincipal, RequireEntitlements } from '@auditstack/service-kit';
import { actorOf } from '../config-changes/config-change.repository';
import { EngineError } from '../engine.errors';
import { ServiceInventoryRepository } from './service-inventory.repository';

const R = ENGINE_ROUTES;

/**
 * The inventory of platform elements (`audit.services`) that the
 * documentation-compliance check (`infra_docs_check`) reads. Automation keeps
 * it current with idempotent PUTs by name.
 */
@Controller()
export class ServicesController {
  constructor(private readonly inventory: ServiceInventoryRepository) {}

  /** A page of elements by name: `limit + 1` rows are read to know whether another page follows. */
  @ContractRoute(R.listServices)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  async list(@Query() query: RouteQuery<typeof R.listServices>): Promise<RouteResult<typeof R.listServices>> {
    const rows = await this.inventory.list(query.limit + 1, decodeCursor(query.cursor, ServiceCursorSchema)?.name ?? null);
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, next_cursor: rows.length > query.limit && last ? encodeCursor({ name: last.service_name }) : null };
  }

  /** Creates or replaces the element named `service_name`; the change is recorded (a `config` ledger leaf) in the same transaction. */
  @ContractRoute(R.upsertService)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  upsert(
    @Param() params: RouteParams<typeof R.upsertService>,
    @Body() body: RouteBody<typeof R.upsertService>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RouteResult<typeof R.upsertService>> {
    return this.inventory.upsert(params.service_name, body, actorOf(principal));
  }

  @ContractRoute(R.deleteService)
  @RequireEntitlements(ENTITLEMENTS.actionsWrite)
  async remove(@Param() params: RouteParams<typeof R.deleteService>, @CurrentPrincipal() principal: Principal): Promise<void> {
    if (!(await this.inventory.remove(params.service_name, actorOf(principal)))) {
      throw new EngineError('SERVICE_NOT_FOUND', `service ${params.service_name} not found`);
    }
  }
}
