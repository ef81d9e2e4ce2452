import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
// The OpenTelemetry project's protobufjs root, generated from opentelemetry-proto (no .d.ts for the deep path).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generated = require('@opentelemetry/otlp-transformer/build/src/generated/root') as OtlpProtoRoot;

const gunzipAsync = promisify(gunzip);

/** The slice of the generated protobufjs root this module uses. */
interface ProtoMessageType {
  decode(reader: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}
interface OtlpProtoRoot {
  opentelemetry: {
    proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoMessageType; ExportLogsServiceResponse: ProtoMessageType } } } };
  };
}

const LOGS = generated.opentelemetry.proto.collector.logs.v1;

/** Why an OTLP body could not be read: `malformed` → 400 OTLP_MALFORMED, `too_large` → 413. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  constructor(
    message: string,
    readonly reason: 'malformed' | 'too_large',
  ) {
    super(message);
  }
}

/**
 * Inflates a gzip body with a hard limit on the inflated size: a "zip bomb"
 * (a few KB that inflate to gigabytes) stops at `maxBytes` instead of
 * exhausting memory.
 *
 * @throws OtlpDecodeError `too_large` beyond `maxBytes`, `malformed` when the bytes are not gzip.
 */
export async function gunzipBounded(compressed: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    return await gunzipAsync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new OtlpDecodeError(`the gzip body inflates beyond ${maxBytes} bytes`, 'too_large');
    }
    throw new OtlpDecodeError('the body is not valid gzip (Content-Encoding: gzip)', 'malformed');
  }
}

/** Protobuf `bytes` (base64 after toObject) → lowercase hex, as OTLP/JSON writes trace and span ids. */
function base64ToHex(value: unknown): unknown {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('hex') : value;
}

/**
 * Decodes a binary `ExportLogsServiceRequest` (OTLP/HTTP protobuf) with the
 * OpenTelemetry project's generated root and returns it in the OTLP/JSON
 * shape (camelCase keys, 64-bit integers as decimal strings, enums as
 * numbers, `traceId`/`spanId` as hex, other `bytes` as base64), so that
 * one schema and one mapper serve both encodings.
 *
 * @throws OtlpDecodeError `malformed` when the bytes are not such a message.
 */
export function decodeLogsRequestProtobuf(bytes: Uint8Array): Record<string, unknown> {
  let object: Record<string, unknown>;
  try {
    const message = LOGS.ExportLogsServiceRequest.decode(bytes);
    object = LOGS.ExportLogsServiceRequest.toObject(message, { longs: String, bytes: String, enums: Number, defaults: false, arrays: false, json: true });
  } catch {
    // protobufjs' messages quote offsets and wire types of attacker bytes: say what is wrong, not where.
    throw new OtlpDecodeError('the body is not a valid protobuf ExportLogsServiceRequest', 'malformed');
  }
  const eventNames = logRecordEventNames(bytes);
  asArray(object['resourceLogs']).forEach((resourceLogs, i) => {
    asArray((resourceLogs as Record<string, unknown>)['scopeLogs']).forEach((scopeLogs, j) => {
      asArray((scopeLogs as Record<string, unknown>)['logRecords']).forEach((record, k) => {
        const r = record as Record<string, unknown>;
        if ('traceId' in r) r['traceId'] = base64ToHex(r['traceId']);
        if ('spanId' in r) r['spanId'] = base64ToHex(r['spanId']);
        const eventName = eventNames.get(`${i}/${j}/${k}`);
        if (eventName !== undefined) r['eventName'] = eventName;
      });
    });
  });
  return object;
}

/** Field numbers of opentelemetry-proto that lead to `LogRecord.event_name` (logs/v1, added after the generated root's proto version). */
const FIELD = { resourceLogs: 1, scopeLogs: 2, logRecords: 2, eventName: 12 } as const;

/** Reads a base-128 varint at `at`: [value, next offset]. Lengths here stay below 2^53 (the body is ≤ 5 MB). */
function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new OtlpDecodeError('the body is not a valid protobuf ExportLogsServiceRequest', 'malformed');
}

/** Each field of one message: [field number, wire type, start, end] — `start..end` is the payload of a length-delimited field. */
function* fields(bytes: Uint8Array, from: number, to: number): Generator<[number, number, number, number]> {
  let at = from;
  while (at < to) {
    const [tag, afterTag] = varint(bytes, at);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let start = afterTag;
    let end: number;
    if (wire === 0) end = varint(bytes, afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [length, afterLength] = varint(bytes, afterTag);
      start = afterLength;
      end = afterLength + length;
    } else throw new OtlpDecodeError('the body is not a valid protobuf ExportLogsServiceRequest', 'malformed');
    if (end > to) throw new OtlpDecodeError('the body is not a valid protobuf ExportLogsServiceRequest', 'malformed');
    yield [field, wire, start, end];
    at = end;
  }
}

/**
 * `LogRecord.event_name` (field 12) of every record, keyed `resource/scope/record`.
 * The generated root predates the field and drops it, but current SDKs send
 * the event name there (not as an `event.name` attribute): a lifecycle record
 * named `auditstack.lifecycle.<action>` must not lose its name on the way.
 */
function logRecordEventNames(bytes: Uint8Array): Map<string, string> {
  const names = new Map<string, string>();
  const text = new TextDecoder('utf-8', { fatal: false });
  let i = 0;
  for (const [f1, w1, s1, e1] of fields(bytes, 0, bytes.length)) {
    if (f1 !== FIELD.resourceLogs || w1 !== 2) continue;
    let j = 0;
    for (const [f2, w2, s2, e2] of fields(bytes, s1, e1)) {
      if (f2 !== FIELD.scopeLogs || w2 !== 2) continue;
      let k = 0;
      for (const [f3, w3, s3, e3] of fields(bytes, s2, e2)) {
        if (f3 !== FIELD.logRecords || w3 !== 2) continue;
        for (const [f4, w4, s4, e4] of fields(bytes, s3, e3)) {
          if (f4 === FIELD.eventName && w4 === 2) names.set(`${i}/${j}/${k}`, text.decode(bytes.subarray(s4, e4)));
        }
        k++;
      }
      j++;
    }
    i++;
  }
  return names;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The OTLP partial-success answer (OTLP/JSON shape; `partialSuccess` only when something was refused). */
export interface ExportLogsServiceResponseJson {
  partialSuccess?: { rejectedLogRecords: string | number; errorMessage: string };
}

/** Encodes an `ExportLogsServiceResponse` as protobuf with the same generated root (the answer to a protobuf request). */
export function encodeLogsResponseProtobuf(response: ExportLogsServiceResponseJson): Buffer {
  const message = LOGS.ExportLogsServiceResponse.fromObject(response as Record<string, unknown>);
  return Buffer.from(LOGS.ExportLogsServiceResponse.encode(message).finish());
}

/** Decodes an `ExportLogsServiceResponse` (for tests and clients). */
export function decodeLogsResponseProtobuf(bytes: Uint8Array): ExportLogsServiceResponseJson {
  const message = LOGS.ExportLogsServiceResponse.decode(bytes);
  return LOGS.ExportLogsServiceResponse.toObject(message, { longs: String, defaults: false }) as ExportLogsServiceResponseJson;
}

/** Encodes an OTLP/JSON-shaped request as protobuf (tests, the benchmark). `traceId`/`spanId` given as hex. */
export function encodeLogsRequestProtobuf(request: Record<string, unknown>): Buffer {
  const copy = structuredClone(request);
  for (const resourceLogs of asArray(copy['resourceLogs'])) {
    for (const scopeLogs of asArray((resourceLogs as Record<string, unknown>)['scopeLogs'])) {
      for (const record of asArray((scopeLogs as Record<string, unknown>)['logRecords'])) {
        const r = record as Record<string, unknown>;
        for (const key of ['traceId', 'spanId']) if (typeof r[key] === 'string') r[key] = Buffer.from(r[key], 'hex');
      }
    }
  }
  const message = LOGS.ExportLogsServiceRequest.fromObject(copy);
  return Buffer.from(LOGS.ExportLogsServiceRequest.encode(message).finish());
}
