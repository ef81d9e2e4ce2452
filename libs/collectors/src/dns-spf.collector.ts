import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck } from './check.util';
import { DomainNameSchema, IpAddressSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { DnsTimeoutMsSchema, dnsQueryOptions, isVoidResult, type DnsQueryOptions, type DnsResolver } from './dns-resolver.util';
import {
  SPF_MAX_DNS_LOOKUPS,
  SPF_MAX_VOID_LOOKUPS,
  SPF_DNS_TERMS,
  checkHost,
  hasMacro,
  isSpfRecord,
  joinTxt,
  parseSpfRecord,
  type SpfRecord,
} from './spf-evaluator.util';

/** Config of the `dns_spf` action type. */
export const DnsSpfConfigSchema = z
  .object({
    /** The domain whose SPF record is audited (the RFC5321.MailFrom / HELO domain). */
    domain: DomainNameSchema,
    /**
     * Addresses that send mail for the domain; each must get `pass` from check_host() (RFC 7208 §4).
     * @defaultValue []
     */
    senders: z.array(IpAddressSchema).max(50).default([]),
    /**
     * The RFC5321.MailFrom used for macro expansion (RFC 7208 §7) when evaluating `senders`.
     * @defaultValue `postmaster@<domain>`
     */
    mail_from: z.email().max(320).optional(),
    /**
     * When true, `~all` warns instead of passing (only `-all` passes).
     * @defaultValue false
     */
    require_hard_fail: z.boolean().default(false),
    /** Longest wait for each DNS query of this check (ms); unset: `ENGINE_DNS_TIMEOUT_MS`. */
    timeout_ms: DnsTimeoutMsSchema,
  })
  .strict();
/** Parsed {@link DnsSpfConfigSchema}. */
export type DnsSpfConfig = z.infer<typeof DnsSpfConfigSchema>;

const RULES = {
  record: { id: 'spf.single_record', description: 'Exactly one TXT record starting with "v=spf1" is published.', reference: 'RFC 7208 §4.5, §3.2' },
  syntax: { id: 'spf.syntax', description: 'Every SPF record on the evaluation path parses.', reference: 'RFC 7208 §4.6, §12' },
  nested: { id: 'spf.nested_records', description: 'Every include/redirect target publishes exactly one SPF record.', reference: 'RFC 7208 §5.2, §6.1' },
  lookups: {
    id: 'spf.dns_lookup_limit',
    description: `At most ${SPF_MAX_DNS_LOOKUPS} DNS-querying terms (include, a, mx, ptr, exists, redirect), counted through nested include/redirect.`,
    reference: 'RFC 7208 §4.6.4',
  },
  voids: {
    id: 'spf.void_lookup_limit',
    description: `At most ${SPF_MAX_VOID_LOOKUPS} DNS lookups that return NXDOMAIN or no answers.`,
    reference: 'RFC 7208 §4.6.4',
  },
  loops: { id: 'spf.no_loops', description: 'No include/redirect chain leads back to a record already on the path.', reference: 'RFC 7208 §4.6.4, §5.2' },
  all: {
    id: 'spf.all_qualifier',
    description: 'The record ends in "-all" or "~all"; "+all" and "?all" authorise or neutralise every host, and a missing "all" defaults to neutral.',
    reference: 'RFC 7208 §5.1, §4.7, §8',
  },
  ptr: { id: 'spf.no_ptr', description: 'The "ptr" mechanism is not used: it is slow, unreliable and SHOULD NOT be published.', reference: 'RFC 7208 §5.5' },
  size: {
    id: 'spf.record_size',
    description: 'Each TXT character-string is at most 255 octets and the answer fits a 512-octet UDP response.',
    reference: 'RFC 7208 §3.3, §3.4',
  },
  senders: { id: 'spf.senders_pass', description: 'Every listed sending address gets "pass" from check_host().', reference: 'RFC 7208 §4, §2.6.3' },
} satisfies Record<string, CheckRule>;

/** Guidance of RFC 7208 §3.4: keep the whole DNS answer under 512 octets. */
const UDP_ANSWER_GUIDANCE = 512;
/** Most records fetched while walking include/redirect; the walk itself is attacker-driven. */
const MAX_RECORDS_WALKED = 40;

interface WalkState {
  lookups: number;
  voidLookups: number;
  records: Array<{ domain: string; record: string }>;
  ptrTerms: string[];
  loops: string[];
  syntaxErrors: string[];
  nestedProblems: string[];
  macroTerms: string[];
  tempErrors: string[];
  truncated: boolean;
}

/**
 * Walks the include/redirect tree statically (every branch, as checkdmarc
 * does), counting DNS-querying terms and void lookups, and collecting loops,
 * `ptr` terms and syntax errors.
 */
async function walk(
  resolver: DnsResolver,
  domain: string,
  record: SpfRecord,
  path: string[],
  state: WalkState,
  query: DnsQueryOptions & { readonly signal: AbortSignal },
): Promise<void> {
  const { signal } = query;
  const hasAll = record.mechanisms.some((m) => m.name === 'all');
  const terms: Array<{ name: string; value: string | undefined; raw: string }> = record.mechanisms.map((m) => ({ name: m.name, value: m.value, raw: m.raw }));
  // RFC 7208 §6.1: redirect is ignored when the record has an "all" mechanism.
  if (record.redirect !== undefined && !hasAll) terms.push({ name: 'redirect', value: record.redirect, raw: `redirect=${record.redirect}` });
  for (const term of terms) {
    if (signal.aborted) return;
    if (!SPF_DNS_TERMS.has(term.name)) continue;
    state.lookups += 1;
    if (term.name === 'ptr') state.ptrTerms.push(`${domain}: ${term.raw}`);
    const target = normaliseDomain(term.value ?? domain);
    if (hasMacro(target)) {
      state.macroTerms.push(`${domain}: ${term.raw}`);
      continue;
    }
    if (term.name === 'include' || term.name === 'redirect') {
      if (path.includes(target)) {
        state.loops.push([...path, target].join(' → '));
        continue;
      }
      if (state.records.length >= MAX_RECORDS_WALKED) {
        state.truncated = true;
        continue;
      }
      const txt = await resolver.resolveTxt(target, query);
      if (!txt.ok && !isVoidResult(txt)) {
        state.tempErrors.push(`${term.raw}: ${txt.kind}`);
        continue;
      }
      const found = txt.ok ? txt.answers.map(joinTxt).filter(isSpfRecord) : [];
      if (isVoidResult(txt)) state.voidLookups += 1;
      if (found.length !== 1) {
        state.nestedProblems.push(`${term.raw}: ${found.length} SPF records at ${target}`);
        continue;
      }
      const text = found[0] ?? '';
      state.records.push({ domain: target, record: text });
      let nested: SpfRecord;
      try {
        nested = parseSpfRecord(text);
      } catch (err) {
        state.syntaxErrors.push(`${target}: ${(err as Error).message}`);
        continue;
      }
      await walk(resolver, target, nested, [...path, target], state, query);
    } else if (term.name === 'a') {
      const [v4, v6] = await Promise.all([resolver.resolve4(target, query), resolver.resolve6(target, query)]);
      if (isVoidResult(v4) && isVoidResult(v6)) state.voidLookups += 1;
    } else if (term.name === 'mx') {
      if (isVoidResult(await resolver.resolveMx(target, query))) state.voidLookups += 1;
    } else if (term.name === 'exists') {
      // exists without macros is rare; a void answer there is the point of the term, not an error.
    }
  }
}

function effectiveAll(record: SpfRecord, state: WalkState): string | undefined {
  const all = record.mechanisms.find((m) => m.name === 'all');
  if (all) return `${all.qualifier}all`;
  if (record.redirect === undefined) return undefined;
  // Follow the redirect chain (RFC 7208 §6.1) through the records the walk fetched.
  let target = normaliseDomain(record.redirect);
  for (let i = 0; i < 10; i += 1) {
    const next = state.records.find((r) => r.domain === target);
    if (!next) return undefined;
    try {
      const parsed = parseSpfRecord(next.record);
      const a = parsed.mechanisms.find((m) => m.name === 'all');
      if (a) return `${a.qualifier}all`;
      if (parsed.redirect === undefined) return undefined;
      target = normaliseDomain(parsed.redirect);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Rough size of the DNS response carrying `records` (RFC 1035 §4.1): header, question, one RR per record. */
function estimateAnswerSize(domain: string, records: readonly string[][]): number {
  const question = domain.length + 2 + 4;
  return 12 + question + records.reduce((sum, strings) => sum + 2 + 10 + strings.reduce((s, str) => s + 1 + Buffer.byteLength(str), 0), 0);
}

/**
 * `dns_spf`: audits the SPF record of a domain (RFC 7208) and evaluates
 * check_host() for the configured senders. Never throws for the domain's
 * misbehaviour: DNS failures become `error` checks.
 */
export async function collectDnsSpf(config: DnsSpfConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, domain, status, message, rule, evidence);
  try {
    const txt = await ctx.resolver.resolveTxt(domain, dnsQueryOptions(ctx.signal, config.timeout_ms));
    if (!txt.ok && !isVoidResult(txt)) {
      return [check(RULES.record, 'error', `could not fetch TXT records of ${domain}: ${txt.kind} (${txt.message})`, { dns: txt })];
    }
    const rawTxt = txt.ok ? txt.answers : [];
    const spf = rawTxt.filter((strings) => isSpfRecord(joinTxt(strings)));
    const evidence = { txt: rawTxt.slice(0, 20), spf_records: spf.map(joinTxt) };
    if (spf.length !== 1) {
      return [
        check(
          RULES.record,
          'fail',
          spf.length === 0 ? `no SPF record at ${domain}` : `${spf.length} SPF records at ${domain} (check_host() returns permerror)`,
          evidence,
        ),
      ];
    }
    const checks: Check[] = [check(RULES.record, 'pass', `one SPF record at ${domain}`, evidence)];
    const strings = spf[0] ?? [];
    const text = joinTxt(strings);

    const longStrings = strings.filter((s) => Buffer.byteLength(s) > 255);
    const answerSize = estimateAnswerSize(domain, rawTxt);
    checks.push(
      longStrings.length > 0
        ? check(RULES.size, 'fail', `${longStrings.length} character-string(s) longer than 255 octets`, {
            strings: strings.map((s) => s.length),
            answer_size: answerSize,
          })
        : answerSize > UDP_ANSWER_GUIDANCE
          ? check(RULES.size, 'warn', `the TXT answer is about ${answerSize} octets, over the ${UDP_ANSWER_GUIDANCE}-octet guidance`, {
              strings: strings.map((s) => s.length),
              answer_size: answerSize,
            })
          : check(RULES.size, 'pass', `record is ${text.length} characters; answer about ${answerSize} octets`, {
              strings: strings.map((s) => s.length),
              answer_size: answerSize,
            }),
    );

    let record: SpfRecord;
    try {
      record = parseSpfRecord(text);
    } catch (err) {
      checks.push(check(RULES.syntax, 'fail', `syntax error: ${(err as Error).message}`, { record: text }));
      return checks;
    }
    const state: WalkState = {
      lookups: 0,
      voidLookups: 0,
      records: [{ domain, record: text }],
      ptrTerms: [],
      loops: [],
      syntaxErrors: [],
      nestedProblems: [],
      macroTerms: [],
      tempErrors: [],
      truncated: false,
    };
    await walk(ctx.resolver, domain, record, [domain], state, { ...dnsQueryOptions(ctx.signal, config.timeout_ms), signal: ctx.signal });
    if (ctx.signal.aborted)
      return [...checks, check(RULES.lookups, 'error', `aborted while resolving nested records: ${String(ctx.signal.reason ?? 'aborted')}`)];
    const walked = { records: state.records };

    checks.push(
      state.syntaxErrors.length > 0
        ? check(RULES.syntax, 'fail', `syntax errors: ${state.syntaxErrors.join('; ')}`, walked)
        : check(RULES.syntax, 'pass', `${state.records.length} record(s) parsed`, walked),
    );
    checks.push(
      state.tempErrors.length > 0
        ? check(RULES.nested, 'error', `DNS errors resolving nested records: ${state.tempErrors.join('; ')}`, { errors: state.tempErrors })
        : state.nestedProblems.length > 0
          ? check(RULES.nested, 'fail', `nested records missing or duplicated: ${state.nestedProblems.join('; ')}`, { problems: state.nestedProblems })
          : check(RULES.nested, 'pass', 'every include/redirect target has one SPF record'),
    );
    const lookupEvidence = { dns_lookups: state.lookups, limit: SPF_MAX_DNS_LOOKUPS, walk_truncated: state.truncated, macro_terms: state.macroTerms };
    checks.push(
      state.lookups > SPF_MAX_DNS_LOOKUPS
        ? check(
            RULES.lookups,
            'fail',
            `${state.truncated ? 'at least ' : ''}${state.lookups} DNS-querying terms (limit ${SPF_MAX_DNS_LOOKUPS}): receivers return permerror`,
            lookupEvidence,
          )
        : check(RULES.lookups, 'pass', `${state.lookups} DNS-querying terms (limit ${SPF_MAX_DNS_LOOKUPS})`, lookupEvidence),
    );
    checks.push(
      state.voidLookups > SPF_MAX_VOID_LOOKUPS
        ? check(RULES.voids, 'fail', `${state.voidLookups} void lookups (limit ${SPF_MAX_VOID_LOOKUPS}): receivers return permerror`, {
            void_lookups: state.voidLookups,
          })
        : check(RULES.voids, 'pass', `${state.voidLookups} void lookups (limit ${SPF_MAX_VOID_LOOKUPS})`, { void_lookups: state.voidLookups }),
    );
    checks.push(
      state.loops.length > 0
        ? check(RULES.loops, 'fail', `include/redirect loop: ${state.loops.join('; ')}`, { loops: state.loops })
        : check(RULES.loops, 'pass', 'no include/redirect loop'),
    );

    // Decision (documented): "-all" passes; "~all" passes too, because with DMARC
    // enforcing, softfail lets the receiver apply the DMARC policy instead of
    // rejecting on SPF alone (RFC 7208 §8.5, RFC 7489 §10.1); set
    // `require_hard_fail` to make "~all" warn. "+all" and "?all" fail; no
    // "all" (and no redirect to one) warns: the default result is neutral (§4.7).
    const all = effectiveAll(record, state);
    const allEvidence = { all: all ?? null };
    if (all === '+all') checks.push(check(RULES.all, 'fail', '"+all" authorises every host on the internet', allEvidence));
    else if (all === '?all') checks.push(check(RULES.all, 'fail', '"?all" makes every unlisted host neutral: the record protects nothing', allEvidence));
    else if (all === '~all')
      checks.push(
        check(
          RULES.all,
          config.require_hard_fail ? 'warn' : 'pass',
          config.require_hard_fail ? '"~all" (softfail); "-all" is required by this check' : '"~all" (softfail) for unlisted hosts',
          allEvidence,
        ),
      );
    else if (all === '-all') checks.push(check(RULES.all, 'pass', '"-all" rejects unlisted hosts', allEvidence));
    else checks.push(check(RULES.all, 'warn', 'no "all" mechanism: unlisted hosts get the default "neutral"', allEvidence));

    checks.push(
      state.ptrTerms.length > 0
        ? check(RULES.ptr, 'warn', `"ptr" used: ${state.ptrTerms.join('; ')}`, { ptr_terms: state.ptrTerms })
        : check(RULES.ptr, 'pass', '"ptr" not used'),
    );

    if (config.senders.length > 0) {
      const results: Array<{ ip: string; result: string; reason: string; dns_lookups: number; void_lookups: number }> = [];
      for (const ip of config.senders) {
        const outcome = await checkHost(ip, domain, {
          resolver: ctx.resolver,
          signal: ctx.signal,
          ...(config.timeout_ms === undefined ? {} : { timeoutMs: config.timeout_ms }),
          ...(config.mail_from === undefined ? {} : { sender: config.mail_from }),
        });
        results.push({ ip, result: outcome.result, reason: outcome.reason, dns_lookups: outcome.dnsLookups, void_lookups: outcome.voidLookups });
      }
      const failing = results.filter((r) => r.result !== 'pass');
      const erroring = failing.filter((r) => r.result === 'temperror');
      checks.push(
        failing.length === 0
          ? check(RULES.senders, 'pass', `all ${results.length} sender(s) get "pass"`, { results })
          : check(
              RULES.senders,
              erroring.length === failing.length && ctx.signal.aborted ? 'error' : 'fail',
              `${failing.length} of ${results.length} sender(s) do not get "pass": ${failing.map((r) => `${r.ip} → ${r.result} (${r.reason})`).join('; ')}`,
              { results },
            ),
      );
    }
    return checks;
  } catch (err) {
    return [check(RULES.record, 'error', `SPF audit failed: ${errorMessage(err)}`)];
  }
}
