import { COMMON_ROUTES, ENGINE_ROUTES, GATEWAY_ROUTES, type AnyRoute, type RouteResponse, type RouteTable } from '@auditstack/audit-core';
import { createClient, type ApiClient, type CallParameters, type ClientOptions, type PageItem, type PageRoute } from './api.client';
import { ClientError } from './client.error';

/** One method per route of `T`, named by its operationId and typed by its contract. */
export type ServiceMethods<T extends RouteTable> = {
  readonly [K in keyof T]: (...args: CallParameters<T[K]>) => Promise<RouteResponse<T[K]>>;
};

/** The operationIds of `T` whose response is a `{items, next_cursor}` page. */
export type PageOperation<T extends RouteTable> = {
  [K in keyof T]: T[K] extends PageRoute ? K : never;
}[keyof T];

/** A typed client of one service: a method per operation, `paginate` over its lists, and the underlying {@link ApiClient}. */
export type ServiceClient<T extends RouteTable> = ServiceMethods<T> & {
  /** Every item of the list `operationId`, page after page. */
  readonly paginate: <K extends PageOperation<T>>(operationId: K, ...args: CallParameters<T[K]>) => AsyncIterableIterator<PageItem<T[K]>>;
  /** The generic client the methods call. */
  readonly $client: ApiClient;
};

const RESERVED = new Set(['paginate', '$client']);

/**
 * Derives a typed client from a route table by mapping over it: nothing is
 * declared by hand, so a route added to the contract is a method here.
 */
export function createServiceClient<T extends RouteTable>(routes: T, options: ClientOptions | ApiClient): ServiceClient<T> {
  const client = 'call' in options ? options : createClient(options);
  const methods: Record<string, unknown> = {};
  for (const [operationId, route] of Object.entries(routes) as [string, AnyRoute][]) {
    if (RESERVED.has(operationId)) throw new ClientError('INVALID_REQUEST', `operationId ${operationId} is reserved by the SDK`);
    methods[operationId] = (args?: object) => client.call(route, args as never);
  }
  const paginate = (operationId: string, args?: object): AsyncIterableIterator<unknown> => {
    const route = routes[operationId];
    if (!route) throw new ClientError('INVALID_REQUEST', `no operation ${operationId}`);
    return client.paginate(route as PageRoute, args as never);
  };
  return Object.freeze({
    ...methods,
    paginate,
    $client: client,
  }) as unknown as ServiceClient<T>;
}

/** The routes every service answers (probes, metrics, whoami). */
export type CommonClient = ServiceClient<typeof COMMON_ROUTES>;

/** A client of the routes both services answer: `ping`, `ready`, `metrics`, `whoami`. */
export function createCommonClient(options: ClientOptions | ApiClient): CommonClient {
  return createServiceClient(COMMON_ROUTES, options);
}

/** A typed client of every gateway route: `gateway.listLifecycleEvents({ query })`, `gateway.ingestToolEvents({ body })`, … */
export type GatewayClient = ServiceClient<typeof GATEWAY_ROUTES>;

/** A client of the gateway, one method per operationId of `GATEWAY_ROUTES`. */
export function createGatewayClient(options: ClientOptions | ApiClient): GatewayClient {
  return createServiceClient(GATEWAY_ROUTES, options);
}

/** A typed client of every engine route: `engine.getOverview()`, `engine.listProjects({ query })`, … */
export type EngineClient = ServiceClient<typeof ENGINE_ROUTES>;

/** A client of the engine, one method per operationId of `ENGINE_ROUTES`. */
export function createEngineClient(options: ClientOptions | ApiClient): EngineClient {
  return createServiceClient(ENGINE_ROUTES, options);
}
