import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck, truncate, withTimeout } from './check.util';
import type { CollectorContext } from './collector-context.util';
import { isCollectorError } from './collector.error';
import { httpRequest, type HttpResponse } from './http-request.util';
import { evaluateJsonPath, parseJsonPath } from './json-path.util';

const JsonScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Config of the `http` action type (the seed's `ping_check`). */
export const HttpConfigSchema = z
  .object({
    /** http:// or https:// URL to request. */
    url: z.url({ protocol: /^https?$/ }),
    /** @defaultValue 'GET' */
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    /** Request headers. @defaultValue {} */
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/), z.string().max(8192)).default({}),
    /** Request body, sent as given. */
    body: z.string().max(65_536).optional(),
    /** Accepted status code(s). @defaultValue 200 */
    expected_status: z.union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1).max(20)]).default(200),
    /** The body must contain this text. */
    body_contains: z.string().min(1).max(1000).optional(),
    /** A JSON body assertion: the value at `path` (`$.a.b[0]`) exists, and equals `equals` when given. */
    json_path: z
      .object({
        path: z
          .string()
          .min(1)
          .max(500)
          .refine((p) => {
            try {
              parseJsonPath(p);
              return true;
            } catch {
              return false;
            }
          }, 'must be a JSON path such as $.data.items[0].status'),
        equals: JsonScalarSchema.optional(),
      })
      .strict()
      .optional(),
    /** Slowest acceptable response (headers and body) in milliseconds. */
    max_latency_ms: z.number().int().positive().max(600_000).optional(),
    /** Follow 3xx redirects. @defaultValue true */
    follow_redirects: z.boolean().default(true),
    /** Most redirects followed. @defaultValue 5 */
    max_redirects: z.number().int().min(0).max(20).default(5),
    /** Verify the TLS certificate chain and name. @defaultValue true */
    verify_tls: z.boolean().default(true),
    /** Extra CA certificate(s) (PEM) trusted instead of the system roots. */
    ca_pem: z.string().max(100_000).optional(),
    /** Whole-check timeout, inside the action's own timeout. @defaultValue 10000 */
    timeout_ms: z.number().int().positive().max(600_000).default(10_000),
    /** Response headers copied into the evidence. */
    evidence_headers: z
      .array(z.string().max(100))
      .max(50)
      .default(['content-type', 'content-length', 'server', 'location', 'cache-control', 'strict-transport-security']),
  })
  .strict();
/** Parsed {@link HttpConfigSchema}. */
export type HttpConfig = z.infer<typeof HttpConfigSchema>;

const RULES = {
  status: { id: 'http.status', description: 'The request completes and returns an expected status code.', reference: 'RFC 9110 §15' },
  body: { id: 'http.body_contains', description: 'The response body contains the expected text.' },
  json: { id: 'http.json_path', description: 'The JSON response has the expected value at the path.', reference: 'RFC 8259, RFC 9535 (subset)' },
  latency: { id: 'http.latency', description: 'The response arrives within the latency budget.' },
} satisfies Record<string, CheckRule>;

/** Bodies are read up to this size; assertions see only this prefix. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Body excerpt kept in the evidence. */
const EXCERPT_CHARS = 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * `http`: requests a URL (following a bounded number of redirects) and checks
 * the status, optional body text, optional JSON value and latency. Network
 * failures and timeouts give an `error` check; a certificate that fails
 * verification is a `fail` (a finding about the target, not a collector
 * failure). Response data is attacker-controlled: the body is bounded and
 * only an excerpt is kept.
 */
export async function collectHttp(config: HttpConfig, ctx: CollectorContext): Promise<Check[]> {
  return (await collectHttpExchange(config, ctx)).checks;
}

/** The response an {@link collectHttpExchange} call observed (body bounded to 1 MiB, as the assertions see it). */
export interface HttpObservedResponse {
  readonly status: number;
  /** Every response header, lower-case names, repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly bodyTruncated: boolean;
  readonly finalUrl: string;
  readonly latencyMs: number;
}

/**
 * {@link collectHttp}, also returning the response it judged (`null` when no
 * response arrived), for callers that assert on or extract from it (workbook steps).
 */
export async function collectHttpExchange(config: HttpConfig, ctx: CollectorContext): Promise<{ checks: Check[]; response: HttpObservedResponse | null }> {
  const target = config.url;
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown>): Check =>
    makeCheck(rule.id, target, status, message, rule, evidence);
  const signal = withTimeout(ctx.signal, config.timeout_ms);
  const redirects: Array<{ status: number; location: string }> = [];
  let url = new URL(config.url);
  let method: string = config.method;
  let body = config.body;
  let response: HttpResponse;
  let elapsed = 0;
  try {
    for (;;) {
      response = await httpRequest({
        url,
        method,
        headers: config.headers,
        ...(body === undefined ? {} : { body }),
        verifyTls: config.verify_tls,
        ...(config.ca_pem === undefined ? {} : { ca: config.ca_pem }),
        maxBodyBytes: MAX_BODY_BYTES,
        signal,
        ...(ctx.egress ? { egress: ctx.egress } : {}),
      });
      elapsed += response.totalMs;
      const location = response.headers.location;
      if (!config.follow_redirects || !REDIRECTS.has(response.status) || location === undefined) break;
      if (redirects.length >= config.max_redirects) {
        return { checks: [check(RULES.status, 'fail', `more than ${config.max_redirects} redirects`, { url: config.url, redirects })], response: null };
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return { checks: [check(RULES.status, 'fail', `redirect to unsupported scheme ${next.protocol}`, { url: config.url, redirects })], response: null };
      }
      redirects.push({ status: response.status, location: truncate(next.toString(), 2000) });
      // RFC 9110 §15.4.4: 303 → GET; §15.4.2/15.4.3: user agents may turn POST into GET on 301/302.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
    }
  } catch (err) {
    const evidence = { url: config.url, final_url: url.toString(), redirects };
    if (isCollectorError(err, 'EGRESS_DENIED')) {
      return { checks: [check(RULES.status, 'error', `request refused: ${err.message}`, { ...evidence, egress: 'denied' })], response: null };
    }
    if (isCollectorError(err, 'REQUEST_TLS')) {
      return {
        checks: [check(RULES.status, 'fail', `TLS verification failed: ${err.message}`, { ...evidence, code: err.systemCode ?? null })],
        response: null,
      };
    }
    return { checks: [check(RULES.status, 'error', `request failed: ${errorMessage(err)}`, evidence)], response: null };
  }

  const headers: Record<string, string> = {};
  for (const name of config.evidence_headers) {
    const value = response.headers[name.toLowerCase()];
    if (value !== undefined) headers[name.toLowerCase()] = truncate(Array.isArray(value) ? value.join(', ') : value, 500);
  }
  const text = response.body.toString('utf8');
  const evidence = {
    url: config.url,
    final_url: url.toString(),
    method,
    status: response.status,
    headers,
    latency_ms: Math.round(elapsed),
    ttfb_ms: Math.round(response.ttfbMs),
    address: response.address,
    redirects,
    body_bytes: response.bodyBytes,
    body_truncated: response.truncated,
    body_excerpt: truncate(text, EXCERPT_CHARS),
    ...(response.tlsProtocol ? { tls_protocol: response.tlsProtocol } : {}),
  };
  const expected = Array.isArray(config.expected_status) ? config.expected_status : [config.expected_status];
  const checks: Check[] = [
    expected.includes(response.status)
      ? check(RULES.status, 'pass', `${method} ${url.toString()} → ${response.status}`, evidence)
      : check(RULES.status, 'fail', `status ${response.status}, expected ${expected.join(' or ')}`, evidence),
  ];
  if (config.body_contains !== undefined) {
    const found = text.includes(config.body_contains);
    checks.push(
      check(
        RULES.body,
        found ? 'pass' : 'fail',
        found
          ? `body contains "${config.body_contains}"`
          : `body does not contain "${config.body_contains}"${response.truncated ? ` (only the first ${MAX_BODY_BYTES} bytes were read)` : ''}`,
        { body_excerpt: evidence.body_excerpt },
      ),
    );
  }
  if (config.json_path !== undefined) checks.push(jsonCheck(config.json_path, text, check));
  if (config.max_latency_ms !== undefined) {
    const ok = elapsed <= config.max_latency_ms;
    checks.push(
      check(RULES.latency, ok ? 'pass' : 'fail', `${Math.round(elapsed)} ms (limit ${config.max_latency_ms} ms)`, {
        latency_ms: Math.round(elapsed),
        limit_ms: config.max_latency_ms,
      }),
    );
  }
  const allHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) allHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const observed: HttpObservedResponse = {
    status: response.status,
    headers: allHeaders,
    body: text,
    bodyTruncated: response.truncated,
    finalUrl: url.toString(),
    latencyMs: Math.round(elapsed),
  };
  return { checks, response: observed };
}

function jsonCheck(
  assertion: NonNullable<HttpConfig['json_path']>,
  text: string,
  check: (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown>) => Check,
): Check {
  let segments;
  try {
    segments = parseJsonPath(assertion.path);
  } catch (err) {
    return check(RULES.json, 'error', `invalid JSON path: ${errorMessage(err)}`, { path: assertion.path });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return check(RULES.json, 'fail', 'the body is not JSON', { path: assertion.path });
  }
  const { found, value } = evaluateJsonPath(parsed, segments);
  const shown = truncate(JSON.stringify(value) ?? 'undefined', 500);
  if (!found) return check(RULES.json, 'fail', `${assertion.path} not found`, { path: assertion.path });
  if (assertion.equals === undefined) return check(RULES.json, 'pass', `${assertion.path} = ${shown}`, { path: assertion.path, value: shown });
  return isDeepStrictEqual(value, assertion.equals)
    ? check(RULES.json, 'pass', `${assertion.path} = ${shown}`, { path: assertion.path, value: shown })
    : check(RULES.json, 'fail', `${assertion.path} = ${shown}, expected ${JSON.stringify(assertion.equals)}`, {
        path: assertion.path,
        value: shown,
        expected: assertion.equals,
      });
}
