import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck, truncate, withTimeout } from './check.util';
import { DomainNameSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { isVoidResult } from './dns-resolver.util';
import { isCollectorError } from './collector.error';
import { httpRequest } from './http-request.util';
import { joinTxt } from './spf-evaluator.util';
import { parseTagList, tagValue } from './tag-value.util';

/** Config of the `mta_sts` action type. */
export const MtaStsConfigSchema = z
  .object({
    /** The Policy Domain. */
    domain: DomainNameSchema,
    /**
     * Connect here instead of `mta-sts.<domain>:443`, still presenting and
     * verifying the name `mta-sts.<domain>` (tests, split-horizon networks).
     */
    policy_endpoint: z
      .object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65_535) })
      .strict()
      .optional(),
    /** Extra CA certificate(s) (PEM) trusted instead of the system roots. */
    ca_pem: z.string().max(100_000).optional(),
    /** Policy fetch timeout in milliseconds. @defaultValue 10000 */
    timeout_ms: z.number().int().positive().max(600_000).default(10_000),
    /** Warn when max_age is below this many seconds (RFC 8461 §3.2 recommends weeks). @defaultValue 86400 */
    min_max_age: z.number().int().min(0).max(31_557_600).default(86_400),
  })
  .strict();
/** Parsed {@link MtaStsConfigSchema}. */
export type MtaStsConfig = z.infer<typeof MtaStsConfigSchema>;

const RULES = {
  txt: { id: 'mta_sts.txt_record', description: 'One TXT record "v=STSv1; id=…" is published at _mta-sts.<domain>.', reference: 'RFC 8461 §3.1' },
  fetch: {
    id: 'mta_sts.policy_fetch',
    description: 'The policy is served over HTTPS with a valid certificate for mta-sts.<domain>, status 200, text/plain, without redirects.',
    reference: 'RFC 8461 §3.3',
  },
  syntax: { id: 'mta_sts.policy_syntax', description: 'The policy has version STSv1, a valid mode, max_age and mx patterns.', reference: 'RFC 8461 §3.2' },
  mode: { id: 'mta_sts.mode', description: 'mode is "enforce"; "testing" only reports and "none" withdraws the policy.', reference: 'RFC 8461 §5' },
  maxAge: { id: 'mta_sts.max_age', description: 'max_age is long enough to protect against downgrade between fetches.', reference: 'RFC 8461 §3.2, §10' },
  mx: { id: 'mta_sts.mx_coverage', description: 'Every MX host of the domain matches an mx pattern of the policy.', reference: 'RFC 8461 §4.1' },
} satisfies Record<string, CheckRule>;

/** Largest policy body read (RFC 8461 §3.3 asks senders to bound it). */
const MAX_POLICY_BYTES = 64 * 1024;
/** RFC 8461 §3.2: max_age is at most 31557600 seconds (one year). */
const MAX_MAX_AGE = 31_557_600;

/** A parsed MTA-STS policy (RFC 8461 §3.2). */
export interface MtaStsPolicy {
  readonly version?: string;
  readonly mode?: string;
  readonly maxAge?: number;
  readonly mx: string[];
  readonly errors: string[];
}

/** Parses a policy body: `key: value` lines separated by CRLF or LF (RFC 8461 §3.2). Attacker-controlled: line count bounded. */
export function parseMtaStsPolicy(body: string): MtaStsPolicy {
  const errors: string[] = [];
  const mx: string[] = [];
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: number | undefined;
  const lines = body.split(/\r?\n/).slice(0, 1000);
  for (const line of lines) {
    if (line.trim() === '') continue;
    const m = /^([A-Za-z0-9_]+)[ \t]*:[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) {
      errors.push(`bad line "${truncate(line, 60)}"`);
      continue;
    }
    const key = m[1] ?? '';
    const value = m[2] ?? '';
    if (key === 'version') {
      if (version !== undefined) errors.push('version given twice');
      version = value;
    } else if (key === 'mode') {
      if (mode !== undefined) errors.push('mode given twice');
      mode = value;
    } else if (key === 'max_age') {
      if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_MAX_AGE) errors.push(`max_age "${truncate(value, 20)}" is not 0-${MAX_MAX_AGE}`);
      else maxAge = Number(value);
    } else if (key === 'mx') {
      if (!/^(\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\.?$/i.test(value))
        errors.push(`mx "${truncate(value, 60)}" is not a host name pattern`);
      else if (mx.length < 100) mx.push(value.toLowerCase().replace(/\.$/, ''));
    }
    // Other keys are extensions and are ignored (RFC 8461 §3.2).
  }
  if (version !== 'STSv1') errors.push(`version is ${version === undefined ? 'missing' : `"${truncate(version, 20)}"`}, not STSv1`);
  if (mode === undefined || !['enforce', 'testing', 'none'].includes(mode))
    errors.push(`mode is ${mode === undefined ? 'missing' : `"${truncate(mode, 20)}"`}`);
  if (maxAge === undefined && !errors.some((e) => e.startsWith('max_age'))) errors.push('max_age is missing');
  if (mx.length === 0 && mode !== 'none') errors.push('no mx pattern');
  return { ...(version === undefined ? {} : { version }), ...(mode === undefined ? {} : { mode }), ...(maxAge === undefined ? {} : { maxAge }), mx, errors };
}

/** RFC 8461 §4.1: `*.example.com` matches exactly one extra leftmost label. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes('.') && h.length > suffix.length;
  }
  return h === pattern;
}

/**
 * `mta_sts`: audits SMTP MTA Strict Transport Security (RFC 8461): the
 * `_mta-sts` TXT record, the policy fetched from
 * `https://mta-sts.<domain>/.well-known/mta-sts.txt`, its mode and max_age,
 * and that the domain's MX hosts are covered by its mx patterns.
 */
export async function collectMtaSts(config: MtaStsConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, domain, status, message, rule, evidence);
  try {
    const txtName = `_mta-sts.${domain}`;
    const txt = await ctx.resolver.resolveTxt(txtName, { signal: ctx.signal });
    if (!txt.ok && !isVoidResult(txt)) return [check(RULES.txt, 'error', `could not fetch ${txtName}: ${txt.kind} (${txt.message})`)];
    const records = (txt.ok ? txt.answers.map(joinTxt) : []).filter((r) => /^v=STSv1;/.test(r) || r === 'v=STSv1');
    const checks: Check[] = [];
    if (records.length !== 1)
      return [
        check(
          RULES.txt,
          'fail',
          records.length === 0 ? `no "v=STSv1" record at ${txtName}` : `${records.length} "v=STSv1" records at ${txtName}: senders ignore the policy`,
          { records },
        ),
      ];
    const tags = parseTagList(records[0] ?? '');
    const id = tagValue(tags, 'id');
    if (id === undefined || !/^[a-zA-Z0-9]{1,32}$/.test(id) || tags.errors.length > 0) {
      checks.push(
        check(
          RULES.txt,
          'fail',
          `invalid record: ${[...tags.errors, id === undefined ? 'id missing' : `id "${truncate(id, 40)}" is not 1-32 alphanumerics`].join('; ')}`,
          { record: records[0] },
        ),
      );
    } else {
      checks.push(check(RULES.txt, 'pass', `policy id ${id}`, { record: records[0], id }));
    }

    const policyHost = `mta-sts.${domain}`;
    const url = new URL(`https://${policyHost}/.well-known/mta-sts.txt`);
    const fetchEvidence: Record<string, unknown> = {
      url: url.toString(),
      ...(config.policy_endpoint ? { connected_to: `${config.policy_endpoint.host}:${config.policy_endpoint.port}` } : {}),
    };
    let body: string;
    try {
      const response = await httpRequest({
        url,
        method: 'GET',
        verifyTls: true,
        ...(config.ca_pem === undefined ? {} : { ca: config.ca_pem }),
        ...(config.policy_endpoint ? { connectTo: config.policy_endpoint } : {}),
        maxBodyBytes: MAX_POLICY_BYTES,
        signal: withTimeout(ctx.signal, config.timeout_ms),
        ...(ctx.egress ? { egress: ctx.egress } : {}),
      });
      const contentType = String(response.headers['content-type'] ?? '');
      body = response.body.toString('utf8');
      Object.assign(fetchEvidence, {
        status: response.status,
        content_type: contentType,
        body_excerpt: truncate(body, 1024),
        body_truncated: response.truncated,
      });
      // RFC 8461 §3.3: 3xx redirects MUST NOT be followed; only 200 is a policy.
      if (response.status !== 200) {
        checks.push(
          check(
            RULES.fetch,
            'fail',
            `HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`,
            fetchEvidence,
          ),
        );
        return checks;
      }
      if (response.truncated) {
        checks.push(check(RULES.fetch, 'fail', `policy larger than ${MAX_POLICY_BYTES} bytes`, fetchEvidence));
        return checks;
      }
      checks.push(
        /^text\/plain\b/i.test(contentType)
          ? check(RULES.fetch, 'pass', `policy fetched from ${url.toString()}`, fetchEvidence)
          : check(RULES.fetch, 'fail', `Content-Type is "${truncate(contentType, 100)}", not text/plain`, fetchEvidence),
      );
    } catch (err) {
      checks.push(check(RULES.fetch, isCollectorError(err, 'REQUEST_TLS') ? 'fail' : 'error', `policy fetch failed: ${errorMessage(err)}`, fetchEvidence));
      return checks;
    }

    const policy = parseMtaStsPolicy(body);
    const policyEvidence = { version: policy.version ?? null, mode: policy.mode ?? null, max_age: policy.maxAge ?? null, mx: policy.mx };
    checks.push(
      policy.errors.length > 0
        ? check(RULES.syntax, 'fail', `invalid policy: ${policy.errors.join('; ')}`, policyEvidence)
        : check(RULES.syntax, 'pass', 'policy is valid', policyEvidence),
    );
    if (policy.mode === 'enforce') checks.push(check(RULES.mode, 'pass', 'mode is enforce', { mode: policy.mode }));
    else if (policy.mode === 'testing')
      checks.push(check(RULES.mode, 'warn', 'mode is testing: failures are reported but mail is still delivered without TLS', { mode: policy.mode }));
    else if (policy.mode === 'none') checks.push(check(RULES.mode, 'warn', 'mode is none: the policy is withdrawn', { mode: policy.mode }));
    if (policy.maxAge !== undefined) {
      checks.push(
        policy.maxAge < config.min_max_age
          ? check(RULES.maxAge, 'warn', `max_age ${policy.maxAge} s is under ${config.min_max_age} s`, { max_age: policy.maxAge })
          : check(RULES.maxAge, 'pass', `max_age ${policy.maxAge} s`, { max_age: policy.maxAge }),
      );
    }

    if (policy.mode !== 'none' && policy.mx.length > 0) {
      const mx = await ctx.resolver.resolveMx(domain, { signal: ctx.signal });
      if (!mx.ok && !isVoidResult(mx)) checks.push(check(RULES.mx, 'error', `could not fetch MX of ${domain}: ${mx.kind}`));
      else {
        const hosts = (mx.ok ? mx.answers : [])
          .map((m) => m.exchange.toLowerCase())
          .filter((h) => h !== '' && h !== '.')
          .slice(0, 50);
        const uncovered = hosts.filter((h) => !policy.mx.some((p) => mxPatternMatches(p, h)));
        if (hosts.length === 0) checks.push(check(RULES.mx, 'warn', `${domain} has no MX hosts to cover`, { mx: hosts, patterns: policy.mx }));
        else if (uncovered.length > 0)
          checks.push(check(RULES.mx, 'fail', `MX hosts not matched by the policy: ${uncovered.join(', ')}`, { mx: hosts, patterns: policy.mx, uncovered }));
        else checks.push(check(RULES.mx, 'pass', `all ${hosts.length} MX host(s) match the policy`, { mx: hosts, patterns: policy.mx }));
      }
    }
    return checks;
  } catch (err) {
    return [check(RULES.txt, 'error', `MTA-STS audit failed: ${errorMessage(err)}`)];
  }
}
