import type { AnyRoute, Problem, RouteResponse } from '@auditstack/audit-core';
import { ApiError, ClientError, createClient, type ApiClient, type CallParameters, type FetchLike } from '@auditstack/client';

/**
 * The dashboard's side of the SDK (`@auditstack/client`), used on the server only (the token
 * never reaches the browser). The SDK calls a route of the contract and parses its answer with
 * the route's response schema; here every outcome becomes an {@link ApiResult} the page turns
 * into data, an empty state or a message — a page never throws because a service failed.
 */

/** Why a call did not produce data; pages choose what to show from this. */
export type ApiFailureKind =
  /** 401: the token is missing, revoked or expired — the user must sign in again. */
  | 'unauthorized'
  /** 403: the token lacks the entitlement (or workspace) for this resource. */
  | 'forbidden'
  /** 404: the resource (or the endpoint) does not exist. */
  | 'not-found'
  /** 400/409/422: the input was refused; `fieldErrors` names each field. */
  | 'invalid'
  /** No answer: connection refused, DNS failure or timeout. */
  | 'unreachable'
  /** Anything else: a 5xx, a 429, or a body that does not match the contract. */
  | 'error';

export interface ApiFailure {
  readonly ok: false;
  readonly kind: ApiFailureKind;
  /** HTTP status, when an answer arrived. */
  readonly status?: number;
  /** One sentence for people (the problem's `detail` where it helps); never a stack trace or a raw body. */
  readonly message: string;
  /** `path: rule` lines from the problem's `errors[]` (`["config.url: must be a URL"]`). */
  readonly fieldErrors: readonly string[];
}

export type ApiResult<T> = { readonly ok: true; readonly status: number; readonly data: T } | ApiFailure;

/** Where to call and with which token; built on the server from the env and the session cookie. */
export interface ServiceTarget {
  /** Service base URL (`http://127.0.0.1:8200`). */
  readonly baseUrl: string;
  /** Bearer token read from the session cookie. */
  readonly token: string;
  /** @defaultValue {@link DEFAULT_API_TIMEOUT_MS} */
  readonly timeoutMs?: number;
  /** For tests. @defaultValue global `fetch` */
  readonly fetchImpl?: typeof fetch;
}

/** Default time a service call may take before the page shows "unreachable". */
export const DEFAULT_API_TIMEOUT_MS = 5000;

const MAX_MESSAGE_LENGTH = 300;

/**
 * An SDK client for one service with the dashboard's rules: no retry (a page shows a message
 * at once rather than waiting through back-offs), no cache, and no redirect followed — the
 * bearer token must never be replayed to another host, so a 3xx is an error.
 */
export function serviceClient(target: ServiceTarget): ApiClient {
  const fetchImpl = target.fetchImpl ?? fetch;
  const guarded: FetchLike = (input, init) => fetchImpl(input, { ...init, cache: 'no-store', redirect: 'manual' });
  return createClient({
    baseUrl: target.baseUrl,
    token: target.token,
    fetch: guarded,
    timeoutMs: target.timeoutMs ?? DEFAULT_API_TIMEOUT_MS,
    retry: { retries: 0 },
  });
}

/** Calls `route` through the SDK; the answer is parsed with the route's response schema. Never throws. */
export async function callRoute<R extends AnyRoute>(client: ApiClient, route: R, ...args: CallParameters<R>): Promise<ApiResult<RouteResponse<R>>> {
  try {
    const data = await client.call(route, ...args);
    return { ok: true, status: route.response.status ?? 200, data };
  } catch (error) {
    return failureOf(error);
  }
}

/** Maps what the SDK throws to a failure with a message a person can act on. */
export function failureOf(error: unknown): ApiFailure {
  if (error instanceof ApiError) return failureFromProblem(error.status, error.problem, error.retryAfterMs);
  if (error instanceof ClientError) {
    switch (error.code) {
      case 'TIMEOUT':
        return failure('unreachable', undefined, 'The service did not answer in time. Try again in a moment.');
      case 'NETWORK_ERROR':
      case 'ABORTED':
        return failure('unreachable', undefined, 'The service cannot be reached right now. Check that it is running.');
      case 'INVALID_RESPONSE':
        return failure('error', undefined, 'The service answered in a shape this dashboard does not understand (the contract differs).');
      default:
        return failure('error', undefined, 'The request could not be made.');
    }
  }
  return failure('error', undefined, 'The request failed.');
}

/**
 * Maps an RFC 9457 problem to a failure: its `detail` is shown where it helps (not found, refused,
 * not allowed) and each `errors[]` entry becomes a `path: rule` line. A 5xx says nothing of the
 * service's internals. The text comes from the service but may quote input: React escapes it.
 */
export function failureFromProblem(status: number, problem: Problem, retryAfterMs?: number): ApiFailure {
  const detail = bounded(problem.detail);
  const fieldErrors = (problem.errors ?? []).map((e) => (e.path ? `${e.path}: ${e.rule}` : e.rule));
  if (status === 401) return failure('unauthorized', status, 'Your session has ended or the token was revoked. Please sign in again.');
  if (status === 403) return failure('forbidden', status, `You are not allowed to see or do this with your token${detail ? ` (${detail})` : ''}.`);
  if (status === 404) return failure('not-found', status, detail ?? 'Not found.');
  if (status === 400 || status === 409 || status === 422) return failure('invalid', status, detail ?? 'The service refused the input.', fieldErrors);
  const wait = retryAfterMs === undefined ? 'in a moment' : `in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  if (status === 429) return failure('error', status, `The service is busy (too many requests). Try again ${wait}.`);
  if (status === 503) return failure('error', status, `The service is unavailable right now (HTTP 503). Try again ${wait}.`);
  return failure('error', status, `The service could not answer (HTTP ${status}). Try again ${wait}.`);
}

function failure(kind: ApiFailureKind, status: number | undefined, message: string, fieldErrors: readonly string[] = []): ApiFailure {
  return status === undefined ? { ok: false, kind, message, fieldErrors } : { ok: false, kind, status, message, fieldErrors };
}

function bounded(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}
