import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { LIFECYCLE_EXAMPLES, LifecycleEventSchema, TOOL_EVENT_EXAMPLE, ToolEventSchema } from '@auditstack/audit-core';
import { generateOpenApiText } from '../../tools/src/openapi/openapi-check.util';
import { openApiTargets } from '../../tools/src/openapi/openapi-targets.util';

/**
 * The committed OpenAPI documents (openapi/*.json), checked by an
 * independent validator (swagger-parser, OpenAPI 3.1 schema + $ref
 * resolution) and against the code that generates them.
 */

const ROOT = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
type Operation = { operationId: string; responses: Record<string, unknown>; requestBody?: { content: Record<string, { example?: unknown }> } };

const targets = openApiTargets();
const committed = new Map(targets.map((target) => [target.name, readFileSync(join(ROOT, target.file), 'utf8')]));
const documentOf = (name: string): Document => JSON.parse(committed.get(name)!) as Document;

function operationsOf(document: Document): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method): [string, Operation] => [`${method.toUpperCase()} ${path}`, item[method]!]),
  );
}

/** Operations, component schemas and error responses of a document: the figures of the closing note. */
function figuresOf(document: Document) {
  const operations = operationsOf(document);
  const problemComponents = Object.keys(document.components['responses'] ?? {}).filter((name) => name.startsWith('Problem'));
  const errorResponses = operations.reduce((sum, [, op]) => sum + Object.keys(op.responses).filter((status) => /^[45]\d\d$/.test(status)).length, 0);
  return {
    operations: operations.length,
    schemas: Object.keys(document.components['schemas'] ?? {}).length,
    parameters: Object.keys(document.components['parameters'] ?? {}).length,
    errorResponseComponents: problemComponents.length,
    errorResponses,
  };
}

describe('committed OpenAPI documents', () => {
  afterAll(() => {
    console.log(`openapi figures: ${targets.map((target) => `${target.file} ${JSON.stringify(figuresOf(documentOf(target.name)))}`).join('; ')}`);
  });

  it.each(targets.map((target) => target.name))('%s: swagger-parser validates it as OpenAPI 3.1 (schema and every $ref)', async (name) => {
    const document = documentOf(name);
    expect(document.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it.each(targets)('$name: regenerated from the code, it is byte for byte the committed file', (target) => {
    expect(generateOpenApiText(target)).toBe(committed.get(target.name));
  });

  it.each(targets.map((target) => target.name))('%s: every operation documents a success response and its error responses as problems', (name) => {
    const document = documentOf(name);
    for (const [key, operation] of operationsOf(document)) {
      const statuses = Object.keys(operation.responses);
      expect({ key, success: statuses.some((status) => status.startsWith('2')) }).toEqual({ key, success: true });
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect({ key, status, ref: (operation.responses[status] as { $ref?: string }).$ref }).toEqual({
          key,
          status,
          ref: expect.stringMatching(/^#\/components\/responses\/Problem/),
        });
      }
    }
  });

  it('the gateway ingest examples are the event catalog examples, and they parse', () => {
    const paths = documentOf('gateway').paths;
    const lifecycle = paths['/v1/lifecycle-events']?.['post']?.requestBody?.content['application/json']?.example;
    const tool = paths['/v1/tool-events']?.['post']?.requestBody?.content['application/json']?.example;
    const lifecycleExamples = Array.isArray(lifecycle) ? lifecycle : [lifecycle];
    const toolExamples = Array.isArray(tool) ? tool : [tool];
    expect(lifecycleExamples.length).toBeGreaterThan(0);
    for (const example of lifecycleExamples) {
      expect(Object.values(LIFECYCLE_EXAMPLES)).toContainEqual(example);
      expect(LifecycleEventSchema.safeParse(example).success).toBe(true);
    }
    expect(toolExamples).toEqual([TOOL_EVENT_EXAMPLE]);
    expect(ToolEventSchema.safeParse(toolExamples[0]).success).toBe(true);
  });
});
