import { applyDecorators, Delete, Get, HttpCode, Patch, Post, Put, SetMetadata } from '@nestjs/common';
import type { AnyRoute, HttpMethod } from '@auditstack/audit-core';
import { Public } from '../auth/auth.decorators';

/** Metadata key under which a handler's route contract is kept. */
export const ROUTE_CONTRACT = 'auditstack:route-contract';

const METHODS: Record<HttpMethod, (path: string) => MethodDecorator> = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete };

/** `/v1/actions/{id}` → `/v1/actions/:id` (Nest's path syntax). */
export function nestPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/**
 * Binds a handler to its route contract: the HTTP method and path, the
 * success status, `@Public()` for public probes, and the metadata the
 * {@link ContractInterceptor} reads to validate the request and serialise the
 * response. Use it on a controller declared `@Controller()` (no prefix: the
 * contract holds the whole path).
 *
 * @example @ContractRoute(ENGINE_ROUTES.getAction) get(@Param('id') id: string) { … }
 */
export function ContractRoute(route: AnyRoute): MethodDecorator {
  const decorators: MethodDecorator[] = [
    METHODS[route.method](nestPath(route.path)),
    HttpCode(route.response.status ?? 200),
    SetMetadata(ROUTE_CONTRACT, route),
  ];
  if (route.auth === 'public') decorators.push(Public());
  return applyDecorators(...decorators);
}
