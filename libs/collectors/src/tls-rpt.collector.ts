import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck } from './check.util';
import { DomainNameSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { DnsTimeoutMsSchema, dnsQueryOptions, isVoidResult } from './dns-resolver.util';
import { joinTxt } from './spf-evaluator.util';
import { parseTagList, tagValue } from './tag-value.util';

/** Config of the `tls_rpt` action type. */
export const TlsRptConfigSchema = z
  .object({
    /** The Policy Domain. */
    domain: DomainNameSchema,
    /** Longest wait (ms) for each DNS query of this check; unset: the engine's ENGINE_DNS_TIMEOUT_MS. */
    timeout_ms: DnsTimeoutMsSchema,
  })
  .strict();
/** Parsed {@link TlsRptConfigSchema}. */
export type TlsRptConfig = z.infer<typeof TlsRptConfigSchema>;

const RULES = {
  record: { id: 'tls_rpt.record', description: 'One TXT record starting "v=TLSRPTv1" is published at _smtp._tls.<domain>.', reference: 'RFC 8460 §3' },
  rua: { id: 'tls_rpt.rua', description: 'rua lists one or more mailto: or https: report destinations.', reference: 'RFC 8460 §3' },
} satisfies Record<string, CheckRule>;

/**
 * `tls_rpt`: audits SMTP TLS Reporting (RFC 8460): one `v=TLSRPTv1` record
 * at `_smtp._tls.<domain>` whose `rua` names valid destinations.
 */
export async function collectTlsRpt(config: TlsRptConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, domain, status, message, rule, evidence);
  try {
    const name = `_smtp._tls.${domain}`;
    const txt = await ctx.resolver.resolveTxt(name, dnsQueryOptions(ctx.signal, config.timeout_ms));
    if (!txt.ok && !isVoidResult(txt)) return [check(RULES.record, 'error', `could not fetch ${name}: ${txt.kind} (${txt.message})`)];
    // RFC 8460 §3: records not starting with "v=TLSRPTv1" are discarded; more than one → no reporting.
    const records = (txt.ok ? txt.answers.map(joinTxt) : []).filter((r) => /^v=TLSRPTv1\s*(;|$)/.test(r));
    if (records.length !== 1)
      return [
        check(
          RULES.record,
          'fail',
          records.length === 0 ? `no TLS-RPT record at ${name}` : `${records.length} TLS-RPT records at ${name}: senders report nowhere`,
          { records },
        ),
      ];
    const tags = parseTagList(records[0] ?? '');
    const checks: Check[] = [
      tags.errors.length > 0
        ? check(RULES.record, 'fail', `invalid record: ${tags.errors.join('; ')}`, { record: records[0] })
        : check(RULES.record, 'pass', `one TLS-RPT record at ${name}`, { record: records[0] }),
    ];
    const rua = (tagValue(tags, 'rua') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '')
      .slice(0, 20);
    const invalid = rua.filter((u) => !/^mailto:[^@\s]+@[^@\s]+$/i.test(u) && !/^https:\/\/[^\s]+$/i.test(u));
    if (rua.length === 0) checks.push(check(RULES.rua, 'fail', 'no rua destination', { rua }));
    else if (invalid.length > 0) checks.push(check(RULES.rua, 'fail', `invalid rua URIs: ${invalid.join(', ')}`, { rua }));
    else checks.push(check(RULES.rua, 'pass', `reports go to ${rua.join(', ')}`, { rua }));
    return checks;
  } catch (err) {
    return [check(RULES.record, 'error', `TLS-RPT audit failed: ${errorMessage(err)}`)];
  }
}
