import { Controller, Query } from '@nestjs/common';
import { ActionTypeCursorSchema, decodeCursor, encodeCursor, ENGINE_ROUTES, ENTITLEMENTS, type RouteQuery, type RouteResult } from '@auditstack/audit-core';
import { ContractRoute, RequireEntitlements } from '@auditstack/service-kit';
import { ActionRegistry } from './action-registry.service';

const R = ENGINE_ROUTES;

/** The registered action types with the JSON Schema of their config (the dashboard renders forms from it). */
@Controller()
export class ActionTypesController {
  constructor(private readonly registry: ActionRegistry) {}

  /** A page of the registered types, by id (the registry is in memory: the keyset is the id). */
  @ContractRoute(R.listActionTypes)
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  list(@Query() query: RouteQuery<typeof R.listActionTypes>): RouteResult<typeof R.listActionTypes> {
    const after = decodeCursor(query.cursor, ActionTypeCursorSchema);
    const types = this.registry
      .list()
      .filter((type) => after === null || type.type > after.id)
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
    const items = types.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((type) => ({
        id: type.type,
        description: type.description ?? '',
        config_schema: this.registry.configJsonSchema(type),
        ...(type.result ? { result_schema: this.registry.jsonSchemaOf(type.result) } : {}),
      })),
      next_cursor: types.length > query.limit && last ? encodeCursor({ id: last.type }) : null,
    };
  }
}
