/**
 * A small typed HTTP client for the engine and gateway, used on the server only
 * (the token never reaches the browser). It never throws: every outcome is an
 * {@link ApiResult} the page turns into data, an empty state or a message.
 */

/** Why a call did not produce data; pages choose what to show from this. */
export type ApiFailureKind =
  /** 401: the token is missing, revoked or expired — the user must sign in again. */
  | 'unauthorized'
  /** 403: the token lacks the entitlement (or workspace) for this resource. */
  | 'forbidden'
  /** 404: the endpoint (or the resource) does not exist yet. */
  | 'not-found'
  /** 400/409/422: the input was refused; `fieldErrors` names each field. */
  | 'invalid'
  /** No answer: connection refused, DNS failure or timeout. */
  | 'unreachable'
  /** Anything else: a 5xx, or a body that is not the JSON we expected. */
  | 'error';

export interface ApiFailure {
  readonly ok: false;
  readonly kind: ApiFailureKind;
  /** HTTP status, when an answer arrived. */
  readonly status?: number;
  /** One sentence for people; never a stack trace or a raw body. */
  readonly message: string;
  /** `path: rule` lines from a 400 (`["config.url: must be a URL"]`). */
  readonly fieldErrors: readonly string[];
}

export type ApiResult<T> = { readonly ok: true; readonly status: number; readonly data: T } | ApiFailure;

/** Turns an unknown JSON body into `T`, or throws when it is not the expected shape. */
export type Parser<T> = (body: unknown) => T;

export interface ApiRequest<T> {
  /** Service base URL without a trailing slash (`http://127.0.0.1:8200`). */
  readonly baseUrl: string;
  /** Path with a leading slash, query included (`/v1/runs?limit=50`). */
  readonly path: string;
  /** Bearer token read from the session cookie. */
  readonly token: string;
  /** @defaultValue `'GET'` */
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** JSON body for POST/PATCH. */
  readonly body?: unknown;
  /** @defaultValue `5000` */
  readonly timeoutMs?: number;
  /** Shapes the body; without it the body is returned as `unknown` cast to `T`. */
  readonly parse?: Parser<T>;
  /** For tests: the fetch implementation. @defaultValue global `fetch` */
  readonly fetchImpl?: typeof fetch;
}

/** Default time a service call may take before the page shows "unreachable". */
export const DEFAULT_API_TIMEOUT_MS = 5000;

const MAX_MESSAGE_LENGTH = 300;

/** Calls one endpoint with the bearer token and maps every outcome to an {@link ApiResult}. */
export async function apiFetch<T>(request: ApiRequest<T>): Promise<ApiResult<T>> {
  const fetchImpl = request.fetchImpl ?? fetch;
  const url = `${request.baseUrl.replace(/\/+$/, '')}${request.path}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: request.method ?? 'GET',
      cache: 'no-store',
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${request.token}`,
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_API_TIMEOUT_MS),
    });
  } catch (error) {
    return failure('unreachable', undefined, unreachableMessage(error));
  }

  const text = await response.text().catch(() => '');
  const body = parseJson(text);

  if (response.status >= 200 && response.status < 300) {
    if (response.status === 204 || text === '') return { ok: true, status: response.status, data: undefined as T };
    if (body === undefined) return failure('error', response.status, 'The service answered with something that is not JSON.');
    try {
      const data = request.parse ? request.parse(body) : (body as T);
      return { ok: true, status: response.status, data };
    } catch {
      return failure('error', response.status, 'The service answered in a shape this dashboard does not understand yet.');
    }
  }
  return failureFromStatus(response.status, body);
}

/** Maps a non-2xx answer to a failure with a message a person can act on. */
export function failureFromStatus(status: number, body: unknown): ApiFailure {
  const serviceMessage = messageOf(body);
  const fieldErrors = fieldErrorsOf(body);
  if (status === 401) return failure('unauthorized', status, 'Your session has ended or the token was revoked. Please sign in again.');
  if (status === 403) {
    return failure('forbidden', status, `You are not allowed to see or do this with your token${serviceMessage ? ` (${serviceMessage})` : ''}.`);
  }
  if (status === 404) return failure('not-found', status, serviceMessage ?? 'Not found: this part of the service is not available yet.');
  if (status === 400 || status === 409 || status === 422) {
    return failure('invalid', status, serviceMessage ?? 'The service refused the input.', fieldErrors);
  }
  if (status === 429) return failure('error', status, 'The service is busy (too many requests). Try again in a moment.');
  return failure('error', status, `The service could not answer (HTTP ${status}). Try again in a moment.`);
}

function failure(kind: ApiFailureKind, status: number | undefined, message: string, fieldErrors: readonly string[] = []): ApiFailure {
  return status === undefined ? { ok: false, kind, message, fieldErrors } : { ok: false, kind, status, message, fieldErrors };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The `message` of a Nest error body (`{ statusCode, error, message, errors? }`), bounded.
 * The text comes from the service, not from an attacker directly, but may quote input: React escapes it.
 */
function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const message = (body as Record<string, unknown>)['message'];
  const text = Array.isArray(message) ? message.filter((m) => typeof m === 'string').join('; ') : message;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/** `errors: string[]` of a validation answer, else the `;`-joined `message` split back into lines. */
function fieldErrorsOf(body: unknown): readonly string[] {
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  const errors = record['errors'];
  if (Array.isArray(errors)) return errors.filter((e): e is string => typeof e === 'string');
  const message = record['message'];
  if (Array.isArray(message)) return message.filter((e): e is string => typeof e === 'string');
  return typeof message === 'string' ? message.split('; ').filter((line) => /^[\w.[\]-]+: /.test(line)) : [];
}

function unreachableMessage(error: unknown): string {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') return 'The service did not answer in time. Try again in a moment.';
  return 'The service cannot be reached right now. Check that it is running.';
}
