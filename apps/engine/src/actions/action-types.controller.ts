import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import { RequireEntitlements } from '@auditstack/service-kit';
import { ActionRegistry } from './action-registry.service';

/** The registered action types with the JSON Schema of their config (the dashboard renders forms from it). */
@ApiTags('action-types')
@ApiBearerAuth()
@Controller('v1/action-types')
export class ActionTypesController {
  constructor(private readonly registry: ActionRegistry) {}

  @Get()
  @RequireEntitlements(ENTITLEMENTS.actionsRead)
  @ApiOkResponse({ description: '[{ id, description, config_schema, result_schema }]' })
  list(): Record<string, unknown>[] {
    return this.registry.list().map((type) => ({
      id: type.type,
      description: type.description ?? '',
      config_schema: this.registry.configJsonSchema(type),
      ...(type.result ? { result_schema: this.registry.jsonSchemaOf(type.result) } : {}),
    }));
  }
}
