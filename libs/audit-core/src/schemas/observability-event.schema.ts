import { z } from 'zod';
import {
  boundedText,
  EventTimestampSchema,
  Hex64Schema,
  IdentifierSchema,
  named,
  NonNegativeIntSchema,
  quoteKeys,
  UuidSchema,
  withPath,
} from './common.schema';

/** Where an observability event came from (`audit.observability_events.source`). Persisted: never rename. */
export const OBSERVABILITY_SOURCES = ['otlp', 'cloudevents', 'json'] as const;

/** One of {@link OBSERVABILITY_SOURCES}. */
export type ObservabilitySource = (typeof OBSERVABILITY_SOURCES)[number];

/** Most attributes an observability row keeps (the rest are only hashed and counted). */
export const MAX_KEPT_ATTRIBUTES = 32;

/** Longest kept attribute key. */
export const MAX_KEPT_ATTRIBUTE_KEY = 128;

/** Longest kept string attribute value. */
export const MAX_KEPT_ATTRIBUTE_VALUE = 256;

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

const KeptKeySchema = z
  .string()
  .min(1)
  .max(MAX_KEPT_ATTRIBUTE_KEY)
  .refine((key) => !CONTROL_CHARS.test(key), named(`attribute keys must be 1–${MAX_KEPT_ATTRIBUTE_KEY} characters without control characters`));

const KeptValueSchema = z.union(
  [boundedText(MAX_KEPT_ATTRIBUTE_VALUE), z.number().finite(), z.boolean()],
  named(`a kept attribute must be a string of at most ${MAX_KEPT_ATTRIBUTE_VALUE} characters, a finite number or a boolean`),
);

/**
 * The attributes an observability row keeps in clear: scalar, bounded values
 * of an allowlist chosen by the ingest path (service name, engine id, status
 * codes…). Everything else of the record is only hashed and sized.
 */
export const KeptAttributesSchema = z
  .record(KeptKeySchema, KeptValueSchema, named('must be an object of kept attributes'))
  .refine((value) => Object.keys(value).length <= MAX_KEPT_ATTRIBUTES, {
    error: (issue) => withPath(issue.path, `at most ${MAX_KEPT_ATTRIBUTES} kept attributes`),
  });

const OptionalText = (max: number) => boundedText(max).nullable().default(null);

/**
 * An engine's observability record (an OTLP log record that is neither a tool
 * call nor a lifecycle transition), as stored in `audit.observability_events`
 * and hashed into its `observability` ledger leaf. Payload-free: the body and
 * the full attribute set are kept only as SHA-256 + size; `attributes` holds
 * the kept (allowlisted, scalar, bounded) ones.
 */
export const ObservabilityEventSchema = z.strictObject(
  {
    event_id: UuidSchema.optional(),
    ts: EventTimestampSchema,
    observed_ts: EventTimestampSchema.nullable().default(null),
    source: z.enum(OBSERVABILITY_SOURCES, named(`must be one of ${OBSERVABILITY_SOURCES.join(', ')}`)),
    engine_id: IdentifierSchema.nullable().default(null),
    service_name: OptionalText(256),
    scope_name: OptionalText(256),
    severity_number: z.number(named('must be an integer 0–24')).int().min(0).max(24).nullable().default(null),
    severity_text: OptionalText(32),
    event_name: OptionalText(256),
    trace_id: z
      .string(named('must be 32 lowercase hex characters'))
      .regex(/^[0-9a-f]{32}$/)
      .nullable()
      .default(null),
    span_id: z
      .string(named('must be 16 lowercase hex characters'))
      .regex(/^[0-9a-f]{16}$/)
      .nullable()
      .default(null),
    body_sha256: Hex64Schema.nullable().default(null),
    body_size: NonNegativeIntSchema.default(0),
    attributes: KeptAttributesSchema.default({}),
    attributes_sha256: Hex64Schema.nullable().default(null),
    attributes_size: NonNegativeIntSchema.default(0),
    attribute_count: NonNegativeIntSchema.default(0),
  },
  {
    error: (issue) =>
      withPath(issue.path, issue.code === 'unrecognized_keys' ? `unknown field(s) ${quoteKeys(issue.keys)}` : 'an observability event must be an object'),
  },
);

/** A parsed observability row. */
export type ObservabilityEvent = z.output<typeof ObservabilityEventSchema>;

/** An observability row as an ingest path builds it. */
export type ObservabilityEventInput = z.input<typeof ObservabilityEventSchema>;
