// Public boundary of @auditstack/client: browser-safe (no node: imports, no process).
// The Node shutdown hook lives at @auditstack/client/node.
export * from './api.client';
export * from './client.error';
export * from './event-id.util';
export * from './event.emitter';
export * from './retry.util';
export * from './service.client';
