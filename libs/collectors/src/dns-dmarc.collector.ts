import { z } from 'zod';
import { getDomain } from 'tldts';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck } from './check.util';
import { DomainNameSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { DnsTimeoutMsSchema, dnsQueryOptions, isVoidResult, type DnsQueryOptions, type DnsResolver } from './dns-resolver.util';
import { joinTxt } from './spf-evaluator.util';
import { parseTagList, tagValue, type TagList } from './tag-value.util';

/** Config of the `dns_dmarc` action type. */
export const DnsDmarcConfigSchema = z
  .object({
    /** The RFC5322.From domain whose DMARC policy is audited. */
    domain: DomainNameSchema,
    /**
     * Check that external report destinations authorise the domain (RFC 7489 §7.1).
     * @defaultValue true
     */
    verify_external_destinations: z.boolean().default(true),
    /** Longest wait (ms) for each DNS query of this check; unset: the engine's ENGINE_DNS_TIMEOUT_MS. */
    timeout_ms: DnsTimeoutMsSchema,
  })
  .strict();
/** Parsed {@link DnsDmarcConfigSchema}. */
export type DnsDmarcConfig = z.infer<typeof DnsDmarcConfigSchema>;

const RULES = {
  record: {
    id: 'dmarc.record',
    description: 'One DMARC record is published at _dmarc.<domain> or at the organisational domain.',
    reference: 'RFC 7489 §6.1, §6.6.3',
  },
  syntax: { id: 'dmarc.syntax', description: 'The record starts with v=DMARC1 and every tag is valid.', reference: 'RFC 7489 §6.3, §6.4' },
  policy: { id: 'dmarc.policy', description: 'p=quarantine or p=reject; p=none only monitors.', reference: 'RFC 7489 §6.3 (p)' },
  subdomain: {
    id: 'dmarc.subdomain_policy',
    description: 'sp (subdomains) and np (non-existent subdomains) are not weaker than enforcement.',
    reference: 'RFC 7489 §6.3 (sp), RFC 9091 §4.1 (np)',
  },
  pct: { id: 'dmarc.pct', description: 'pct=100 (or absent): the policy applies to all failing mail.', reference: 'RFC 7489 §6.3 (pct)' },
  testing: { id: 'dmarc.testing_mode', description: 't=y (testing) is not set.', reference: 'draft-ietf-dmarc-dmarcbis §5.3 (t)' },
  rua: { id: 'dmarc.rua', description: 'Aggregate reports are requested (rua) with valid mailto: URIs.', reference: 'RFC 7489 §6.3 (rua), §6.2' },
  external: {
    id: 'dmarc.external_destinations',
    description: 'Report destinations outside the organisational domain publish <domain>._report._dmarc.<destination> v=DMARC1.',
    reference: 'RFC 7489 §7.1',
  },
} satisfies Record<string, CheckRule>;

const POLICIES = new Set(['none', 'quarantine', 'reject']);
/** Most report URIs checked; rua/ruf are attacker-controlled. */
const MAX_URIS = 10;

/** The organisational domain (RFC 7489 §3.2) by the Public Suffix List; the domain itself when the PSL knows nothing better. */
export function organisationalDomain(domain: string): string {
  return getDomain(domain) ?? domain;
}

type Lookup =
  | { kind: 'found'; name: string; record: string; all: string[] }
  | { kind: 'none' }
  | { kind: 'multiple'; name: string; all: string[] }
  | { kind: 'error'; name: string; reason: string };

async function lookupDmarc(resolver: DnsResolver, domain: string, options: DnsQueryOptions): Promise<Lookup> {
  const name = `_dmarc.${domain}`;
  const txt = await resolver.resolveTxt(name, options);
  if (!txt.ok && !isVoidResult(txt)) return { kind: 'error', name, reason: `${txt.kind} (${txt.message})` };
  // RFC 7489 §6.6.3 step 3: keep only records starting with "v=DMARC1".
  const all = txt.ok ? txt.answers.map(joinTxt) : [];
  const records = all.filter((r) => /^v\s*=\s*DMARC1\s*(;|$)/.test(r));
  if (records.length === 0) return { kind: 'none' };
  // Step 5: more than one record → no DMARC policy at all.
  if (records.length > 1) return { kind: 'multiple', name, all: records };
  return { kind: 'found', name, record: records[0] ?? '', all };
}

function mailtoDomain(uri: string): string | undefined {
  // RFC 7489 §6.2: "mailto:addr@domain!10m"; the size limit suffix is optional.
  const m = /^mailto:[^@\s]+@([^!\s]+)(?:![0-9]+[kmgt]?)?$/i.exec(uri.trim());
  return m?.[1]?.toLowerCase();
}

function validateTags(list: TagList): string[] {
  const errors = [...list.errors];
  if (list.tags[0]?.name !== 'v' || list.tags[0].value !== 'DMARC1') errors.push('the first tag must be v=DMARC1');
  const known = new Set(['v', 'p', 'sp', 'np', 'rua', 'ruf', 'adkim', 'aspf', 'pct', 'fo', 'rf', 'ri', 't', 'psd']);
  for (const { name, value } of list.tags) {
    if (!known.has(name)) errors.push(`unknown tag "${name}"`);
    if ((name === 'p' || name === 'sp' || name === 'np') && !POLICIES.has(value.toLowerCase())) errors.push(`${name}=${value} is not none|quarantine|reject`);
    if ((name === 'adkim' || name === 'aspf') && !/^[rs]$/i.test(value)) errors.push(`${name}=${value} is not r|s`);
    if (name === 'pct' && (!/^\d{1,3}$/.test(value) || Number(value) > 100)) errors.push(`pct=${value} is not 0-100`);
    if (name === 'ri' && !/^\d{1,10}$/.test(value)) errors.push(`ri=${value} is not an integer`);
    if (name === 'fo' && !/^[01ds](\s*:\s*[01ds])*$/i.test(value)) errors.push(`fo=${value} is not a colon-separated list of 0|1|d|s`);
    if (name === 't' && !/^[yn]$/i.test(value)) errors.push(`t=${value} is not y|n`);
    if ((name === 'rua' || name === 'ruf') && value.split(',').some((u) => mailtoDomain(u) === undefined))
      errors.push(`${name} has a URI that is not mailto:user@domain`);
  }
  if (tagValue(list, 'p') === undefined) errors.push('p is missing');
  return errors;
}

/**
 * `dns_dmarc`: audits the DMARC policy of a domain (RFC 7489), falling back
 * to the organisational domain found with the Public Suffix List
 * (RFC 7489 §6.6.3), and checks that external report destinations authorise
 * the domain (§7.1). The record is attacker-controlled DNS data.
 */
export async function collectDnsDmarc(config: DnsDmarcConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, domain, status, message, rule, evidence);
  try {
    const orgDomain = organisationalDomain(domain);
    let found = await lookupDmarc(ctx.resolver, domain, dnsQueryOptions(ctx.signal, config.timeout_ms));
    let atOrg = false;
    if (found.kind === 'none' && orgDomain !== domain) {
      found = await lookupDmarc(ctx.resolver, orgDomain, dnsQueryOptions(ctx.signal, config.timeout_ms));
      atOrg = true;
    }
    if (found.kind === 'error') return [check(RULES.record, 'error', `could not fetch ${found.name}: ${found.reason}`)];
    if (found.kind === 'none')
      return [
        check(RULES.record, 'fail', `no DMARC record at _dmarc.${domain}${orgDomain !== domain ? ` nor at _dmarc.${orgDomain}` : ''}`, {
          organisational_domain: orgDomain,
        }),
      ];
    if (found.kind === 'multiple')
      return [check(RULES.record, 'fail', `${found.all.length} DMARC records at ${found.name}: receivers apply no policy`, { records: found.all })];

    const evidence = { name: found.name, record: found.record, organisational_domain: orgDomain, inherited_from_organisational_domain: atOrg };
    const checks: Check[] = [
      check(
        RULES.record,
        'pass',
        atOrg ? `no record at _dmarc.${domain}; the organisational domain's record at ${found.name} applies` : `one DMARC record at ${found.name}`,
        evidence,
      ),
    ];
    const list = parseTagList(found.record);
    const errors = validateTags(list);
    checks.push(
      errors.length > 0
        ? check(RULES.syntax, 'fail', `invalid record: ${errors.join('; ')}`, evidence)
        : check(RULES.syntax, 'pass', 'record is valid', evidence),
    );

    const p = tagValue(list, 'p')?.toLowerCase();
    // When the record was found at the organisational domain, sp governs this (sub)domain (RFC 7489 §6.6.3 step 6).
    const sp = tagValue(list, 'sp')?.toLowerCase();
    const np = tagValue(list, 'np')?.toLowerCase();
    const effective = atOrg ? (sp ?? p) : p;
    const tags = Object.fromEntries(list.tags.map((t) => [t.name, t.value]));
    if (effective === undefined || !POLICIES.has(effective)) checks.push(check(RULES.policy, 'fail', 'no valid p tag', { tags }));
    else if (effective === 'none')
      checks.push(
        check(RULES.policy, 'warn', `policy is "none"${atOrg ? ' (inherited)' : ''}: failing mail is only reported, not quarantined or rejected`, {
          tags,
          effective,
        }),
      );
    else checks.push(check(RULES.policy, 'pass', `policy is "${effective}"${atOrg ? ' (inherited)' : ''}`, { tags, effective }));

    const weak: string[] = [];
    if (sp === 'none' && p !== 'none') weak.push('sp=none leaves subdomains unprotected');
    if (np === 'none' && p !== 'none') weak.push('np=none leaves non-existent subdomains unprotected');
    checks.push(
      weak.length > 0
        ? check(RULES.subdomain, 'warn', weak.join('; '), { sp: sp ?? null, np: np ?? null, p: p ?? null })
        : check(RULES.subdomain, 'pass', `subdomains get ${sp ?? p ?? 'none'}, non-existent subdomains ${np ?? sp ?? p ?? 'none'}`, {
            sp: sp ?? null,
            np: np ?? null,
            p: p ?? null,
          }),
    );

    const pct = tagValue(list, 'pct');
    const pctValue = pct === undefined ? 100 : Number(pct);
    checks.push(
      pctValue < 100
        ? check(RULES.pct, 'warn', `pct=${pct}: the policy applies to only ${pctValue}% of failing mail`, { pct: pctValue })
        : check(RULES.pct, 'pass', 'the policy applies to all failing mail', { pct: pctValue }),
    );

    const t = tagValue(list, 't')?.toLowerCase();
    checks.push(
      t === 'y'
        ? check(RULES.testing, 'warn', 't=y: receivers treat the policy as a test', { t })
        : check(RULES.testing, 'pass', 'not in testing mode', { t: t ?? null }),
    );

    const rua = (tagValue(list, 'rua') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '')
      .slice(0, MAX_URIS);
    const ruf = (tagValue(list, 'ruf') ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '')
      .slice(0, MAX_URIS);
    if (rua.length === 0) checks.push(check(RULES.rua, 'warn', 'no rua: no aggregate reports are sent, so failures go unseen', {}));
    else if (rua.some((u) => mailtoDomain(u) === undefined)) checks.push(check(RULES.rua, 'fail', `rua has invalid URIs: ${rua.join(', ')}`, { rua }));
    else checks.push(check(RULES.rua, 'pass', `aggregate reports go to ${rua.join(', ')}`, { rua }));

    if (config.verify_external_destinations) {
      const policyDomain = found.name.slice('_dmarc.'.length);
      const ownOrg = organisationalDomain(policyDomain);
      const destinations = [...new Set([...rua, ...ruf].map(mailtoDomain).filter((d): d is string => d !== undefined))];
      const external = destinations.filter((d) => organisationalDomain(d) !== ownOrg);
      const results: Array<{ destination: string; name: string; authorised: boolean; detail: string }> = [];
      for (const dest of external) {
        const name = `${policyDomain}._report._dmarc.${dest}`;
        const txt = await ctx.resolver.resolveTxt(name, dnsQueryOptions(ctx.signal, config.timeout_ms));
        const authorised = txt.ok && txt.answers.map(joinTxt).some((r) => /^v\s*=\s*DMARC1\s*(;|$)/.test(r));
        results.push({ destination: dest, name, authorised, detail: txt.ok ? `${txt.answers.length} TXT record(s)` : txt.kind });
      }
      const errored = results.filter((r) => !r.authorised && !['NXDOMAIN', 'NODATA'].includes(r.detail) && !r.detail.endsWith('record(s)'));
      const missing = results.filter((r) => !r.authorised);
      if (external.length === 0) checks.push(check(RULES.external, 'pass', 'no external report destinations', { destinations }));
      else if (errored.length > 0) checks.push(check(RULES.external, 'error', `could not verify ${errored.map((r) => r.name).join(', ')}`, { results }));
      else if (missing.length > 0)
        checks.push(
          check(RULES.external, 'fail', `destinations do not authorise reports for ${policyDomain}: ${missing.map((r) => r.name).join(', ')}`, { results }),
        );
      else checks.push(check(RULES.external, 'pass', `all ${results.length} external destination(s) authorise reports`, { results }));
    }
    return checks;
  } catch (err) {
    return [check(RULES.record, 'error', `DMARC audit failed: ${errorMessage(err)}`)];
  }
}
