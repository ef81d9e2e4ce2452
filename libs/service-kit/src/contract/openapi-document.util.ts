import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import {
  COMMON_ERRORS,
  PROBLEM_CONTENT_TYPE,
  ProblemSchema,
  type AnyRoute,
  type DomainErrorTable,
  type ErrorStatus,
  type RouteTable,
} from '@auditstack/audit-core';

/** What an OpenAPI document is built from: a service's route table and error table. */
export interface OpenApiSource {
  readonly title: string;
  readonly description: string;
  /** The document's version (semver): its major is bumped for a breaking change. */
  readonly version: string;
  readonly routes: RouteTable;
  readonly errors: DomainErrorTable;
}

/** A JSON object (the generated document). */
export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, Record<string, unknown>>;
};

const STATUS_NAMES: Readonly<Record<ErrorStatus, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

const RETRY_AFTER = z.object({ 'Retry-After': z.int().min(1).meta({ description: 'Seconds to wait before retrying.' }) });

function errorResponse(status: ErrorStatus, errors: DomainErrorTable) {
  const codes = Object.entries({ ...COMMON_ERRORS, ...errors })
    .filter(([, spec]) => spec.status === status)
    .map(([code]) => code)
    .sort();
  return {
    id: `Problem${STATUS_NAMES[status]}`,
    description: `${STATUS_NAMES[status].replace(/([a-z])([A-Z])/g, '$1 $2')} — an RFC 9457 problem; \`code\` is one of: ${codes.join(', ') || '(none)'}.`,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
  };
}

function operationOf(
  route: AnyRoute,
  errors: DomainErrorTable,
  problemResponses: Map<ErrorStatus, ReturnType<typeof errorResponse>>,
): ZodOpenApiOperationObject {
  const ok = route.response.status ?? 200;
  const responses: Record<string, unknown> = {
    [String(ok)]: {
      description: route.response.description,
      ...(route.response.headers
        ? {
            headers: z.object(
              Object.fromEntries(Object.entries(route.response.headers).map(([name, description]) => [name, z.string().meta({ description })])),
            ),
          }
        : {}),
      ...(route.response.schema
        ? { content: { 'application/json': { schema: route.response.schema } } }
        : route.response.contentType
          ? { content: { [route.response.contentType]: { schema: z.string() } } }
          : {}),
    },
  };
  for (const status of [...new Set(route.errors)].sort((a, b) => a - b)) {
    // zod-openapi registers a component per response object: one object per status.
    if (!problemResponses.has(status)) problemResponses.set(status, errorResponse(status, errors));
    responses[String(status)] = problemResponses.get(status);
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [...route.tags],
    security: route.auth === 'bearer' ? [{ bearer: [] }] : [],
    ...(route.params || route.query
      ? { requestParams: { ...(route.params ? { path: route.params } : {}), ...(route.query ? { query: route.query } : {}) } }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: route.body, ...(route.bodyExample !== undefined ? { example: route.bodyExample } : {}) },
              ...Object.fromEntries(Object.entries(route.bodyMediaTypes ?? {}).map(([type, schema]) => [type, { schema }])),
            },
          },
        }
      : route.bodyContentType
        ? { requestBody: { required: true, content: { [route.bodyContentType]: { schema: z.string() } } } }
        : {}),
    responses: responses as ZodOpenApiResponsesObject,
  } as ZodOpenApiOperationObject;
}

/**
 * The OpenAPI 3.1 document of a service, generated from its route contracts:
 * request and response bodies, parameters, every error response (one shared
 * problem component per status) and the bearer security scheme. Bodies and
 * parameters become components (named by their schema's `id`, else by
 * operation) so the document reads as a catalogue. Deterministic: the same
 * routes give the same bytes (the committed documents are compared in CI).
 */
export function buildOpenApiDocument(source: OpenApiSource): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const problemResponses = new Map<ErrorStatus, ReturnType<typeof errorResponse>>();
  const sorted = Object.values(source.routes).sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const item = (paths[route.path] ??= {});
    (item as Record<string, ZodOpenApiOperationObject>)[route.method.toLowerCase()] = operationOf(route, source.errors, problemResponses);
  }
  const document = createDocument(
    {
      openapi: '3.1.0',
      info: { title: source.title, description: source.description, version: source.version, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      paths,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An auditstack API token (`auditstack tokens create`).' } } },
    },
    {
      override: ({ jsonSchema, zodSchema, io }) => {
        // Dates leave as ISO-8601 strings.
        if (zodSchema._zod.def.type === 'date' && io === 'output') {
          jsonSchema.type = 'string';
          jsonSchema.format = 'date-time';
        }
      },
      allowEmptySchema: { custom: true, transform: true, date: { input: true } },
    },
  ) as unknown as OpenApiDocument;
  return componentize(document);
}

/**
 * Moves inline request bodies, success responses and parameters into
 * components: a body is named `<OperationId>Request`, a response
 * `<OperationId>Response`, a parameter by its name (`limit`, or
 * `limit_2` when two routes give the same name different schemas).
 */
function componentize(document: OpenApiDocument): OpenApiDocument {
  const components = document.components;
  const schemas = (components.schemas ??= {}) as Record<string, unknown>;
  const parameters = (components.parameters ??= {}) as Record<string, unknown>;
  const parameterKeys = new Map<string, string>();
  const pascal = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as Array<Record<string, unknown>>) {
      const operationId = pascal(String(op.operationId));
      const body = (op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined)?.content?.['application/json'];
      if (body?.schema && !('$ref' in body.schema)) {
        schemas[`${operationId}Request`] = body.schema;
        body.schema = { $ref: `#/components/schemas/${operationId}Request` };
      }
      for (const [status, response] of Object.entries(
        (op.responses ?? {}) as Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>,
      )) {
        const json = response.content?.['application/json'];
        if (status.startsWith('2') && json?.schema && !('$ref' in json.schema)) {
          schemas[`${operationId}Response`] = json.schema;
          json.schema = { $ref: `#/components/schemas/${operationId}Response` };
        }
      }
      const params = (op.parameters ?? []) as Array<Record<string, unknown>>;
      op.parameters = params.map((param) => {
        if ('$ref' in param) return param;
        const fingerprint = JSON.stringify(param);
        let name = parameterKeys.get(fingerprint);
        if (!name) {
          const base = `${String(param.in)}.${String(param.name)}`.replace(/[^A-Za-z0-9._-]/g, '_');
          name = base;
          for (let i = 2; name in parameters; i++) name = `${base}_${i}`;
          parameters[name] = param;
          parameterKeys.set(fingerprint, name);
        }
        return { $ref: `#/components/parameters/${name}` };
      });
      if ((op.parameters as unknown[]).length === 0) delete op.parameters;
    }
  }
  document.components = sortKeys(components) as OpenApiDocument['components'];
  return document;
}

function sortKeys(value: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))]),
  );
}
