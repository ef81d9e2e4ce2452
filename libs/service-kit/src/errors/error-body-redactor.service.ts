import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { redactConnectionDetails } from './connection-redaction.util';

/**
 * Last line of defence for every route and every exception filter of the
 * service: the body of a 5xx answer is passed through
 * {@link redactConnectionDetails} before it leaves, so no filter (present or
 * future) can echo the database host:port or a connection URL to a client.
 * 4xx bodies are left alone: they name the client's own input.
 */
@Injectable()
export class ErrorBodyRedactor implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || typeof fastify.addHook !== 'function') return;
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode < 500) return payload;
      if (typeof payload === 'string') return redactConnectionDetails(payload);
      if (Buffer.isBuffer(payload)) return redactConnectionDetails(payload.toString('utf8'));
      return payload;
    });
  }
}
