import { z } from 'zod';
import { COMMON_ROUTES, PROBLEM_CONTENT_TYPE, ProblemSchema, ReadinessCheckSchema, ReadyResponseSchema } from '@auditstack/audit-core';

/** A service the dashboard watches, and where its health endpoint lives. */
export interface ServiceTarget {
  /** Stable id, used in element ids and tests. */
  readonly id: 'engine' | 'gateway';
  /** Human name shown on the page. */
  readonly name: string;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8200`. */
  readonly baseUrl: string;
}

/** Why a service could not be reached at all. */
export type UnreachableReason = 'timeout' | 'connection-refused' | 'dns' | 'network';

/** Result of one `/ping`; `state` is what the page shows. */
export type ServiceHealth =
  | { readonly target: ServiceTarget; readonly pingUrl: string; readonly state: 'ok'; readonly httpStatus: number; readonly latencyMs: number }
  | { readonly target: ServiceTarget; readonly pingUrl: string; readonly state: 'unhealthy'; readonly httpStatus: number; readonly latencyMs: number }
  | { readonly target: ServiceTarget; readonly pingUrl: string; readonly state: 'unreachable'; readonly reason: UnreachableReason; readonly latencyMs: number };

export interface CheckOptions {
  /** Abort the request after this many milliseconds. @defaultValue `1500` */
  readonly timeoutMs?: number;
}

/** The two services of ARCHITECTURE §7, from already-parsed URLs. */
export function serviceTargets(urls: { readonly ENGINE_URL: string; readonly GATEWAY_URL: string }): readonly ServiceTarget[] {
  return [
    { id: 'engine', name: 'Engine', baseUrl: stripTrailingSlash(urls.ENGINE_URL) },
    { id: 'gateway', name: 'Gateway', baseUrl: stripTrailingSlash(urls.GATEWAY_URL) },
  ];
}

/** `/ping` under the base URL, keeping any path prefix (a service behind `/engine` pings `/engine/ping`). */
export function pingUrlOf(target: ServiceTarget): string {
  return `${stripTrailingSlash(target.baseUrl)}/ping`;
}

/**
 * Calls `GET <baseUrl>/ping` once. Never throws: every failure becomes a state.
 * A 2xx answer is `ok`; any other status is `unhealthy`; no answer is `unreachable`.
 */
export async function checkServiceHealth(target: ServiceTarget, options: CheckOptions = {}): Promise<ServiceHealth> {
  const timeoutMs = options.timeoutMs ?? 1500;
  const now = (): number => performance.now();
  const pingUrl = pingUrlOf(target);
  const started = now();
  try {
    const response = await fetch(pingUrl, {
      method: 'GET',
      cache: 'no-store',
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is not needed; release the connection instead of leaving it to the GC.
    await response.body?.cancel().catch(() => undefined);
    const latencyMs = Math.round(now() - started);
    const state = response.status >= 200 && response.status < 300 ? 'ok' : 'unhealthy';
    return { target, pingUrl, state, httpStatus: response.status, latencyMs };
  } catch (error) {
    return { target, pingUrl, state: 'unreachable', reason: classifyFetchError(error), latencyMs: Math.round(now() - started) };
  }
}

/** Checks every target concurrently, in the order given. */
export function checkAllServices(targets: readonly ServiceTarget[], options: CheckOptions = {}): Promise<ServiceHealth[]> {
  return Promise.all(targets.map((target) => checkServiceHealth(target, options)));
}

/** What a service's public `/ready` reported: ready or not, and each dependency as a fixed word (`up`, `down`, `fallback_spooling`…). */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

const WORD = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_CHECKS = 8;

/** The 200 answer of `COMMON_ROUTES.ready`, its checks read one by one (see {@link keptChecks}). */
const ReadyAnswerSchema = ReadyResponseSchema.extend({ checks: z.record(z.string(), z.unknown()) });

/** The 503 answer of `COMMON_ROUTES.ready`: an RFC 9457 problem `NOT_READY` carrying the same `checks` member. */
const NotReadyProblemSchema = ProblemSchema.extend({ status: z.literal(503), code: z.literal('NOT_READY'), checks: z.record(z.string(), z.unknown()) });

/**
 * Calls `GET <baseUrl>/ready` once (`COMMON_ROUTES.ready`): 200 `{status:'ready', checks}` is
 * ready, a 503 `NOT_READY` problem is not ready with its `checks`; anything else (another status,
 * another problem, not JSON, no answer) is null. Only fixed words are kept from the checks (names
 * and states), so nothing the service might say beyond them — the problem's `detail` included —
 * ever reaches the public status page.
 */
export async function checkReadiness(target: ServiceTarget, options: CheckOptions = {}): Promise<Readiness | null> {
  try {
    const response = await fetch(`${stripTrailingSlash(target.baseUrl)}${COMMON_ROUTES.ready.path}`, {
      method: COMMON_ROUTES.ready.method,
      cache: 'no-store',
      headers: { accept: `application/json, ${PROBLEM_CONTENT_TYPE}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 1500),
    });
    if (response.status !== 200 && response.status !== 503) {
      await response.body?.cancel().catch(() => undefined);
      return null;
    }
    const body = (await response.json()) as unknown;
    const parsed = (response.status === 200 ? ReadyAnswerSchema : NotReadyProblemSchema).safeParse(body);
    if (!parsed.success) return null;
    return { ready: response.status === 200, checks: keptChecks(parsed.data.checks) };
  } catch {
    return null;
  }
}

/** The checks whose name and verdict are both fixed words (`ReadinessCheckSchema`), at most {@link MAX_CHECKS}. */
function keptChecks(checks: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept = Object.entries(checks).filter(
    (entry): entry is [string, string] => WORD.test(entry[0]) && ReadinessCheckSchema.safeParse(entry[1]).success && WORD.test(entry[1] as string),
  );
  return Object.fromEntries(kept.slice(0, MAX_CHECKS));
}

/** True when the gateway says it is spooling because PostgreSQL is down: events are kept on disk and replayed later. */
export function isSpooling(readiness: Readiness | null | undefined): boolean {
  return readiness?.checks['backend'] === 'fallback_spooling';
}

/** The status text the page shows: `ok`, `unreachable` or `unhealthy (HTTP 503)`. */
export function statusLabel(health: ServiceHealth): string {
  switch (health.state) {
    case 'ok':
      return 'ok';
    case 'unhealthy':
      return `unhealthy (HTTP ${health.httpStatus})`;
    case 'unreachable':
      return 'unreachable';
    default:
      return assertNever(health);
  }
}

/** One sentence explaining the status, for the line under it. */
export function statusDetail(health: ServiceHealth, timeoutMs: number): string {
  switch (health.state) {
    case 'ok':
      return `Answered HTTP ${health.httpStatus} in ${health.latencyMs} ms.`;
    case 'unhealthy':
      return `Answered HTTP ${health.httpStatus} in ${health.latencyMs} ms instead of 2xx.`;
    case 'unreachable':
      return UNREACHABLE_DETAIL[health.reason](timeoutMs);
    default:
      return assertNever(health);
  }
}

/** Overall state for the page header: `ok` only when every service is ok. */
export function overallState(results: readonly ServiceHealth[]): 'ok' | 'degraded' | 'down' {
  const okCount = results.filter((result) => result.state === 'ok').length;
  if (okCount === results.length) return 'ok';
  return okCount === 0 ? 'down' : 'degraded';
}

const UNREACHABLE_DETAIL: Record<UnreachableReason, (timeoutMs: number) => string> = {
  timeout: (timeoutMs) => `No answer within ${timeoutMs} ms.`,
  'connection-refused': () => 'Connection refused: nothing is listening on that port.',
  dns: () => 'The host name could not be resolved.',
  network: () => 'The request failed before an answer arrived.',
};

/**
 * Maps what Node's fetch (undici) throws to a reason: a `TimeoutError` DOMException from
 * `AbortSignal.timeout`, or `TypeError('fetch failed')` with the socket error on `cause`.
 * Duck-typed on purpose: `instanceof Error` fails across realms (jest's VM context, edge runtimes).
 */
function classifyFetchError(error: unknown): UnreachableReason {
  const name = property(error, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  const code = errorCode(property(error, 'cause')) ?? errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'network';
  }
}

function errorCode(value: unknown): string | undefined {
  const code = property(value, 'code');
  return typeof code === 'string' ? code : undefined;
}

function property(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function assertNever(value: never): never {
  throw new Error(`Unhandled health state: ${JSON.stringify(value)}`);
}
