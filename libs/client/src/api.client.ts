import {
  fillPath,
  ProblemSchema,
  type AnyRoute,
  type Problem,
  type RouteBodyInput,
  type RouteParamsInput,
  type RouteQueryInput,
  type RouteResponse,
} from '@auditstack/audit-core';
import { ApiError, ClientError } from './client.error';
import { isRetryable, parseRetryAfter, resolveRetry, retryAfterOf, retryDelay, sleep, type ResolvedRetry, type RetryOptions } from './retry.util';

/** The `fetch` the SDK calls: the global one by default, or any compatible implementation. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:8080` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** API token sent as `Authorization: Bearer …` on `bearer` routes. Never logged or put in an error message. */
  readonly token?: string;
  /** @defaultValue `globalThis.fetch` */
  readonly fetch?: FetchLike;
  /** Per-attempt timeout. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** Retries of a failed call (429, 503, … honouring `Retry-After`; network errors when the call is idempotent). */
  readonly retry?: RetryOptions;
  /** Extra headers on every request (e.g. `user-agent`). */
  readonly headers?: Readonly<Record<string, string>>;
}

// `{} extends T` asks "may every key of T be left out?": the empty object type is the point here.
/* eslint-disable @typescript-eslint/no-empty-object-type */
/** Nothing when a route has no such part (its schema is absent); the part, optional when it may be omitted. */
type Part<K extends string, T> = unknown extends T
  ? { readonly [P in K]?: never }
  : undefined extends T
    ? { readonly [P in K]?: T }
    : {} extends T
      ? { readonly [P in K]?: T }
      : { readonly [P in K]: T };

/** Options of one call, whatever the route. */
export interface CallOptions {
  /** Cancels the call (and its retries). */
  readonly signal?: AbortSignal;
  /** The call may be sent twice without effect, so a lost answer (network error, timeout) is retried. @defaultValue true for GET, false otherwise */
  readonly idempotent?: boolean;
  /** Overrides the client's retry options for this call. */
  readonly retry?: RetryOptions;
  /** Extra headers for this call. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called before each retry (attempt is 1-based) with the error that caused it. */
  readonly onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
}

/** What a call of `R` takes: its path parameters, query and body as the route contract types them (input side: defaults may be omitted). */
export type CallArgs<R extends AnyRoute> = Part<'params', RouteParamsInput<R>> &
  Part<'query', RouteQueryInput<R>> &
  Part<'body', RouteBodyInput<R>> &
  CallOptions;

/** The untyped shape of a call's arguments, inside the client. */
type LooseArgs = CallOptions & {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
};

/** Whether every part of a route's call may be omitted (then `args` is optional). */
type AllOptional<R extends AnyRoute> = {} extends Omit<CallArgs<R>, keyof CallOptions> ? true : false;
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** The arguments of a call of `R`: `args` may be left out when the route needs nothing. */
export type CallParameters<R extends AnyRoute> = AllOptional<R> extends true ? [args?: CallArgs<R>] : [args: CallArgs<R>];

/** A typed HTTP client over route contracts. */
export interface ApiClient {
  /** The options the client was made with (the token included: do not log). */
  readonly options: ClientOptions;
  /**
   * Calls `route`: fills its path, encodes its query, sends its body as JSON,
   * parses a 2xx body with the route's response schema (a non-JSON body is
   * returned as text, a 204 as `undefined`), and throws an {@link ApiError}
   * with the parsed problem for any error answer, after the retries allow.
   */
  call<R extends AnyRoute>(route: R, ...args: CallParameters<R>): Promise<RouteResponse<R>>;
  /**
   * Every item of a `{items, next_cursor}` list, page after page: calls
   * `route` with `query.cursor` set to the previous page's `next_cursor`
   * until it is null. `query.limit` sets the page size.
   */
  paginate<R extends PageRoute>(route: R, ...args: CallParameters<R>): AsyncIterableIterator<PageItem<R>>;
}

/** A route whose response is the collection shape `{items, next_cursor}`. */
export type PageRoute = AnyRoute & {
  readonly response: {
    readonly schema?: {
      readonly _zod: {
        readonly output: {
          items: readonly unknown[];
          next_cursor: string | null;
        };
      };
    };
  };
};

/** The item type of a list route. */
export type PageItem<R> = RouteResponse<R> extends { readonly items: readonly (infer T)[] } ? T : never;

/**
 * Makes a client for one service. Works wherever `fetch`, `AbortController`
 * and `setTimeout` exist (Node 20+, browsers, workers).
 *
 * @example
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080', token });
 * const me = await client.call(COMMON_ROUTES.whoami);
 */
export function createClient(options: ClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/i.test(baseUrl)) throw new ClientError('INVALID_REQUEST', 'baseUrl: must be an http(s) URL');
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const defaultRetry = resolveRetry(options.retry);

  async function once(route: AnyRoute, url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<unknown> {
    const operation = `${route.method} ${route.path}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      try {
        response = await fetchImpl(url, { ...init, signal: controller.signal });
      } catch (error) {
        if (timedOut) throw new ClientError('TIMEOUT', `${operation}: no answer within ${timeoutMs} ms`, { cause: error });
        if (signal?.aborted)
          throw new ClientError('ABORTED', `${operation}: aborted`, {
            cause: error,
          });
        throw new ClientError('NETWORK_ERROR', `${operation}: ${describeNetworkError(error)}`, { cause: error });
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (timedOut) throw new ClientError('TIMEOUT', `${operation}: body not received within ${timeoutMs} ms`, { cause: error });
        throw new ClientError('NETWORK_ERROR', `${operation}: the answer was cut: ${describeNetworkError(error)}`, { cause: error });
      }
      if (response.status < 200 || response.status > 299) {
        const problem = toProblem(response.status, response.headers.get('content-type'), text);
        const retryAfterMs =
          parseRetryAfter(response.headers.get('retry-after')) ?? (problem.retry_after_seconds !== undefined ? problem.retry_after_seconds * 1000 : undefined);
        throw new ApiError(operation, response.status, problem, retryAfterMs);
      }
      const schema = route.response.schema;
      if (response.status === 204 || (!schema && text === '')) return undefined;
      if (!schema) return text;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new ClientError('INVALID_RESPONSE', `${operation}: the ${response.status} body is not JSON`, { cause: error });
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const where = parsed.error.issues
          .slice(0, 5)
          .map((issue: { path: PropertyKey[]; message: string }) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`);
        throw new ClientError('INVALID_RESPONSE', `${operation}: the ${response.status} body does not match the contract (${where.join('; ')})`, {
          cause: parsed.error,
        });
      }
      return parsed.data;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function call(route: AnyRoute, args: LooseArgs = {}): Promise<unknown> {
    let path: string;
    try {
      path = fillPath(route.path, args.params as Record<string, unknown> | undefined);
    } catch (error) {
      throw new ClientError('INVALID_REQUEST', `${route.operationId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const url = `${baseUrl}${path}${encodeQuery(args.query)}`;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1',
      ...options.headers,
      ...args.headers,
    };
    if (route.auth === 'bearer' && options.token) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined;
    if (args.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(args.body);
    }
    const init: RequestInit = { method: route.method, headers, body };
    const retry: ResolvedRetry = args.retry ? resolveRetry(args.retry, defaultRetry) : defaultRetry;
    const idempotent = args.idempotent ?? route.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(route, url, init, args.signal);
      } catch (error) {
        if (attempt > retry.retries || !isRetryable(error, idempotent)) throw error;
        const delay = retryDelay(attempt, retry, retryAfterOf(error));
        args.onRetry?.(attempt, error, delay);
        await sleep(delay, args.signal);
      }
    }
  }

  async function* paginate(route: AnyRoute, args: LooseArgs = {}): AsyncIterableIterator<unknown> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const query = {
        ...(args.query as Record<string, unknown> | undefined),
        ...(cursor === undefined ? {} : { cursor }),
      };
      const page = (await call(route, { ...args, query } as LooseArgs)) as {
        items?: unknown;
        next_cursor?: unknown;
      };
      if (!page || !Array.isArray(page.items)) throw new ClientError('INVALID_RESPONSE', `${route.operationId}: not a {items, next_cursor} page`);
      yield* page.items;
      if (typeof page.next_cursor !== 'string') return;
      // A service that hands back a cursor twice would loop forever.
      if (seen.has(page.next_cursor)) throw new ClientError('INVALID_RESPONSE', `${route.operationId}: next_cursor repeats an earlier page`);
      seen.add(page.next_cursor);
      cursor = page.next_cursor;
    }
  }

  return {
    options,
    call: call as ApiClient['call'],
    paginate: paginate as ApiClient['paginate'],
  };
}

/**
 * Encodes a query object: `undefined`/`null` left out, arrays as repeated
 * keys, dates as ISO-8601, everything else as its string form.
 */
export function encodeQuery(query: unknown): string {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object') throw new ClientError('INVALID_REQUEST', 'query: must be an object');
  const search = new URLSearchParams();
  const put = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (value instanceof Date) search.append(key, value.toISOString());
    else if (typeof value === 'object') search.append(key, JSON.stringify(value));
    else search.append(key, String(value));
  };
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value) put(key, v);
    else put(key, value);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The problem of an error answer: the body when it is a problem document, otherwise one made from the status. */
function toProblem(status: number, contentType: string | null, text: string): Problem {
  if (contentType && /json/i.test(contentType)) {
    try {
      const parsed = ProblemSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // Not JSON after all: described from the status below.
    }
  }
  // A body that is not a problem (a proxy's page) is attacker-controlled text: keep a short, single-line excerpt.
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return {
    type: 'about:blank',
    title: `HTTP ${status}`,
    status: Math.min(599, Math.max(400, status)),
    code: `HTTP_${status}`,
    ...(excerpt ? { detail: excerpt } : {}),
  };
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
