import { Readable } from 'node:stream';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, MAX_INGEST_BODY_BYTES, OTLP_LOGS_PATH } from '@auditstack/audit-core';
import type { GatewayErrorCode } from '../gateway.errors';
import { decodeLogsRequestProtobuf, encodeLogsResponseProtobuf, gunzipBounded, OtlpDecodeError, type ExportLogsServiceResponseJson } from './otlp-decode.util';

/** Injection token of the marker provider that teaches Fastify the OTLP/HTTP encodings. */
export const OTLP_BODY_ENCODINGS = Symbol('OTLP_BODY_ENCODINGS');

/** OTLP/HTTP binary protobuf media type (OTLP specification, "OTLP/HTTP Request"). */
export const PROTOBUF_CONTENT_TYPE = 'application/x-protobuf';

function isOtlpRoute(request: FastifyRequest): boolean {
  return request.routeOptions?.url === OTLP_LOGS_PATH;
}

const JSON_CONTENT_TYPE = 'application/json';

/** The request's media type, lowercased, without parameters ('' when absent). */
function mediaType(request: FastifyRequest): string {
  const type = request.headers['content-type'];
  return typeof type === 'string' ? type.split(';')[0]!.trim().toLowerCase() : '';
}

function isProtobuf(request: FastifyRequest): boolean {
  return mediaType(request) === PROTOBUF_CONTENT_TYPE;
}

function decodeError(error: OtlpDecodeError): DomainError {
  return error.reason === 'too_large'
    ? new DomainError('PAYLOAD_TOO_LARGE', error.message)
    : new DomainError<GatewayErrorCode>('OTLP_MALFORMED', error.message, { errors: [{ path: '', rule: error.message, in: 'body' }] });
}

/** Reads a request stream up to `limit` bytes (the compressed body of a gzip request). */
async function readBounded(payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `the request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The OTLP/HTTP encodings on `POST /v1/otlp/v1/logs`, registered on the
 * Fastify instance while the module graph is built (before Nest registers
 * routes, like {@link IngestBodyLimit}):
 *
 * - media types (a `preParsing` hook): `application/json` and
 *   `application/x-protobuf` only, anything else a 415;
 * - `Content-Encoding: gzip` (the same hook): the compressed body is read
 *   up to 5 MB and inflated up to 5 MB — a zip bomb is a 413, bytes that are
 *   not gzip a 400 `OTLP_MALFORMED`; any other encoding is a 415;
 * - `application/x-protobuf` (a content-type parser): an
 *   `ExportLogsServiceRequest` decoded with the OpenTelemetry project's
 *   generated root into the OTLP/JSON shape, so the route's contract validates
 *   both encodings with one schema; garbage is a 400 `OTLP_MALFORMED`, and
 *   the media type is refused (415) on every other route;
 * - the answer in the request's encoding (an `onSend` hook): a protobuf
 *   request gets its `ExportLogsServiceResponse` protobuf-encoded with the same
 *   root; problems stay `application/problem+json`.
 */
export const OtlpBodyEncodings = {
  provide: OTLP_BODY_ENCODINGS,
  inject: [HttpAdapterHost],
  useFactory: (host: HttpAdapterHost): boolean => {
    const instance = host.httpAdapter?.getInstance<FastifyInstance>();
    if (!instance || typeof instance.addHook !== 'function') return false;

    instance.addHook('preParsing', async (request: FastifyRequest, _reply: FastifyReply, payload) => {
      if (!isOtlpRoute(request)) return payload;
      // OTLP/HTTP has two encodings; Fastify would otherwise parse text/plain too (its default parser).
      const type = mediaType(request);
      if (type !== PROTOBUF_CONTENT_TYPE && type !== JSON_CONTENT_TYPE) {
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${JSON_CONTENT_TYPE} or ${PROTOBUF_CONTENT_TYPE}`);
      }
      const encoding = String(request.headers['content-encoding'] ?? 'identity')
        .trim()
        .toLowerCase();
      if (encoding === 'identity' || encoding === '') return payload;
      if (encoding !== 'gzip') throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding must be gzip or identity');
      const compressed = await readBounded(payload, MAX_INGEST_BODY_BYTES);
      let inflated: Buffer;
      try {
        inflated = await gunzipBounded(compressed, MAX_INGEST_BODY_BYTES);
      } catch (error) {
        if (error instanceof OtlpDecodeError) throw decodeError(error);
        throw error;
      }
      // Fastify compares Content-Length with `receivedEncodedLength` (the bytes on the wire), and the body limit with the inflated bytes.
      const stream = Readable.from([inflated]) as Readable & { receivedEncodedLength?: number };
      stream.receivedEncodedLength = compressed.length;
      delete request.headers['content-encoding'];
      return stream;
    });

    instance.addContentTypeParser(PROTOBUF_CONTENT_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
      if (!isOtlpRoute(request)) {
        done(new DomainError('UNSUPPORTED_MEDIA_TYPE', `${PROTOBUF_CONTENT_TYPE} is accepted on ${OTLP_LOGS_PATH} only`), undefined);
        return;
      }
      try {
        done(null, decodeLogsRequestProtobuf(body as Buffer));
      } catch (error) {
        done(error instanceof OtlpDecodeError ? decodeError(error) : (error as Error), undefined);
      }
    });

    instance.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (!isOtlpRoute(request) || !isProtobuf(request) || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
      const response = JSON.parse(payload) as ExportLogsServiceResponseJson;
      void reply.header('content-type', PROTOBUF_CONTENT_TYPE);
      return encodeLogsResponseProtobuf(response);
    });
    return true;
  },
};
