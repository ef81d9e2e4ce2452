import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { MAX_INGEST_BODY_BYTES } from '@auditstack/audit-core';
import { INGEST_PATHS } from './ingest.controller';

/** Injection token of the marker provider that raises the ingest routes' body limit. */
export const INGEST_BODY_LIMIT = Symbol('INGEST_BODY_LIMIT');

/**
 * Raises Fastify's body limit to 5 MB on the ingest routes only (the service
 * default stays 1 MiB); a larger body gets Fastify's 413 before any parsing.
 * Runs while the module graph is built, i.e. before Nest registers routes, so
 * the `onRoute` hook sees them.
 */
export const IngestBodyLimit = {
  provide: INGEST_BODY_LIMIT,
  inject: [HttpAdapterHost],
  useFactory: (host: HttpAdapterHost): boolean => {
    const instance = host.httpAdapter?.getInstance<FastifyInstance>();
    if (!instance || typeof instance.addHook !== 'function') return false;
    instance.addHook('onRoute', (route: RouteOptions) => {
      if ((INGEST_PATHS as readonly string[]).includes(route.url) && route.method === 'POST') route.bodyLimit = MAX_INGEST_BODY_BYTES;
    });
    return true;
  },
};
