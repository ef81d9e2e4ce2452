import SwaggerParser from '@apidevtools/swagger-parser';
import {
  GATEWAY_ROUTES,
  IngestResponseSchema,
  LIFECYCLE_EVENT_EXAMPLE,
  LifecycleEventSchema,
  TOOL_EVENT_EXAMPLE,
  ToolEventSchema,
} from '@auditstack/audit-core';
import { buildOpenApiDocument } from '@auditstack/service-kit';
import { GATEWAY_ERRORS } from './gateway.errors';

const source = {
  title: 'auditstack gateway',
  description: 'test',
  version: '1.0.0',
  routes: GATEWAY_ROUTES,
  errors: GATEWAY_ERRORS,
};

describe('the gateway contract', () => {
  it('builds an OpenAPI 3.1 document an independent validator accepts, with a path parameter for every templated segment', async () => {
    const document = buildOpenApiDocument(source);
    await SwaggerParser.validate(structuredClone(document) as never);
    const inclusion = document.paths['/v1/evidence/proofs/inclusion/{seq}']!['get']!;
    expect(JSON.stringify(inclusion['parameters'])).toContain('path.seq');
    expect(Object.keys(document.paths).length).toBeGreaterThanOrEqual(20);
  });

  it('documents the ingest bodies as one event or a batch of them, with the catalog examples', () => {
    const document = buildOpenApiDocument(source);
    const body = document.paths['/v1/lifecycle-events']!['post']!['requestBody'] as { content: Record<string, { example?: unknown }> };
    expect(body.content['application/json']!.example).toEqual([LIFECYCLE_EVENT_EXAMPLE]);
    const schema = JSON.stringify(document.components['schemas']);
    expect(schema).toContain('provision_denied');
    expect(schema).toContain('input_hash');
  });

  it('the ingest examples parse with the event schemas', () => {
    expect(LifecycleEventSchema.safeParse(LIFECYCLE_EVENT_EXAMPLE).success).toBe(true);
    expect(ToolEventSchema.safeParse(TOOL_EVENT_EXAMPLE).success).toBe(true);
  });

  it('the ingest body contract lets a batch with a bad event through to per-event outcomes, and refuses a body that is neither shape', () => {
    const body = GATEWAY_ROUTES.ingestToolEvents.body!;
    expect(body.safeParse([TOOL_EVENT_EXAMPLE, { ts: 'bad' }]).success).toBe(true);
    expect(body.safeParse({ ts: 'bad' }).success).toBe(true);
    const refused = body.safeParse('text');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('must be one event (a JSON object) or a batch (an array of events)');
  });

  it('answers a single event and a batch with distinct documented shapes', () => {
    expect(
      IngestResponseSchema.parse({
        event_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d11',
        status: 'accepted',
        backend: 'postgres',
      }),
    ).toEqual({
      event_id: '0193a1f2-7c3d-7b1e-9f00-2a4c6e8b0d11',
      status: 'accepted',
      backend: 'postgres',
    });
    const batch = {
      results: [{ index: 0, status: 'rejected', errors: ['[0] ts: required'] }],
      accepted: 0,
      duplicate: 0,
      rejected: 1,
      backend: 'postgres',
    };
    expect(IngestResponseSchema.parse(batch)).toEqual(batch);
  });
});
