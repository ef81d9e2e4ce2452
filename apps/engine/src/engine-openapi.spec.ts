import SwaggerParser from '@apidevtools/swagger-parser';
import { ENGINE_API_INFO, ENGINE_ROUTES } from '@auditstack/audit-core';
import { buildOpenApiDocument } from '@auditstack/service-kit';
import { ENGINE_ERRORS } from './engine.errors';

describe('the engine OpenAPI document (built from ENGINE_ROUTES)', () => {
  const document = buildOpenApiDocument({ ...ENGINE_API_INFO, routes: ENGINE_ROUTES, errors: ENGINE_ERRORS });

  it('is accepted by an independent validator', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('has one operation per route, each with its success body and every documented error', () => {
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item)) as Array<{
      operationId: string;
      responses: Record<string, unknown>;
    }>;
    expect(operations.map((o) => o.operationId).sort()).toEqual(Object.keys(ENGINE_ROUTES).sort());
    for (const route of Object.values(ENGINE_ROUTES)) {
      const operation = operations.find((o) => o.operationId === route.operationId)!;
      const statuses = Object.keys(operation.responses).map(Number);
      expect(statuses).toEqual(expect.arrayContaining([route.response.status ?? 200, ...route.errors]));
    }
  });

  it('names the bodies a user sends and reads as components', () => {
    const schemas = Object.keys(document.components['schemas'] ?? {});
    expect(schemas).toEqual(
      expect.arrayContaining([
        'Action',
        'ActionCreate',
        'ActionUpdate',
        'ActionType',
        'Project',
        'ProjectCreate',
        'Run',
        'RunPage',
        'WorkbookSpec',
        'DryRunReport',
        'ServiceUpsert',
        'InventoryService',
        'Problem',
      ]),
    );
  });

  it('documents response timestamps as date-time strings', () => {
    const action = (document.components['schemas'] as Record<string, { properties: Record<string, Record<string, unknown>> }>)['Action']!;
    expect(action.properties['created_at']).toMatchObject({ type: 'string', format: 'date-time' });
  });
});
