import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { errorMessage, makeCheck } from './check.util';
import { DomainNameSchema, normaliseDomain, type CollectorContext } from './collector-context.util';
import { DnsTimeoutMsSchema, dnsQueryOptions, isVoidResult } from './dns-resolver.util';
import { joinTxt } from './spf-evaluator.util';
import { parseTagList, tagValue } from './tag-value.util';

/** A DKIM selector (RFC 6376 §3.1): dot-separated labels. */
const SelectorSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/i, 'must be a DKIM selector');

/** Config of the `dns_dkim` action type. */
export const DnsDkimConfigSchema = z
  .object({
    /** The signing domain (d=). */
    domain: DomainNameSchema,
    /** Selectors to check (s=); DKIM keys cannot be enumerated, so they are listed. */
    selectors: z.array(SelectorSchema).min(1).max(20),
    /**
     * Minimum RSA modulus; smaller keys fail (RFC 8301 §3.2 requires ≥ 1024).
     * @defaultValue 1024
     */
    min_rsa_bits: z.number().int().min(512).max(16384).default(1024),
    /**
     * RSA modulus below which the check warns (RFC 8301 §3.2 recommends ≥ 2048).
     * @defaultValue 2048
     */
    recommended_rsa_bits: z.number().int().min(512).max(16384).default(2048),
    /** Longest wait (ms) for each DNS query of this check; unset: the engine's ENGINE_DNS_TIMEOUT_MS. */
    timeout_ms: DnsTimeoutMsSchema,
  })
  .strict();
/** Parsed {@link DnsDkimConfigSchema}. */
export type DnsDkimConfig = z.infer<typeof DnsDkimConfigSchema>;

const RULE: CheckRule = {
  id: 'dkim.key',
  description:
    'The selector publishes one DKIM key record; p= is not empty (revoked); RSA keys are ≥ 1024 bits (≥ 2048 recommended); sha1 is not the only hash.',
  reference: 'RFC 6376 §3.6.1, RFC 8301 §3.1-3.2, RFC 8463 §4.2',
};

/** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 §4), to wrap the raw key of RFC 8463 §4.2. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Longest p= value decoded; a 16384-bit RSA SPKI is ~2.8 KB base64. */
const MAX_KEY_BASE64 = 4096;

const rank: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2, error: 3 };

interface KeyFinding {
  status: CheckStatus;
  text: string;
}

function inspectKey(record: string, config: DnsDkimConfig): { findings: KeyFinding[]; summary: Record<string, unknown> } {
  const findings: KeyFinding[] = [];
  const list = parseTagList(record);
  for (const e of list.errors) findings.push({ status: 'fail', text: `syntax: ${e}` });
  const v = tagValue(list, 'v');
  // RFC 6376 §3.6.1: v= is optional, but if present it must be first and "DKIM1".
  if (v !== undefined && (list.tags[0]?.name !== 'v' || v !== 'DKIM1')) findings.push({ status: 'fail', text: 'v= must be the first tag and equal DKIM1' });
  const k = (tagValue(list, 'k') ?? 'rsa').toLowerCase();
  const h = tagValue(list, 'h');
  const t = tagValue(list, 't');
  const p = (tagValue(list, 'p') ?? '').replace(/\s+/g, '');
  const summary: Record<string, unknown> = { k, h: h ?? null, t: t ?? null };
  if (tagValue(list, 'p') === undefined) {
    findings.push({ status: 'fail', text: 'no p= tag' });
    return { findings, summary };
  }
  if (p === '') {
    // RFC 6376 §3.6.1: an empty p= means the key has been revoked.
    findings.push({ status: 'fail', text: 'p= is empty: the key is revoked' });
    return { findings, summary };
  }
  if (p.length > MAX_KEY_BASE64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(p)) {
    findings.push({ status: 'fail', text: 'p= is not base64 of a reasonable size' });
    return { findings, summary };
  }
  const der = Buffer.from(p, 'base64');
  if (k === 'rsa') {
    let bits: number | undefined;
    try {
      // Attacker-controlled DER: node:crypto's parser is bounded by the input size capped above.
      const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
      bits = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
      if (bits === undefined) findings.push({ status: 'fail', text: `k=rsa but the key is ${key.asymmetricKeyType ?? 'unknown'}` });
    } catch {
      try {
        // Some publishers put a PKCS#1 RSAPublicKey instead of the SubjectPublicKeyInfo RFC 6376 §3.6.1 asks for.
        const key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
        bits = key.asymmetricKeyDetails?.modulusLength;
        findings.push({ status: 'warn', text: 'p= is a PKCS#1 RSAPublicKey, not a SubjectPublicKeyInfo; some verifiers reject it' });
      } catch (err) {
        findings.push({ status: 'fail', text: `p= does not decode as an RSA public key: ${errorMessage(err)}` });
      }
    }
    if (bits !== undefined) {
      summary['rsa_bits'] = bits;
      if (bits < config.min_rsa_bits) findings.push({ status: 'fail', text: `RSA key of ${bits} bits (< ${config.min_rsa_bits})` });
      else if (bits < config.recommended_rsa_bits)
        findings.push({ status: 'warn', text: `RSA key of ${bits} bits (${config.recommended_rsa_bits} recommended)` });
    }
  } else if (k === 'ed25519') {
    try {
      if (der.length !== 32) throw new Error(`${der.length} bytes instead of 32`);
      createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
    } catch (err) {
      findings.push({ status: 'fail', text: `p= is not an Ed25519 key: ${errorMessage(err)}` });
    }
  } else {
    findings.push({ status: 'fail', text: `unknown key type k=${k}` });
  }
  if (h !== undefined) {
    const hashes = h.split(':').map((x) => x.trim().toLowerCase());
    // RFC 8301 §3.1: signers MUST use rsa-sha256; verifiers MUST NOT accept rsa-sha1.
    if (!hashes.includes('sha256')) findings.push({ status: 'fail', text: `h=${h} does not allow sha256` });
    else if (hashes.includes('sha1')) findings.push({ status: 'warn', text: `h=${h} still allows sha1` });
  }
  if (
    t !== undefined &&
    t
      .split(':')
      .map((x) => x.trim().toLowerCase())
      .includes('y')
  )
    findings.push({ status: 'warn', text: 't=y: the domain is testing DKIM' });
  return { findings, summary };
}

/**
 * `dns_dkim`: checks the key record of each configured selector at
 * `<selector>._domainkey.<domain>` (RFC 6376 §3.6.2.1). One check per
 * selector, `check_id` `dkim.key.<selector>`. Key records are
 * attacker-controlled: sizes are capped before decoding.
 */
export async function collectDnsDkim(config: DnsDkimConfig, ctx: CollectorContext): Promise<Check[]> {
  const domain = normaliseDomain(config.domain);
  const checks: Check[] = [];
  for (const selector of config.selectors) {
    const name = `${selector.toLowerCase()}._domainkey.${domain}`;
    const checkId = `dkim.key.${selector.toLowerCase()}`;
    const check = (status: CheckStatus, message: string, evidence: Record<string, unknown>): Check =>
      makeCheck(checkId, domain, status, message, { ...RULE, id: checkId }, evidence);
    try {
      const txt = await ctx.resolver.resolveTxt(name, dnsQueryOptions(ctx.signal, config.timeout_ms));
      if (!txt.ok && !isVoidResult(txt)) {
        checks.push(check('error', `could not fetch ${name}: ${txt.kind} (${txt.message})`, { name }));
        continue;
      }
      const records = txt.ok ? txt.answers.map(joinTxt) : [];
      const keys = records.filter((r) => /(^|;)\s*p\s*=/.test(r) || /^v\s*=\s*DKIM1/.test(r));
      if (keys.length === 0) {
        checks.push(check('fail', `no DKIM key record at ${name}`, { name, records }));
        continue;
      }
      const findings: KeyFinding[] = [];
      // RFC 6376 §3.6.2.2: several key records make verification unpredictable.
      if (keys.length > 1) findings.push({ status: 'warn', text: `${keys.length} key records at ${name}` });
      const inspected = inspectKey(keys[0] ?? '', config);
      findings.push(...inspected.findings);
      const status = findings.reduce<CheckStatus>((worst, f) => (rank[f.status] > rank[worst] ? f.status : worst), 'pass');
      const evidence = { name, record: keys[0], ...inspected.summary, findings: findings.map((f) => `${f.status}: ${f.text}`) };
      checks.push(check(status, status === 'pass' ? `key for selector "${selector}" is valid` : findings.map((f) => f.text).join('; '), evidence));
    } catch (err) {
      checks.push(check('error', `DKIM check failed: ${errorMessage(err)}`, { name }));
    }
  }
  return checks;
}
