import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { boundedText, IdentifierSchema, UtcTimestampSchema } from '../../schemas/common.schema';
import { OBSERVABILITY_SOURCES } from '../../schemas/observability-event.schema';
import { ApiTimestampSchema } from '../api-types.schema';
import { pageOf, PageQuerySchema } from '../page.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { MAX_BATCH_EVENTS } from './events.contract';
import { SourceInfoShape } from './gateway-shapes.schema';

/**
 * OpenTelemetry logs over OTLP/HTTP (issue 14, docs/ingest-formats.md
 * "OpenTelemetry"): the standard path, so any OpenTelemetry SDK or Collector
 * exporter can point at the gateway, and the observability events it keeps.
 */

/** The OTLP/HTTP logs path: the gateway's `/v1` prefix plus the standard `/v1/logs`. */
export const OTLP_LOGS_PATH = '/v1/otlp/v1/logs';

/** Longest list the OTLP/JSON body schema accepts at any level (records, attributes, values). */
const MAX_LIST = MAX_BATCH_EVENTS;

/** A 64-bit integer as OTLP/JSON writes it: a decimal string (proto3 JSON) or a number. */
const Int64Schema = z.union([z.string().max(24), z.number()]);

/**
 * An OTLP `AnyValue` (opentelemetry-proto common/v1): one of the members set.
 * Nested array and key-value list values are checked by the mapping (depth
 * ≤ 16), so one record nested too deep is refused alone.
 */
export const OtlpAnyValueSchema = z
  .object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: Int64Schema.optional(),
    doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
    bytesValue: z.string().optional().meta({ description: 'base64' }),
    arrayValue: z.object({ values: z.array(z.unknown()).max(MAX_LIST).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(z.unknown()).max(MAX_LIST).optional() }).optional(),
  })
  .meta({ id: 'OtlpAnyValue', description: 'An OTLP AnyValue (OTLP/JSON encoding).' });

/** An OTLP `KeyValue`. */
export const OtlpKeyValueSchema = z.object({ key: z.string(), value: OtlpAnyValueSchema.optional() }).meta({ id: 'OtlpKeyValue' });

const AttributesSchema = z.array(OtlpKeyValueSchema).max(MAX_LIST).optional();

/** An OTLP `LogRecord` (logs/v1), OTLP/JSON encoding: camelCase, `traceId`/`spanId` hex, 64-bit integers as strings or numbers. */
export const OtlpLogRecordSchema = z
  .object({
    timeUnixNano: Int64Schema.optional(),
    observedTimeUnixNano: Int64Schema.optional(),
    severityNumber: z.number().int().optional(),
    severityText: z.string().optional(),
    eventName: z.string().optional(),
    body: OtlpAnyValueSchema.optional(),
    attributes: AttributesSchema,
    droppedAttributesCount: z.number().int().optional(),
    flags: z.number().int().optional(),
    traceId: z.string().max(64).optional(),
    spanId: z.string().max(32).optional(),
  })
  .meta({ id: 'OtlpLogRecord' });

/**
 * `ExportLogsServiceRequest` (collector/logs/v1) in the OTLP/JSON encoding.
 * An `application/x-protobuf` body is decoded to this same shape (with the
 * OpenTelemetry project's generated protobuf root) before validation.
 * Unknown fields are ignored, as the OTLP specification asks of receivers.
 */
export const ExportLogsServiceRequestSchema = z
  .object({
    resourceLogs: z
      .array(
        z.object({
          resource: z.object({ attributes: AttributesSchema, droppedAttributesCount: z.number().int().optional() }).optional(),
          scopeLogs: z
            .array(
              z.object({
                scope: z.object({ name: z.string().optional(), version: z.string().optional(), attributes: AttributesSchema }).optional(),
                // The record count (≤ 10,000 over the whole request) is checked by the service: 413 BATCH_TOO_LARGE.
                logRecords: z.array(OtlpLogRecordSchema).optional(),
                schemaUrl: z.string().optional(),
              }),
            )
            .max(MAX_LIST)
            .optional(),
          schemaUrl: z.string().optional(),
        }),
      )
      .max(MAX_LIST)
      .optional(),
  })
  .meta({ id: 'ExportLogsServiceRequest', description: 'OTLP ExportLogsServiceRequest (OTLP/JSON encoding).' });

/**
 * An OTLP/JSON export as an agent runtime sends it: one GenAI tool call and
 * one engine log (the OpenAPI example; each maps as docs/ingest-formats.md says).
 */
export const OTLP_LOGS_EXAMPLE = {
  resourceLogs: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'agent-runtime' } },
          { key: 'engine.id', value: { stringValue: 'eng-7' } },
          { key: 'auditstack.workspace_id', value: { stringValue: 'ws-1' } },
        ],
      },
      scopeLogs: [
        {
          scope: { name: 'agent.tools', version: '1.4.0' },
          logRecords: [
            {
              timeUnixNano: '1795000000000000000',
              severityNumber: 9,
              eventName: 'gen_ai.execute_tool',
              attributes: [
                { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
                { key: 'gen_ai.tool.name', value: { stringValue: 'github' } },
                { key: 'gen_ai.tool.call.id', value: { stringValue: 'call_8f3a' } },
                { key: 'gen_ai.agent.id', value: { stringValue: 'agent-a' } },
                { key: 'auditstack.duration_ms', value: { intValue: '250' } },
                { key: 'auditstack.tool.in_size', value: { intValue: '1024' } },
                { key: 'auditstack.tool.out_size', value: { intValue: '4096' } },
              ],
            },
            {
              timeUnixNano: '1795000000500000000',
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'upstream call failed' },
              traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
              spanId: '00f067aa0ba902b7',
              attributes: [
                { key: 'http.response.status_code', value: { intValue: '502' } },
                { key: 'error.type', value: { stringValue: 'upstream_timeout' } },
              ],
            },
          ],
        },
      ],
    },
  ],
};

/** `ExportLogsServiceResponse`: `partialSuccess` only when some log records were refused. */
export const ExportLogsServiceResponseSchema = z
  .object({
    partialSuccess: z
      .object({
        rejectedLogRecords: z.string().regex(/^\d+$/).meta({ description: 'Log records refused (not stored), an int64 as a decimal string.' }),
        errorMessage: z.string().meta({ description: 'Why, naming each refused record by its OTLP/JSON path and the rule (bounded; never a value).' }),
      })
      .optional(),
  })
  .meta({
    id: 'ExportLogsServiceResponse',
    description: 'OTLP ExportLogsServiceResponse, after every accepted record is durable. A protobuf request gets it protobuf-encoded.',
  });

/** The binary OTLP/HTTP body, documented only (decoded to {@link ExportLogsServiceRequestSchema}'s shape before validation). */
export const OtlpProtobufBodySchema = z.string().meta({
  format: 'binary',
  description: 'A protobuf-encoded opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest.',
});

/** An observability event as stored and listed (what `GET /v1/observability-events` returns). */
export const StoredObservabilityEventSchema = z
  .object({
    event_id: z.uuid(),
    ts: ApiTimestampSchema,
    observed_ts: ApiTimestampSchema.nullable(),
    source: z.enum(OBSERVABILITY_SOURCES),
    engine_id: z.string().nullable(),
    service_name: z.string().nullable(),
    scope_name: z.string().nullable(),
    severity_number: z.number().int().nullable(),
    severity_text: z.string().nullable(),
    event_name: z.string().nullable(),
    trace_id: z.string().nullable(),
    span_id: z.string().nullable(),
    body_sha256: z
      .string()
      .nullable()
      .meta({ description: 'SHA-256 of the body (a string body: its UTF-8; else its canonical JSON); the body itself is never stored.' }),
    body_size: z.number().int().min(0),
    attributes: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .meta({ description: 'The kept attributes (allowlisted, scalar, bounded).' }),
    attributes_sha256: z.string().nullable().meta({ description: 'SHA-256 of the canonical JSON of all the record attributes.' }),
    attributes_size: z.number().int().min(0),
    attribute_count: z.number().int().min(0),
    ledger_seq: z.number().int().min(0).nullable(),
  })
  .meta({ id: 'StoredObservabilityEvent', description: 'An observability event as stored (payload-free), with its ledger position.' });

export const ObservabilityListQuerySchema = PageQuerySchema.extend({
  engine_id: IdentifierSchema.optional(),
  service_name: boundedText(256, 1).optional().meta({ description: 'Only records of this service (service.name, exact).' }),
  from: UtcTimestampSchema.optional().meta({ description: 'Only rows at or after this instant (ISO-8601 with a zone).' }),
  to: UtcTimestampSchema.optional().meta({ description: 'Only rows before this instant (ISO-8601 with a zone).' }),
});

export const ObservabilityEventPageSchema = pageOf(StoredObservabilityEventSchema)
  .extend(SourceInfoShape)
  .meta({ id: 'ObservabilityEventPage', description: 'Observability events, newest first.' });

/** The routes of OpenTelemetry logs over OTLP/HTTP (issue 14). */
export const OTLP_ROUTES = {
  exportOtlpLogs: defineRoute({
    operationId: 'exportOtlpLogs',
    method: 'POST',
    path: OTLP_LOGS_PATH,
    summary: 'Export OpenTelemetry logs (OTLP/HTTP)',
    description:
      'The OTLP/HTTP logs endpoint: point an OpenTelemetry SDK or Collector `otlphttp` exporter at `<gateway>/v1/otlp` with a bearer header. ' +
      'Bodies: `application/json` (OTLP/JSON) or `application/x-protobuf`, optionally `Content-Encoding: gzip` (≤ 5 MB on the wire and inflated; ≤ 10,000 records). ' +
      'GenAI `execute_tool` records become tool events, `auditstack.lifecycle.*` records lifecycle events, every other record a payload-free observability event ' +
      '(docs/ingest-formats.md). A record that cannot be mapped or validated is refused alone: `partialSuccess` counts and names it. ' +
      'The answer is in the request encoding. A storage outage is a 503 with Retry-After, which OTLP exporters retry.',
    tags: ['otlp'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: ExportLogsServiceRequestSchema,
    bodyExample: OTLP_LOGS_EXAMPLE,
    bodyMediaTypes: { 'application/x-protobuf': OtlpProtobufBodySchema },
    response: {
      description:
        'Stored (and durable): the OTLP answer, with partialSuccess when some records were refused. ' +
        'A protobuf request gets it as a protobuf-encoded ExportLogsServiceResponse (`application/x-protobuf`).',
      schema: ExportLogsServiceResponseSchema,
    },
    errors: [400, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
  listObservabilityEvents: defineRoute({
    operationId: 'listObservabilityEvents',
    method: 'GET',
    path: '/v1/observability-events',
    summary: 'List observability events',
    description: 'Newest first, filtered by engine, service and time, keyset-paginated. Only hashes, sizes and the kept attributes: never a body.',
    tags: ['otlp'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsRead,
    query: ObservabilityListQuerySchema,
    response: { description: 'One page of observability events.', schema: ObservabilityEventPageSchema },
    errors: [400, ...AUTHENTICATED_ERRORS],
  }),
} as const;
