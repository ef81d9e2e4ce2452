import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import {
  renderTemplate,
  stepTemplates,
  templateReferences,
  type Check,
  type CheckRule,
  type CheckStatus,
  type WorkbookAssertion,
  type WorkbookSpec,
  type WorkbookStep,
} from '@auditstack/audit-core';
import { abortReason, errorMessage, makeCheck, truncate } from './check.util';
import type { CollectorContext } from './collector-context.util';
import { DnsDkimConfigSchema, collectDnsDkim } from './dns-dkim.collector';
import { DnsDmarcConfigSchema, collectDnsDmarc } from './dns-dmarc.collector';
import { DnsMxConfigSchema, collectDnsMx } from './dns-mx.collector';
import { DnsSpfConfigSchema, collectDnsSpf } from './dns-spf.collector';
import { HttpConfigSchema, collectHttpExchange } from './http.collector';
import { evaluateJsonPath, parseJsonPath } from './json-path.util';
import { MtaStsConfigSchema, collectMtaSts } from './mta-sts.collector';
import type { SqlRow } from './sql-assertion.collector';
import { TcpPortConfigSchema, collectTcpPort } from './tcp-port.collector';
import { TlsCertConfigSchema, collectTlsCert } from './tls-cert.collector';
import { TlsRptConfigSchema, collectTlsRpt } from './tls-rpt.collector';

/**
 * Runs one query with bound parameters (`$1`…) on the named datasource.
 * Injected by the caller, which owns the datasources and is the sandbox (the
 * engine: as for `sql_assertion`).
 */
export type WorkbookSqlQuery = (datasource: string, sql: string, params: readonly unknown[], signal: AbortSignal) => Promise<SqlRow[]>;

/** What {@link runWorkbook} needs: the collectors' context, plus a datasource for `sql` steps. */
export interface WorkbookRunContext extends CollectorContext {
  /** Without it, `sql` steps end in `error`. */
  readonly sql?: WorkbookSqlQuery;
}

/** The result of one step: its check (check_id = step id) and what it extracted. */
export interface WorkbookStepResult {
  readonly id: string;
  readonly kind: WorkbookStep['kind'];
  readonly status: CheckStatus;
  readonly message: string;
  readonly durationMs: number;
  readonly check: Check;
  /** Context values this step extracted. */
  readonly extracted: Readonly<Record<string, unknown>>;
}

/** The result of a whole workbook. */
export interface WorkbookRunResult {
  /** The worst step status (pass < warn < fail < error). */
  readonly verdict: CheckStatus;
  readonly steps: readonly WorkbookStepResult[];
  /** One check per step, in order. */
  readonly checks: readonly Check[];
  /** Every extracted value by key. */
  readonly context: Readonly<Record<string, unknown>>;
}

const SEVERITY: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

/** The worse of statuses (pass < warn < fail < error); `pass` for none. */
export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let worst: CheckStatus = 'pass';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

/** Longest text an assertion inspects (bodies are bounded, but `matches` should stay cheap). */
const MAX_ASSERT_TEXT = 100_000;
/** Values quoted in messages and evidence. */
const SHOWN = 300;
/** Rows an sql step keeps. @defaultValue 50 */
const DEFAULT_MAX_ROWS = 50;

const show = (value: unknown): string => truncate(JSON.stringify(value) ?? 'undefined', SHOWN);

/** A context value as text (inside a longer string). */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? '';
}

/** A string that is exactly one template (`${ctx.key}`) becomes the raw context value, keeping its type. */
const WHOLE_TEMPLATE = /^\$\{ctx\.([A-Za-z_][A-Za-z0-9_]{0,63})\}$/;

function renderValue(text: string, context: Readonly<Record<string, unknown>>): unknown {
  const whole = WHOLE_TEMPLATE.exec(text);
  if (whole) return context[whole[1]!];
  return renderTemplate(text, (key) => asText(context[key]));
}

const renderText = (text: string | undefined, context: Record<string, unknown>, encode?: (s: string) => string): string | undefined =>
  text === undefined ? undefined : renderTemplate(text, (key) => (encode ?? ((s: string) => s))(asText(context[key])));

function renderPort(port: number | string | undefined, context: Record<string, unknown>): unknown {
  if (typeof port !== 'string') return port;
  const value = renderValue(port, context);
  return typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value;
}

/** Drops undefined members, so the collector schemas apply their defaults. */
function defined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** Thrown when a step's templated parameters fail the collector's schema. */
class StepParameterError extends Error {}

function parseWith<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(defined(input));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(step)'}: ${i.message}`);
  throw new StepParameterError(`parameters after templating are invalid: ${issues.join('; ')}`);
}

/** What assertions and extractions read: see docs/workbooks.md ("The step document"). */
type StepDocument = Record<string, unknown>;

interface Observation {
  target: string;
  ruleId: string;
  collectorChecks: Check[];
  document: StepDocument;
  /** Step parameters shown in the evidence (secrets such as header values left out). */
  parameters: Record<string, unknown>;
}

function documentOf(checks: readonly Check[], extra: StepDocument = {}): StepDocument {
  return {
    outcome: worstStatus(checks.map((c) => c.status)),
    checks: Object.fromEntries(checks.map((c) => [c.check_id, { status: c.status, message: c.message, evidence: c.evidence }])),
    ...extra,
  };
}

async function observeHttp(step: Extract<WorkbookStep, { kind: 'http' }>, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  // Values extracted from a response are attacker-controlled: in the URL they are percent-encoded,
  // so they cannot change the scheme, host or add path segments.
  const url = renderText(step.url, context, encodeURIComponent)!;
  const headers = Object.fromEntries(Object.entries(step.headers ?? {}).map(([name, value]) => [name, renderText(value, context)!]));
  const config = parseWith(HttpConfigSchema, {
    url,
    method: step.method,
    headers,
    body: renderText(step.body, context),
    expected_status: step.expected_status,
    body_contains: step.body_contains,
    max_latency_ms: step.max_latency_ms,
    follow_redirects: step.follow_redirects,
    max_redirects: step.max_redirects,
    verify_tls: step.verify_tls,
    ca_pem: step.ca_pem,
    timeout_ms: step.timeout_ms,
  });
  const { checks, response } = await collectHttpExchange(config, ctx);
  let json: unknown = null;
  if (response && response.body !== '') {
    try {
      json = JSON.parse(response.body);
    } catch {
      json = null;
    }
  }
  const extra: StepDocument = response
    ? { status_code: response.status, headers: response.headers, body: response.body, json, latency_ms: response.latencyMs, url: response.finalUrl }
    : {};
  return {
    target: url,
    ruleId: 'workbook.http',
    collectorChecks: checks,
    document: documentOf(checks, extra),
    parameters: {
      method: config.method,
      url,
      header_names: Object.keys(headers),
      ...(config.body === undefined ? {} : { body_bytes: Buffer.byteLength(config.body) }),
    },
  };
}

async function observeDns(step: Extract<WorkbookStep, { kind: 'dns' }>, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  const domain = renderText(step.domain, context)!;
  let checks: Check[];
  switch (step.rule) {
    case 'mx':
      checks = await collectDnsMx(parseWith(DnsMxConfigSchema, { domain }), ctx);
      break;
    case 'spf':
      checks = await collectDnsSpf(
        parseWith(DnsSpfConfigSchema, { domain, senders: step.senders, mail_from: step.mail_from, require_hard_fail: step.require_hard_fail }),
        ctx,
      );
      break;
    case 'dmarc':
      checks = await collectDnsDmarc(parseWith(DnsDmarcConfigSchema, { domain, verify_external_destinations: step.verify_external_destinations }), ctx);
      break;
    case 'dkim':
      checks = await collectDnsDkim(
        parseWith(DnsDkimConfigSchema, { domain, selectors: step.selectors, min_rsa_bits: step.min_rsa_bits, recommended_rsa_bits: step.recommended_rsa_bits }),
        ctx,
      );
      break;
    case 'mta_sts':
      checks = await collectMtaSts(parseWith(MtaStsConfigSchema, { domain, min_max_age: step.min_max_age, timeout_ms: step.timeout_ms }), ctx);
      break;
    case 'tls_rpt':
      checks = await collectTlsRpt(parseWith(TlsRptConfigSchema, { domain }), ctx);
      break;
    default: {
      const never: never = step.rule;
      throw new StepParameterError(`unknown dns rule ${String(never)}`);
    }
  }
  return {
    target: domain,
    ruleId: `workbook.dns.${step.rule}`,
    collectorChecks: checks,
    document: documentOf(checks),
    parameters: { rule: step.rule, domain },
  };
}

async function observeTls(step: Extract<WorkbookStep, { kind: 'tls' }>, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  const config = parseWith(TlsCertConfigSchema, {
    host: renderText(step.host, context),
    port: renderPort(step.port, context),
    servername: renderText(step.servername, context),
    warn_days: step.warn_days,
    fail_days: step.fail_days,
    min_protocol: step.min_protocol,
    ca_pem: step.ca_pem,
    timeout_ms: step.timeout_ms,
  });
  const checks = await collectTlsCert(config, ctx);
  return {
    target: `${config.host}:${config.port}`,
    ruleId: 'workbook.tls',
    collectorChecks: checks,
    document: documentOf(checks),
    parameters: { host: config.host, port: config.port, servername: config.servername ?? null },
  };
}

async function observeTcp(step: Extract<WorkbookStep, { kind: 'tcp' }>, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  const config = parseWith(TcpPortConfigSchema, { host: renderText(step.host, context), port: renderPort(step.port, context), timeout_ms: step.timeout_ms });
  const checks = await collectTcpPort(config, ctx);
  return {
    target: `${config.host}:${config.port}`,
    ruleId: 'workbook.tcp',
    collectorChecks: checks,
    document: documentOf(checks),
    parameters: { host: config.host, port: config.port },
  };
}

/** `${ctx.key}` → `$n` (one parameter per distinct key): values never become SQL text. */
export function parameterizeSql(sql: string, context: Readonly<Record<string, unknown>>): { text: string; params: unknown[] } {
  const order: string[] = [];
  const text = renderTemplate(sql, (key) => {
    let index = order.indexOf(key);
    if (index < 0) index = order.push(key) - 1;
    return `$${index + 1}`;
  });
  const params = order.map((key) => {
    const value = context[key];
    return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
  });
  return { text, params };
}

function capRow(row: SqlRow): SqlRow {
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row).slice(0, 50)) {
    out[k] = typeof v === 'string' ? truncate(v, 2000) : v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v;
  }
  return out;
}

async function observeSql(step: Extract<WorkbookStep, { kind: 'sql' }>, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  const { text, params } = parameterizeSql(step.sql, context);
  const rule: CheckRule = { id: 'workbook.sql', description: 'The query runs (read-only).' };
  const datasource = step.datasource ?? 'audit';
  const base = {
    target: 'sql',
    ruleId: 'workbook.sql',
    parameters: { datasource, sql: truncate(text, 2000), params: params.map((p) => (typeof p === 'string' ? truncate(p, SHOWN) : p)) },
  };
  const failed = (message: string): Observation => {
    const check = makeCheck('sql.query', 'sql', 'error', message, rule, {});
    return { ...base, collectorChecks: [check], document: documentOf([check]) };
  };
  if (!ctx.sql) return failed('no SQL datasource is available to this workbook runner');
  if (ctx.signal.aborted) return failed(`aborted: ${abortReason(ctx.signal)}`);
  let onAbort: (() => void) | undefined;
  let rows: SqlRow[];
  try {
    // A query that ignores the signal must still not hold the run past its timeout.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error(`aborted: ${abortReason(ctx.signal)}`));
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
    rows = await Promise.race([ctx.sql(datasource, text, params, ctx.signal), aborted]);
    if (!Array.isArray(rows)) throw new Error('the datasource returned no row array');
  } catch (err) {
    return failed(`query failed: ${errorMessage(err)}`);
  } finally {
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
  const kept = rows.slice(0, step.max_rows ?? DEFAULT_MAX_ROWS).map(capRow);
  const check = makeCheck('sql.query', 'sql', 'pass', `${rows.length} row(s)`, rule, { row_count: rows.length, rows_truncated: rows.length > kept.length });
  return { ...base, collectorChecks: [check], document: documentOf([check], { row_count: rows.length, rows: kept }) };
}

function observe(step: WorkbookStep, context: Record<string, unknown>, ctx: WorkbookRunContext): Promise<Observation> {
  switch (step.kind) {
    case 'http':
      return observeHttp(step, context, ctx);
    case 'dns':
      return observeDns(step, context, ctx);
    case 'tls':
      return observeTls(step, context, ctx);
    case 'tcp':
      return observeTcp(step, context, ctx);
    case 'sql':
      return observeSql(step, context, ctx);
    default: {
      const never: never = step;
      throw new StepParameterError(`unknown step kind ${String((never as { kind?: unknown }).kind)}`);
    }
  }
}

/** Reads `path` of a step document. */
export function readPath(document: unknown, path: string): { found: boolean; value: unknown } {
  return evaluateJsonPath(document, parseJsonPath(path));
}

interface AssertionResult {
  path: string;
  op: string;
  expected?: unknown;
  actual: string;
  ok: boolean;
  reason?: string;
}

/** Evaluates one assertion against a document. Expected string values are rendered from the context first. */
export function evaluateAssertion(assertion: WorkbookAssertion, document: unknown, context: Readonly<Record<string, unknown>>): AssertionResult {
  const { found, value: actual } = readPath(document, assertion.path);
  const expected = typeof assertion.value === 'string' ? renderValue(assertion.value, context) : assertion.value;
  const base = { path: assertion.path, op: assertion.op, ...(assertion.value === undefined ? {} : { expected }), actual: found ? show(actual) : '(absent)' };
  const result = (ok: boolean, reason?: string): AssertionResult => ({ ...base, ok, ...(ok || !reason ? {} : { reason }) });
  if (assertion.op === 'absent') return result(!found, 'is present');
  if (!found) return result(false, 'not found');
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' ? v.slice(0, MAX_ASSERT_TEXT) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  switch (assertion.op) {
    case 'exists':
      return result(true);
    case 'eq':
      return result(isDeepStrictEqual(actual, expected), `is ${show(actual)}, expected ${show(expected)}`);
    case 'ne':
      return result(!isDeepStrictEqual(actual, expected), `is ${show(actual)}`);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof actual !== 'number' || typeof expected !== 'number') return result(false, `is ${show(actual)}, not a number`);
      const ok = { gt: actual > expected, gte: actual >= expected, lt: actual < expected, lte: actual <= expected }[assertion.op];
      return result(ok, `is ${actual}, expected ${assertion.op} ${expected}`);
    }
    case 'contains':
    case 'not_contains': {
      let has: boolean;
      if (Array.isArray(actual)) has = actual.some((item) => isDeepStrictEqual(item, expected));
      else {
        const haystack = text(actual);
        if (haystack === undefined) return result(false, `is ${show(actual)}, neither text nor an array`);
        has = haystack.includes(asText(expected));
      }
      return assertion.op === 'contains'
        ? result(has, `${show(actual)} does not contain ${show(expected)}`)
        : result(!has, `${show(actual)} contains ${show(expected)}`);
    }
    case 'matches': {
      const subject = text(actual);
      if (subject === undefined) return result(false, `is ${show(actual)}, not text`);
      let re: RegExp;
      try {
        re = new RegExp(String(expected), 'u');
      } catch (err) {
        return result(false, `invalid regular expression: ${errorMessage(err)}`);
      }
      return result(re.test(subject), `${show(actual)} does not match /${String(expected)}/`);
    }
    case 'in':
      return result(Array.isArray(expected) && expected.some((item) => isDeepStrictEqual(item, actual)), `is ${show(actual)}, not one of ${show(expected)}`);
    default: {
      const never: never = assertion.op;
      return result(false, `unknown operator ${String(never)}`);
    }
  }
}

const DEFAULT_DESCRIPTIONS: Record<WorkbookStep['kind'], string> = {
  http: 'The HTTP request succeeds and its assertions hold.',
  dns: 'The DNS mail-posture checks pass and the assertions hold.',
  tls: 'The TLS certificate checks pass and the assertions hold.',
  tcp: 'The port accepts a connection and the assertions hold.',
  sql: 'The read-only query runs and its assertions hold.',
};

/**
 * Runs a workbook's steps in order. Each step calls its collector with its
 * templated parameters, then evaluates its assertions over the step's
 * document and extracts values into the shared context. A step whose
 * templates reference a value that an earlier step failed to provide is not
 * run: it becomes an `error` check "skipped: depends on <step>". Never throws
 * for a target's misbehaviour.
 *
 * The spec must have passed `WorkbookSpecSchema` (templates reference only
 * keys extracted by earlier steps).
 */
export async function runWorkbook(spec: WorkbookSpec, ctx: WorkbookRunContext): Promise<WorkbookRunResult> {
  const context: Record<string, unknown> = {};
  const providerOf = new Map<string, string>();
  for (const step of spec.steps) for (const key of Object.keys(step.extract ?? {})) if (!providerOf.has(key)) providerOf.set(key, step.id);
  const results: WorkbookStepResult[] = [];

  for (const step of spec.steps) {
    const started = Date.now();
    const rule: CheckRule = {
      id: step.kind === 'dns' ? `workbook.dns.${step.rule}` : `workbook.${step.kind}`,
      description: step.description ?? DEFAULT_DESCRIPTIONS[step.kind],
    };
    const finish = (status: CheckStatus, message: string, target: string, evidence: Record<string, unknown>, extracted: Record<string, unknown> = {}): void => {
      const check = makeCheck(step.id, truncate(target, 500) || step.id, status, message, rule, { kind: step.kind, ...evidence });
      results.push({ id: step.id, kind: step.kind, status, message: check.message, durationMs: Date.now() - started, check, extracted });
    };
    const staticTarget = step.kind === 'http' ? step.url : step.kind === 'dns' ? step.domain : step.kind === 'sql' ? 'sql' : `${step.host}:${step.port ?? 443}`;

    const needed = new Set<string>();
    for (const { text } of stepTemplates(step)) {
      const refs = templateReferences(text);
      if ('keys' in refs) refs.keys.forEach((k) => needed.add(k));
    }
    const missing = [...needed].filter((key) => !Object.hasOwn(context, key));
    if (missing.length > 0) {
      const providers = [...new Set(missing.map((key) => providerOf.get(key) ?? `(no step extracts ${key})`))];
      finish('error', `skipped: depends on ${providers.join(', ')}`, staticTarget, { skipped: true, depends_on: providers, missing_keys: missing });
      continue;
    }

    let observed: Observation;
    try {
      observed = await observe(step, context, ctx);
    } catch (err) {
      finish('error', err instanceof StepParameterError ? err.message : `step failed: ${errorMessage(err)}`, staticTarget, {});
      continue;
    }
    const collectorChecks = observed.collectorChecks.map((c) => ({ check_id: c.check_id, status: c.status, message: c.message, evidence: c.evidence }));
    const evidence: Record<string, unknown> = { parameters: observed.parameters, collector_checks: collectorChecks };
    const outcome = observed.document.outcome as CheckStatus;
    if (outcome === 'error') {
      const reasons = observed.collectorChecks.filter((c) => c.status === 'error').map((c) => `${c.check_id}: ${c.message}`);
      finish('error', reasons.join('; ') || 'the collector reported an error', observed.target, { ...evidence, assertions: [], extracted: {} });
      continue;
    }

    const assertions = (step.assert ?? []).map((a) => evaluateAssertion(a, observed.document, context));
    const extracted: Record<string, unknown> = {};
    const extractErrors: string[] = [];
    for (const [key, path] of Object.entries(step.extract ?? {})) {
      const { found, value } = readPath(observed.document, path);
      if (found && value !== undefined) extracted[key] = value;
      else extractErrors.push(`extract ${key}: ${path} not found`);
    }
    Object.assign(context, extracted);

    const failed = assertions.filter((a) => !a.ok);
    const status = worstStatus([outcome, failed.length > 0 ? 'fail' : 'pass', extractErrors.length > 0 ? 'error' : 'pass']);
    const parts: string[] = [];
    const collectorBad = observed.collectorChecks.filter((c) => c.status !== 'pass');
    if (collectorBad.length > 0) parts.push(collectorBad.map((c) => `${c.check_id} ${c.status}: ${c.message}`).join('; '));
    else parts.push(observed.collectorChecks.map((c) => c.message).join('; ') || 'done');
    if (failed.length > 0) parts.push(`assertion(s) failed: ${failed.map((a) => `${a.path} ${a.op}: ${a.reason ?? 'false'}`).join('; ')}`);
    else if (assertions.length > 0) parts.push(`${assertions.length} assertion(s) hold`);
    if (extractErrors.length > 0) parts.push(extractErrors.join('; '));
    else if (Object.keys(extracted).length > 0) parts.push(`extracted ${Object.keys(extracted).join(', ')}`);
    finish(
      status,
      parts.join(' — '),
      observed.target,
      {
        ...evidence,
        assertions,
        extracted: Object.fromEntries(Object.entries(extracted).map(([k, v]) => [k, show(v)])),
      },
      extracted,
    );
  }

  return {
    verdict: worstStatus(results.map((r) => r.status)),
    steps: results,
    checks: results.map((r) => r.check),
    context,
  };
}
