import { isIP } from 'node:net';
import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck } from './check.util';
import { DomainNameSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { DnsTimeoutMsSchema, dnsQueryOptions, isVoidResult, type MxRecord } from './dns-resolver.util';

/** Config of the `dns_mx` action type. */
export const DnsMxConfigSchema = z
  .object({
    /** The mail domain. */
    domain: DomainNameSchema,
    /** Longest wait (ms) for each DNS query of this check; unset: the engine's ENGINE_DNS_TIMEOUT_MS. */
    timeout_ms: DnsTimeoutMsSchema,
  })
  .strict();
/** Parsed {@link DnsMxConfigSchema}. */
export type DnsMxConfig = z.infer<typeof DnsMxConfigSchema>;

const RULES = {
  records: {
    id: 'mx.records',
    description: 'The domain publishes MX records, or a valid null MX saying it accepts no mail.',
    reference: 'RFC 5321 §5.1, RFC 7505 §3',
  },
  hostnames: { id: 'mx.hostnames', description: 'MX exchanges are host names, not IP addresses.', reference: 'RFC 5321 §5.1, RFC 1035 §3.3.9' },
  noCname: { id: 'mx.no_cname', description: 'MX exchanges are not aliases (CNAME).', reference: 'RFC 2181 §10.3, RFC 5321 §5.1' },
  addresses: { id: 'mx.addresses', description: 'Every MX exchange has an A or AAAA record.', reference: 'RFC 5321 §5.1' },
} satisfies Record<string, CheckRule>;

/** Most MX hosts inspected; the RRset is attacker-controlled. */
const MAX_HOSTS = 20;

function isNullMx(mx: MxRecord): boolean {
  return mx.exchange === '' || mx.exchange === '.';
}

/**
 * `dns_mx`: audits a domain's MX records: names not addresses, no CNAME
 * targets, addresses exist, and null MX (RFC 7505).
 */
export async function collectDnsMx(config: DnsMxConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, domain, status, message, rule, evidence);
  try {
    const mx = await ctx.resolver.resolveMx(domain, dnsQueryOptions(ctx.signal, config.timeout_ms));
    if (!mx.ok && mx.kind === 'NXDOMAIN') return [check(RULES.records, 'fail', `${domain} does not exist (NXDOMAIN)`, { dns: mx })];
    if (!mx.ok && !isVoidResult(mx)) return [check(RULES.records, 'error', `could not fetch MX of ${domain}: ${mx.kind} (${mx.message})`, { dns: mx })];
    const records = mx.ok ? [...mx.answers].sort((a, b) => a.priority - b.priority) : [];
    const evidence = { mx: records };
    if (records.length === 0) {
      // RFC 5321 §5.1: without MX, senders fall back to the domain's own A/AAAA ("implicit MX").
      return [check(RULES.records, 'warn', `no MX records: senders fall back to the address of ${domain} (implicit MX); publish MX or a null MX`, evidence)];
    }
    const nulls = records.filter(isNullMx);
    if (nulls.length > 0) {
      // RFC 7505 §3: a null MX is the only MX record, with preference 0.
      if (records.length > 1) return [check(RULES.records, 'fail', 'a null MX is mixed with other MX records', evidence)];
      if (nulls[0]?.priority !== 0) return [check(RULES.records, 'fail', `null MX with preference ${nulls[0]?.priority ?? '?'} instead of 0`, evidence)];
      return [check(RULES.records, 'pass', `null MX: ${domain} does not accept mail`, evidence)];
    }
    const checks: Check[] = [check(RULES.records, 'pass', `${records.length} MX record(s)`, evidence)];
    const hosts = records.slice(0, MAX_HOSTS).map((r) => normaliseDomain(r.exchange));
    const literals = hosts.filter((h) => isIP(h) !== 0 || /^\[.*\]$/.test(h));
    checks.push(
      literals.length > 0
        ? check(RULES.hostnames, 'fail', `MX exchanges that are IP addresses: ${literals.join(', ')}`, evidence)
        : check(RULES.hostnames, 'pass', 'every exchange is a host name', evidence),
    );
    const names = hosts.filter((h) => !literals.includes(h));

    const cnames: Array<{ host: string; target: string }> = [];
    const addresses: Record<string, { a: string[]; aaaa: string[] }> = {};
    const missing: string[] = [];
    const errors: string[] = [];
    for (const host of names) {
      const [cname, a, aaaa] = await Promise.all([
        ctx.resolver.resolveCname(host, dnsQueryOptions(ctx.signal, config.timeout_ms)),
        ctx.resolver.resolve4(host, dnsQueryOptions(ctx.signal, config.timeout_ms)),
        ctx.resolver.resolve6(host, dnsQueryOptions(ctx.signal, config.timeout_ms)),
      ]);
      if (cname.ok && cname.answers.length > 0) cnames.push({ host, target: cname.answers[0] ?? '' });
      if ((!a.ok && !isVoidResult(a)) || (!aaaa.ok && !isVoidResult(aaaa))) {
        errors.push(`${host}: ${!a.ok ? a.kind : ''} ${!aaaa.ok ? aaaa.kind : ''}`.trim());
        continue;
      }
      addresses[host] = { a: a.ok ? a.answers : [], aaaa: aaaa.ok ? aaaa.answers : [] };
      if (isVoidResult(a) && isVoidResult(aaaa)) missing.push(host);
    }
    checks.push(
      cnames.length > 0
        ? check(RULES.noCname, 'fail', `MX exchanges that are CNAMEs: ${cnames.map((c) => `${c.host} → ${c.target}`).join(', ')}`, { cnames })
        : check(RULES.noCname, 'pass', 'no exchange is a CNAME', { hosts: names }),
    );
    if (errors.length > 0) checks.push(check(RULES.addresses, 'error', `could not resolve: ${errors.join('; ')}`, { addresses, errors }));
    else if (missing.length > 0) checks.push(check(RULES.addresses, 'fail', `MX exchanges without A/AAAA: ${missing.join(', ')}`, { addresses }));
    else checks.push(check(RULES.addresses, 'pass', `every exchange has an address`, { addresses }));
    return checks;
  } catch (err) {
    return [check(RULES.records, 'error', `MX audit failed: ${errorMessage(err)}`)];
  }
}
