import type { z } from 'zod';

/** HTTP methods a route may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every error status a route may document; each maps to a shared problem response in the OpenAPI document. */
export const ERROR_STATUSES = [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] as const;
export type ErrorStatus = (typeof ERROR_STATUSES)[number];

/** Error statuses every authenticated route can answer with (auth, rate limit, load shedding, bugs). */
export const AUTHENTICATED_ERRORS = [401, 403, 429, 500, 503] as const satisfies readonly ErrorStatus[];
/** Error statuses every public probe can answer with. */
export const PUBLIC_ERRORS = [500, 503] as const satisfies readonly ErrorStatus[];

/** A response body: a zod schema (JSON) or a non-JSON media type described in words. */
export interface ResponseContract<R extends z.ZodType = z.ZodType> {
  /** Success status. @defaultValue 200 */
  readonly status?: 200 | 201 | 202 | 204;
  readonly description: string;
  /** The body's schema (JSON); absent for 204 and for non-JSON bodies. */
  readonly schema?: R;
  /** Media type when the body is not JSON (e.g. `text/plain` for a signed note, `text/plain; version=0.0.4` for metrics). */
  readonly contentType?: string;
  /** Response headers worth documenting (`Retry-After`, `Location`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One route of a service: everything a client, the OpenAPI document, the
 * server's validation and the SDK need, in one object. Paths use OpenAPI
 * templating (`/v1/actions/{id}`); parameter names are the path schema's keys.
 */
export interface RouteContract<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** `bearer`: an API token is required; `public`: a health, metrics or opted-in public probe. */
  readonly auth: 'bearer' | 'public';
  /** Entitlement the token needs (documented; enforced by the guard). */
  readonly entitlement?: string;
  readonly params?: P;
  readonly query?: Q;
  /** JSON request body. A route that reads its body some other way (raw NDJSON, a signed note) documents it with `bodyContentType` and validates it itself. */
  readonly body?: B;
  /** Media type of a non-JSON request body, documented only. */
  readonly bodyContentType?: string;
  /**
   * Further JSON media types the route accepts besides `application/json`
   * (e.g. `application/cloudevents+json`), each with the schema documented for
   * it. The service registers a JSON parser for each; `body` still validates
   * every request whatever its media type.
   */
  readonly bodyMediaTypes?: Readonly<Record<string, z.ZodType>>;
  /** Example request body (the same example appears in the event catalog). */
  readonly bodyExample?: unknown;
  readonly response: ResponseContract<R>;
  /** Every error status this route can answer with (each is an RFC 9457 problem). */
  readonly errors: readonly ErrorStatus[];
}

/** Any route contract. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteContract<any, any, any, any>;

/** Typed pieces of a route, for servers and clients. */
export type RouteParams<R> = R extends RouteContract<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.output<P> : never;
export type RouteQuery<R> = R extends RouteContract<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.output<Q> : never;
export type RouteBody<R> = R extends RouteContract<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.output<B> : never;
/** What a handler returns: the input side of the response schema (e.g. `Date` where the wire has a string). */
export type RouteResult<R> = R extends RouteContract<z.ZodType, z.ZodType, z.ZodType, infer S> ? z.input<S> : never;
/** What a client receives: the output side of the response schema. */
export type RouteResponse<R> = R extends RouteContract<z.ZodType, z.ZodType, z.ZodType, infer S> ? z.output<S> : never;
/** What a client sends for the query / params / body (input side: defaults may be omitted). */
export type RouteQueryInput<R> = R extends RouteContract<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.input<Q> : never;
export type RouteParamsInput<R> = R extends RouteContract<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.input<P> : never;
export type RouteBodyInput<R> = R extends RouteContract<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.input<B> : never;

/** Identity with inference: declare a route and keep its literal types. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  route: RouteContract<P, Q, B, R>,
): RouteContract<P, Q, B, R> {
  return route;
}

/** A service's routes, keyed by operationId (the SDK's method names). */
export type RouteTable = Readonly<Record<string, AnyRoute>>;

/** Fills the path template with encoded parameters: `/v1/actions/{id}` + `{id: 'a b'}` → `/v1/actions/a%20b`. */
export function fillPath(path: string, params: Readonly<Record<string, unknown>> | undefined): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}
