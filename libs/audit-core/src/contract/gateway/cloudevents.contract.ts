import { z } from 'zod';
import { ENTITLEMENTS } from '../../constants/entitlements';
import { named } from '../../schemas/common.schema';
import { AUTHENTICATED_ERRORS, defineRoute } from '../route.contract';
import { IngestResponseSchema, MAX_BATCH_EVENTS } from './events.contract';

/** Media type of one CloudEvent in structured mode. */
export const CLOUDEVENTS_JSON_MEDIA_TYPE = 'application/cloudevents+json';
/** Media type of a batch of CloudEvents (a JSON array of structured events). */
export const CLOUDEVENTS_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/**
 * One CloudEvent 1.0 in structured mode, as documented (each event is checked
 * by the gateway on its own, so one bad event in a batch is reported in its
 * outcome). Further attributes are extensions: checked, never stored.
 */
export const CloudEventDocSchema = z
  .looseObject({
    specversion: z.literal('1.0').meta({ description: 'CloudEvents version: exactly "1.0".' }),
    id: z.string().min(1).max(1024).meta({ description: 'Unique per source; with `source` the idempotency key (the stored event_id is derived from both).' }),
    source: z.string().min(1).max(2048).meta({ description: 'URI-reference of the producer, e.g. `/orchestrator/eu-1`.' }),
    type: z.string().min(1).max(256).meta({
      description:
        'Chooses the stored event: `io.auditstack.lifecycle.<action>` or `com.<orchestrator>.engine.<action>` → a lifecycle event; `io.auditstack.tool.call`, `io.auditstack.gen_ai.execute_tool` or `gen_ai.execute_tool` → a tool event; any other type carrying the `engineid` extension → a payload-free observability event (data only hashed and sized). Anything else is rejected (see docs/ingest-formats.md).',
    }),
    time: z.string().max(256).optional().meta({ description: 'RFC 3339; becomes the event `ts` (absent: `data.ts`, else the time the gateway received it).' }),
    subject: z.string().max(1024).optional().meta({ description: 'Lifecycle types: the engine id (when `data.engine_id` is absent).' }),
    datacontenttype: z.string().max(256).optional().meta({ description: 'application/json (or another +json type) when present.' }),
    dataschema: z.string().max(2048).optional(),
    data: z.record(z.string(), z.unknown()).optional().meta({
      description:
        'The native fields: lifecycle — engine_id, product_id, user_id, actor, metadata, duration_ms; tool — req_id (default: `id`), workspace_id, user_id, agent_id, tool, action, status, duration_ms, in_size, out_size, input_hash, graph_run_id, graph_node, job_id. Sizes and hashes only: payload keys are refused.',
    }),
  })
  .meta({ id: 'CloudEvent', description: 'A CloudEvent 1.0 (structured mode, JSON).' });

/** A batch of CloudEvents (`application/cloudevents-batch+json`). */
export const CloudEventBatchDocSchema = z
  .array(CloudEventDocSchema)
  .min(1)
  .max(MAX_BATCH_EVENTS)
  .meta({ id: 'CloudEventBatch', description: `1–${MAX_BATCH_EVENTS} CloudEvents in structured mode.` });

/**
 * What the server checks before reading the request as CloudEvents: a JSON
 * object (binary data or one structured event) or an array (a batch). The
 * CloudEvents rules are applied per event by the gateway.
 */
const CloudEventsBodySchema = z
  .union(
    [z.record(z.string(), z.unknown()), z.array(z.unknown())],
    named('must be a JSON object (binary-mode data or one structured CloudEvent) or an array (a batch)'),
  )
  .meta({
    id: 'CloudEventsIngest',
    description:
      'As application/json: binary mode — the CloudEvent `data` (a JSON object of the native fields, see CloudEvent.data), the attributes in `ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-time`, `ce-subject` headers.',
  });

const EXAMPLE_TIME = '2026-11-20T10:00:00Z';

/** The routes of CloudEvents 1.0 over HTTP (issue 14). */
export const CLOUDEVENTS_ROUTES = {
  ingestCloudEvents: defineRoute({
    operationId: 'ingestCloudEvents',
    method: 'POST',
    path: '/v1/cloudevents',
    summary: 'Send CloudEvents',
    description:
      'CloudEvents 1.0, HTTP protocol binding: binary mode (`ce-*` headers, the data as an `application/json` body), structured mode (`Content-Type: application/cloudevents+json`) or a batch (`application/cloudevents-batch+json`, 1–10,000 events, body ≤ 5 MB). The `type` maps each event to a lifecycle or tool event, or (another type with the `engineid` extension) an observability event (docs/ingest-formats.md, "CloudEvents"); `source` + `id` is the idempotency key, so a redelivery is a `duplicate`. One event: 200 with its outcome, or 400 `CLOUDEVENT_REJECTED` naming the attribute. A batch: 200 with an outcome per event — partial success. A workspace-scoped caller cannot write lifecycle or observability events (403 for one event, rejected per event in a batch).',
    tags: ['events'],
    auth: 'bearer',
    entitlement: ENTITLEMENTS.eventsWrite,
    body: CloudEventsBodySchema,
    bodyMediaTypes: {
      [CLOUDEVENTS_JSON_MEDIA_TYPE]: CloudEventDocSchema,
      [CLOUDEVENTS_BATCH_MEDIA_TYPE]: CloudEventBatchDocSchema,
    },
    bodyExample: {
      engine_id: 'eng-1',
      product_id: 'prod-a',
      actor: 'system',
      metadata: { reason: 'request', boot_ms: 1200 },
      duration_ms: 1200,
    },
    response: {
      description: 'The outcome of each event, after the accepted ones are durable.',
      schema: IngestResponseSchema,
    },
    errors: [400, 413, 415, ...AUTHENTICATED_ERRORS],
  }),
} as const;

/** An example structured CloudEvent (documentation and tests). */
export const CLOUDEVENT_EXAMPLE = {
  specversion: '1.0',
  id: 'evt-0001',
  source: '/orchestrator/eu-1',
  type: 'com.example.engine.start',
  subject: 'eng-1',
  time: EXAMPLE_TIME,
  datacontenttype: 'application/json',
  data: { product_id: 'prod-a', user_id: 'u-1', actor: 'system', metadata: { reason: 'request', boot_ms: 1200 }, duration_ms: 1200 },
} as const;
