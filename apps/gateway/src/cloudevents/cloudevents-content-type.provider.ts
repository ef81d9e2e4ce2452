import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { CLOUDEVENTS_BATCH_MEDIA_TYPE, CLOUDEVENTS_JSON_MEDIA_TYPE, GATEWAY_ROUTES, MAX_INGEST_BODY_BYTES } from '@auditstack/audit-core';

/** `application/json` or any `+json` type, with parameters. */
const JSON_MEDIA_TYPE = /^\s*application\/(?:[a-z0-9!#$&^_.-]+\+)?json\s*(?:;.*)?$/i;

/** Injection token of the marker provider that teaches Fastify the CloudEvents media types. */
export const CLOUDEVENTS_CONTENT_TYPES = Symbol('CLOUDEVENTS_CONTENT_TYPES');

/**
 * Registers `application/cloudevents+json` and
 * `application/cloudevents-batch+json` with Fastify's own JSON parser (same
 * prototype-poisoning refusal as `application/json`), bounded at 5 MB, and
 * gives `POST /v1/cloudevents` the 5 MB ingest body limit (the ingest module
 * does too when the path is in its list; setting it twice is harmless), and
 * answers 415 for any other media type (Fastify would parse text/plain). Runs
 * while the module graph is built, before Nest registers routes, so the
 * `onRoute` hook sees the route.
 */
export const CloudEventsContentTypes = {
  provide: CLOUDEVENTS_CONTENT_TYPES,
  inject: [HttpAdapterHost],
  useFactory: (host: HttpAdapterHost): boolean => {
    const instance = host.httpAdapter?.getInstance<FastifyInstance>();
    if (!instance || typeof instance.addContentTypeParser !== 'function') return false;
    const types = [CLOUDEVENTS_JSON_MEDIA_TYPE, CLOUDEVENTS_BATCH_MEDIA_TYPE].filter((type) => !instance.hasContentTypeParser(type));
    if (types.length > 0) {
      instance.addContentTypeParser(types, { parseAs: 'string', bodyLimit: MAX_INGEST_BODY_BYTES }, instance.getDefaultJsonParser('error', 'error'));
    }
    const path = GATEWAY_ROUTES.ingestCloudEvents.path;
    instance.addHook('onRoute', (route: RouteOptions) => {
      if (route.url !== path || route.method !== 'POST') return;
      route.bodyLimit = MAX_INGEST_BODY_BYTES;
      // Fastify also parses text/plain: CloudEvents data here is JSON, so any other media type is a 415 before validation.
      const refuseNonJson = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
        const type = request.headers['content-type'];
        if (type === undefined || JSON_MEDIA_TYPE.test(type)) return done();
        done(
          Object.assign(
            new Error(
              `Unsupported Media Type: CloudEvents are accepted as application/json (binary mode), ${CLOUDEVENTS_JSON_MEDIA_TYPE} or ${CLOUDEVENTS_BATCH_MEDIA_TYPE}`,
            ),
            { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' },
          ),
        );
      };
      const existing = route.preValidation;
      route.preValidation = existing === undefined ? refuseNonJson : [...(Array.isArray(existing) ? existing : [existing]), refuseNonJson];
    });
    return true;
  },
};
