import { BlockList, isIP } from 'node:net';
import { CollectorError } from './collector.error';
import { isVoidResult, type DnsResolver, type DnsResult } from './dns-resolver.util';

/** Results of check_host() (RFC 7208 §2.6). */
export type SpfResult = 'none' | 'neutral' | 'pass' | 'fail' | 'softfail' | 'temperror' | 'permerror';

/** A mechanism qualifier (RFC 7208 §4.6.2). */
export type SpfQualifier = '+' | '-' | '~' | '?';

/** Mechanisms of RFC 7208 §5. */
export type SpfMechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

/** One parsed mechanism. */
export interface SpfMechanism {
  readonly kind: 'mechanism';
  readonly qualifier: SpfQualifier;
  readonly name: SpfMechanismName;
  /** The domain-spec after `:` (include, a, mx, ptr, exists) or the address (ip4, ip6). */
  readonly value?: string;
  readonly cidr4?: number;
  readonly cidr6?: number;
  /** The term as written. */
  readonly raw: string;
}

/** One parsed modifier (RFC 7208 §6): `redirect`, `exp` or an unknown one (ignored, §6). */
export interface SpfModifier {
  readonly kind: 'modifier';
  readonly name: string;
  readonly value: string;
  readonly raw: string;
}

/** A parsed SPF record. */
export interface SpfRecord {
  readonly mechanisms: SpfMechanism[];
  readonly redirect?: string;
  readonly exp?: string;
  readonly modifiers: SpfModifier[];
}

/** Mechanisms and modifiers that cost a DNS query (RFC 7208 §4.6.4). */
export const SPF_DNS_TERMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

/** RFC 7208 §4.6.4: at most 10 DNS-querying terms per check_host() evaluation. */
export const SPF_MAX_DNS_LOOKUPS = 10;
/** RFC 7208 §4.6.4: at most 2 lookups that return no answers (NXDOMAIN or NODATA). */
export const SPF_MAX_VOID_LOOKUPS = 2;
/** RFC 7208 §4.6.4: at most 10 names looked up per `mx` (and per `ptr`) evaluation. */
export const SPF_MAX_NAME_LOOKUPS = 10;

const MECHANISMS = new Set<string>(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
const QUALIFIERS = new Set<string>(['+', '-', '~', '?']);
// RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
const MODIFIER_NAME = /^[a-z][a-z0-9\-_.]*$/i;
// A domain-spec without macros: labels of visible characters, ending in a dotted top label (RFC 7208 §7.1).
const DOMAIN_SPEC = /^[\x21-\x7e]+\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?$/i;
/** The longest record we parse; a TXT RRset can be ~64 KiB and is attacker-controlled. */
const MAX_RECORD_LENGTH = 4096;
/** The most terms we parse in one record. */
const MAX_TERMS = 200;

/** Thrown by {@link parseSpfRecord}; check_host() maps it to `permerror`. */
function syntaxError(message: string): CollectorError<'SPF_SYNTAX'> {
  return new CollectorError('SPF_SYNTAX', message);
}

/** True when a TXT record (its strings joined, RFC 7208 §3.3) is an SPF record (RFC 7208 §4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1(?: |$)/i.test(text);
}

/** Joins a TXT record's character-strings without separators (RFC 7208 §3.3). */
export function joinTxt(strings: readonly string[]): string {
  return strings.join('');
}

/** True when a domain-spec uses macros (RFC 7208 §7), which this evaluator does not expand. */
export function hasMacro(value: string): boolean {
  return value.includes('%');
}

function parseCidr(raw: string, text: string, allowV4: boolean): { cidr4?: number; cidr6?: number } {
  // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]  (RFC 7208 §5.6)
  const match = /^(?:\/(\d{1,3}))?(?:\/\/(\d{1,3}))?$/.exec(text);
  if (!match) throw syntaxError(`bad CIDR length in "${raw}"`);
  const out: { cidr4?: number; cidr6?: number } = {};
  if (match[1] !== undefined) {
    const n = Number(match[1]);
    if (!allowV4 || n > 32 || (match[1].length > 1 && match[1].startsWith('0'))) throw syntaxError(`bad IPv4 CIDR length in "${raw}"`);
    out.cidr4 = n;
  }
  if (match[2] !== undefined) {
    const n = Number(match[2]);
    if (n > 128 || (match[2].length > 1 && match[2].startsWith('0'))) throw syntaxError(`bad IPv6 CIDR length in "${raw}"`);
    out.cidr6 = n;
  }
  return out;
}

function checkDomainSpec(raw: string, value: string): void {
  if (value.length === 0 || value.length > 253 + 10) throw syntaxError(`bad domain-spec in "${raw}"`);
  if (hasMacro(value)) {
    // Macros are validated lightly: RFC 7208 §7.1 grammar, without expanding.
    if (/%(?![{%_-])/.test(value)) throw syntaxError(`bad macro in "${raw}"`);
    return;
  }
  if (!DOMAIN_SPEC.test(value)) throw syntaxError(`bad domain-spec in "${raw}"`);
}

/**
 * Parses an SPF record (RFC 7208 §4.6, §12). The record is attacker-controlled
 * DNS data: length and term count are bounded.
 *
 * @throws CollectorError `SPF_SYNTAX` on any syntax error (check_host() → permerror).
 */
export function parseSpfRecord(text: string): SpfRecord {
  if (text.length > MAX_RECORD_LENGTH) throw syntaxError(`record longer than ${MAX_RECORD_LENGTH} characters`);
  if (!isSpfRecord(text)) throw syntaxError('record does not start with "v=spf1"');
  const terms = text
    .slice('v=spf1'.length)
    .split(' ')
    .filter((t) => t.length > 0);
  if (terms.length > MAX_TERMS) throw syntaxError(`more than ${MAX_TERMS} terms`);
  const mechanisms: SpfMechanism[] = [];
  const modifiers: SpfModifier[] = [];
  let redirect: string | undefined;
  let exp: string | undefined;
  for (const raw of terms) {
    const modifier = /^([^:/=]+)=(.*)$/.exec(raw);
    if (modifier) {
      const name = (modifier[1] ?? '').toLowerCase();
      const value = modifier[2] ?? '';
      if (!MODIFIER_NAME.test(name)) throw syntaxError(`bad modifier name in "${raw}"`);
      if (name === 'redirect' || name === 'exp') {
        checkDomainSpec(raw, value);
        // RFC 7208 §6: redirect and exp each appear at most once.
        if ((name === 'redirect' ? redirect : exp) !== undefined) throw syntaxError(`"${name}" appears more than once`);
        if (name === 'redirect') redirect = value;
        else exp = value;
      }
      modifiers.push({ kind: 'modifier', name, value, raw });
      continue;
    }
    let rest = raw;
    let qualifier: SpfQualifier = '+';
    if (QUALIFIERS.has(rest.charAt(0))) {
      qualifier = rest.charAt(0) as SpfQualifier;
      rest = rest.slice(1);
    }
    const nameMatch = /^([a-z0-9]+)(.*)$/i.exec(rest);
    const name = (nameMatch?.[1] ?? '').toLowerCase();
    const args = nameMatch?.[2] ?? rest;
    if (!MECHANISMS.has(name)) throw syntaxError(`unknown mechanism "${raw}"`);
    const mech = name as SpfMechanismName;
    switch (mech) {
      case 'all':
        if (args !== '') throw syntaxError(`"all" takes no argument: "${raw}"`);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, raw });
        break;
      case 'include':
      case 'exists': {
        if (!args.startsWith(':')) throw syntaxError(`"${mech}" needs ":domain": "${raw}"`);
        const value = args.slice(1);
        checkDomainSpec(raw, value);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, value, raw });
        break;
      }
      case 'ptr': {
        if (args !== '' && !args.startsWith(':')) throw syntaxError(`bad "ptr" term "${raw}"`);
        const value = args === '' ? undefined : args.slice(1);
        if (value !== undefined) checkDomainSpec(raw, value);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, ...(value === undefined ? {} : { value }), raw });
        break;
      }
      case 'a':
      case 'mx': {
        const m = /^(?::([^/]*))?((?:\/.*)?)$/.exec(args);
        if (!m) throw syntaxError(`bad "${mech}" term "${raw}"`);
        const value = m[1];
        if (value !== undefined) checkDomainSpec(raw, value);
        const cidr = parseCidr(raw, m[2] ?? '', true);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, ...(value === undefined ? {} : { value }), ...cidr, raw });
        break;
      }
      case 'ip4': {
        const m = /^:([0-9.]+)(\/\d{1,2})?$/.exec(args);
        if (!m || isIP(m[1] ?? '') !== 4) throw syntaxError(`bad "ip4" term "${raw}"`);
        const cidr = m[2] ? Number(m[2].slice(1)) : 32;
        if (cidr > 32) throw syntaxError(`bad IPv4 CIDR length in "${raw}"`);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, value: m[1] ?? '', cidr4: cidr, raw });
        break;
      }
      case 'ip6': {
        const m = /^:([0-9a-f:.]+)(\/\d{1,3})?$/i.exec(args);
        if (!m || isIP(m[1] ?? '') !== 6) throw syntaxError(`bad "ip6" term "${raw}"`);
        const cidr = m[2] ? Number(m[2].slice(1)) : 128;
        if (cidr > 128) throw syntaxError(`bad IPv6 CIDR length in "${raw}"`);
        mechanisms.push({ kind: 'mechanism', qualifier, name: mech, value: m[1] ?? '', cidr6: cidr, raw });
        break;
      }
    }
  }
  return {
    mechanisms,
    modifiers,
    ...(redirect === undefined ? {} : { redirect }),
    ...(exp === undefined ? {} : { exp }),
  };
}

/** True when `ip` lies in `network/prefix` (same address family only). */
export function ipInNetwork(ip: string, network: string, prefix: number): boolean {
  const family = isIP(ip);
  const netFamily = isIP(network);
  if (family === 0 || family !== netFamily) return false;
  const list = new BlockList();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  list.addSubnet(network, prefix, type);
  return list.check(ip, type);
}

/** The reverse-lookup name of an address (RFC 1035 §3.5, RFC 3596 §2.5). */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const expanded = expandIpv6(ip);
  return `${expanded.replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}

function expandIpv6(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - h.length - t.length;
  const groups = [...h, ...Array.from({ length: tail === undefined ? 0 : missing }, () => '0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/** Options of {@link checkHost}. */
export interface CheckHostOptions {
  readonly resolver: DnsResolver;
  readonly signal?: AbortSignal;
  /**
   * The RFC5321.MailFrom address, for the `s`, `l` and `o` macros (RFC 7208 §7.2).
   * @defaultValue `postmaster@<domain>` (RFC 7208 §4.3)
   */
  readonly sender?: string;
  /**
   * The HELO/EHLO domain, for the `h` macro.
   * @defaultValue the domain
   */
  readonly helo?: string;
}

/** Values the macros of RFC 7208 §7.2 expand to. */
export interface SpfMacroContext {
  readonly sender: string;
  readonly domain: string;
  readonly ip: string;
  readonly helo: string;
}

const MACRO_DELIMITERS = /^[.\-+,/_=]*$/;

function macroValue(letter: string, ctx: SpfMacroContext): string {
  const at = ctx.sender.lastIndexOf('@');
  switch (letter) {
    case 's':
      return ctx.sender;
    case 'l':
      return at > 0 ? ctx.sender.slice(0, at) : 'postmaster';
    case 'o':
      return at >= 0 ? ctx.sender.slice(at + 1) : ctx.sender;
    case 'd':
      return ctx.domain;
    case 'i':
      // RFC 7208 §7.3: IPv6 addresses expand to dot-separated nibbles.
      return isIP(ctx.ip) === 4 ? ctx.ip : expandIpv6(ctx.ip).replace(/:/g, '').split('').join('.');
    case 'v':
      return isIP(ctx.ip) === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'p':
      // RFC 7208 §7.3: "p" SHOULD NOT be used; without a validated name it expands to "unknown".
      return 'unknown';
    default:
      // c, r, t are allowed only in "exp" (§7.2), which this evaluator does not expand.
      throw syntaxError(`macro letter "${letter}" is not allowed here`);
  }
}

/**
 * Expands the macros of a domain-spec (RFC 7208 §7): `%{s}`, `%{l}`, `%{o}`,
 * `%{d}`, `%{i}`, `%{v}`, `%{h}`, `%{p}` (always "unknown"), with digit and
 * `r` transformers and delimiters, `%%`, `%_`, `%-`; upper-case letters are
 * URL-escaped. The result is shortened from the left to 253 characters
 * (§7.3). The spec is attacker-controlled: its length is already bounded by
 * the record.
 *
 * @throws CollectorError `SPF_SYNTAX` on a malformed macro (check_host() → permerror).
 */
export function expandMacros(spec: string, ctx: SpfMacroContext): string {
  let out = '';
  for (let i = 0; i < spec.length; i += 1) {
    const c = spec.charAt(i);
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = spec.charAt(i + 1);
    if (next === '%') out += '%';
    else if (next === '_') out += ' ';
    else if (next === '-') out += '%20';
    else if (next === '{') {
      const end = spec.indexOf('}', i + 2);
      if (end < 0) throw syntaxError(`unterminated macro in "${spec}"`);
      const m = /^([a-zA-Z])(\d*)(r?)(.*)$/i.exec(spec.slice(i + 2, end));
      if (!m || !MACRO_DELIMITERS.test(m[4] ?? '')) throw syntaxError(`bad macro "${spec.slice(i, end + 1)}"`);
      const letter = m[1] ?? '';
      const digits = m[2] ?? '';
      const delimiters = m[4] === '' ? '.' : (m[4] ?? '.');
      let parts = macroValue(letter.toLowerCase(), ctx).split(new RegExp(`[${delimiters.replace(/[\\\]\-^]/g, '\\$&')}]`));
      if (m[3] !== '') parts = parts.reverse();
      if (digits !== '') {
        const n = Number(digits);
        if (n === 0) throw syntaxError(`macro "${spec.slice(i, end + 1)}" keeps zero labels`);
        parts = parts.slice(Math.max(0, parts.length - n));
      }
      let value = parts.join('.');
      if (letter !== letter.toLowerCase()) value = encodeURIComponent(value);
      out += value;
      i = end;
      continue;
    } else throw syntaxError(`bad "%" in "${spec}"`);
    i += 1;
  }
  // RFC 7208 §7.3: drop left labels until the name fits 253 characters.
  while (out.length > 253 && out.includes('.')) out = out.slice(out.indexOf('.') + 1);
  return out;
}

/** The outcome of {@link checkHost}, with the explanation and the lookup counts. */
export interface CheckHostOutcome {
  readonly result: SpfResult;
  /** Why: the matching term, or the error. */
  readonly reason: string;
  /** DNS-querying terms evaluated (RFC 7208 §4.6.4). */
  readonly dnsLookups: number;
  readonly voidLookups: number;
  /** Domains whose records were evaluated, in order. */
  readonly trace: string[];
}

interface EvalState {
  readonly ip: string;
  readonly sender: string;
  readonly helo: string;
  dnsLookups: number;
  voidLookups: number;
  trace: string[];
  readonly resolver: DnsResolver;
  readonly signal: AbortSignal | undefined;
}

/** Raised inside the evaluator to stop with a result (permerror/temperror). */
class SpfAbort extends Error {
  constructor(
    readonly result: 'permerror' | 'temperror',
    message: string,
  ) {
    super(message);
  }
}

function qualifierResult(q: SpfQualifier): SpfResult {
  switch (q) {
    case '+':
      return 'pass';
    case '-':
      return 'fail';
    case '~':
      return 'softfail';
    case '?':
      return 'neutral';
  }
}

function countLookup(state: EvalState, term: string): void {
  state.dnsLookups += 1;
  // RFC 7208 §4.6.4: exceeding the limit is a permerror.
  if (state.dnsLookups > SPF_MAX_DNS_LOOKUPS) {
    throw new SpfAbort('permerror', `more than ${SPF_MAX_DNS_LOOKUPS} DNS-querying terms (at "${term}")`);
  }
}

function answersOrVoid<T>(state: EvalState, result: DnsResult<T>, name: string, countVoid: boolean): T[] {
  if (result.ok && result.answers.length > 0) return result.answers;
  if (isVoidResult(result)) {
    if (countVoid) {
      state.voidLookups += 1;
      if (state.voidLookups > SPF_MAX_VOID_LOOKUPS) {
        throw new SpfAbort('permerror', `more than ${SPF_MAX_VOID_LOOKUPS} void lookups (at ${name})`);
      }
    }
    return [];
  }
  // RFC 7208 §5: a DNS error other than "no data" during a mechanism is a temperror.
  throw new SpfAbort('temperror', `DNS error for ${name}: ${result.ok ? 'no answer' : result.kind}`);
}

async function addresses(state: EvalState, name: string, family: 4 | 6, countVoid: boolean): Promise<string[]> {
  const opts = state.signal ? { signal: state.signal } : {};
  const result = family === 4 ? await state.resolver.resolve4(name, opts) : await state.resolver.resolve6(name, opts);
  return answersOrVoid(state, result, name, countVoid);
}

function matchesAny(ip: string, family: 4 | 6, addrs: readonly string[], m: SpfMechanism): boolean {
  const prefix = family === 4 ? (m.cidr4 ?? 32) : (m.cidr6 ?? 128);
  return addrs.some((a) => ipInNetwork(ip, a, prefix));
}

function expandSpec(spec: string, domain: string, state: EvalState): string {
  if (!hasMacro(spec)) return spec.replace(/\.$/, '');
  try {
    return expandMacros(spec, { sender: state.sender, domain, ip: state.ip, helo: state.helo }).replace(/\.$/, '');
  } catch (err) {
    throw new SpfAbort('permerror', (err as Error).message);
  }
}

function targetOf(m: SpfMechanism, domain: string, state: EvalState): string {
  return expandSpec(m.value ?? domain, domain, state);
}

async function evaluate(ip: string, domain: string, state: EvalState, depth: number): Promise<{ result: SpfResult; reason: string }> {
  if (state.signal?.aborted) throw new SpfAbort('temperror', 'aborted');
  if (depth > SPF_MAX_DNS_LOOKUPS + 1) throw new SpfAbort('permerror', 'include/redirect nesting too deep');
  state.trace.push(domain);
  const family = isIP(ip) as 4 | 6;
  const txt = await state.resolver.resolveTxt(domain, state.signal ? { signal: state.signal } : {});
  if (!txt.ok) {
    // RFC 7208 §4.3/§4.4: no such domain → none; a lookup error → temperror.
    if (txt.kind === 'NXDOMAIN' || txt.kind === 'NODATA') return { result: 'none', reason: `no SPF record at ${domain} (${txt.kind})` };
    throw new SpfAbort('temperror', `DNS error fetching SPF of ${domain}: ${txt.kind}`);
  }
  const records = txt.answers.map(joinTxt).filter(isSpfRecord);
  if (records.length === 0) return { result: 'none', reason: `no SPF record at ${domain}` };
  // RFC 7208 §4.5: more than one record → permerror.
  if (records.length > 1) throw new SpfAbort('permerror', `${records.length} SPF records at ${domain}`);
  let record: SpfRecord;
  try {
    record = parseSpfRecord(records[0] ?? '');
  } catch (err) {
    throw new SpfAbort('permerror', `syntax error in SPF of ${domain}: ${(err as Error).message}`);
  }
  for (const m of record.mechanisms) {
    if (SPF_DNS_TERMS.has(m.name)) countLookup(state, m.raw);
    let match = false;
    switch (m.name) {
      case 'all':
        match = true;
        break;
      case 'ip4':
      case 'ip6':
        match = ipInNetwork(ip, m.value ?? '', m.name === 'ip4' ? (m.cidr4 ?? 32) : (m.cidr6 ?? 128));
        break;
      case 'a': {
        const addrs = await addresses(state, targetOf(m, domain, state), family, true);
        match = matchesAny(ip, family, addrs, m);
        break;
      }
      case 'mx': {
        const target = targetOf(m, domain, state);
        const mx = answersOrVoid(state, await state.resolver.resolveMx(target, state.signal ? { signal: state.signal } : {}), target, true);
        // RFC 7208 §4.6.4: more than 10 MX names → permerror.
        if (mx.length > SPF_MAX_NAME_LOOKUPS) throw new SpfAbort('permerror', `${target} has ${mx.length} MX records (> ${SPF_MAX_NAME_LOOKUPS})`);
        for (const host of mx) {
          if (host.exchange === '' || host.exchange === '.') continue;
          const addrs = await addresses(state, host.exchange, family, false);
          if (matchesAny(ip, family, addrs, m)) {
            match = true;
            break;
          }
        }
        break;
      }
      case 'ptr': {
        // RFC 7208 §5.5: validated reverse names ending in the target domain. SHOULD NOT be used.
        const target = targetOf(m, domain, state).toLowerCase();
        const opts = state.signal ? { signal: state.signal } : {};
        const ptr = await state.resolver.resolvePtr(reverseName(ip), opts);
        const names = ptr.ok ? ptr.answers.slice(0, SPF_MAX_NAME_LOOKUPS) : [];
        for (const name of names) {
          const n = name.toLowerCase().replace(/\.$/, '');
          if (n !== target && !n.endsWith(`.${target}`)) continue;
          const fwd = family === 4 ? await state.resolver.resolve4(n, opts) : await state.resolver.resolve6(n, opts);
          if (fwd.ok && fwd.answers.some((a) => ipInNetwork(ip, a, family === 4 ? 32 : 128))) {
            match = true;
            break;
          }
        }
        break;
      }
      case 'exists': {
        const target = targetOf(m, domain, state);
        // RFC 7208 §5.7: always an A query, whatever the connection's family.
        match = (await addresses(state, target, 4, true)).length > 0;
        break;
      }
      case 'include': {
        const target = targetOf(m, domain, state);
        const inner = await evaluate(ip, target, state, depth + 1);
        // RFC 7208 §5.2 table.
        if (inner.result === 'none') throw new SpfAbort('permerror', `include:${target} has no SPF record`);
        if (inner.result === 'temperror' || inner.result === 'permerror') throw new SpfAbort(inner.result, inner.reason);
        match = inner.result === 'pass';
        break;
      }
    }
    if (match) return { result: qualifierResult(m.qualifier), reason: `matched "${m.raw}" in ${domain}` };
  }
  // RFC 7208 §6.1: redirect applies only when no mechanism matched and there is no "all".
  if (record.redirect !== undefined) {
    countLookup(state, `redirect=${record.redirect}`);
    const target = expandSpec(record.redirect, domain, state);
    const inner = await evaluate(ip, target, state, depth + 1);
    if (inner.result === 'none') throw new SpfAbort('permerror', `redirect=${target} has no SPF record`);
    return inner;
  }
  // RFC 7208 §4.7: no match → neutral.
  return { result: 'neutral', reason: `no mechanism matched in ${domain} (default neutral)` };
}

/**
 * RFC 7208 §4 check_host(ip, domain, sender): the SPF result the receiver
 * of mail from `ip` for `domain` would compute. Supports every mechanism,
 * the `redirect` modifier and the macros of §7 in domain-specs (`exp` is not
 * evaluated: it only changes the rejection text). DNS answers are
 * attacker-controlled: lookups, void lookups and nesting are bounded as §4.6.4
 * requires.
 */
export async function checkHost(ip: string, domain: string, options: CheckHostOptions): Promise<CheckHostOutcome> {
  const start = domain.toLowerCase().replace(/\.$/, '');
  const state: EvalState = {
    ip,
    sender: options.sender ?? `postmaster@${start}`,
    helo: options.helo ?? start,
    dnsLookups: 0,
    voidLookups: 0,
    trace: [],
    resolver: options.resolver,
    signal: options.signal,
  };
  if (isIP(ip) === 0) return { result: 'permerror', reason: `"${ip}" is not an IP address`, dnsLookups: 0, voidLookups: 0, trace: [] };
  try {
    const { result, reason } = await evaluate(ip, start, state, 0);
    return { result, reason, dnsLookups: state.dnsLookups, voidLookups: state.voidLookups, trace: state.trace };
  } catch (err) {
    if (err instanceof SpfAbort) {
      return { result: err.result, reason: err.message, dnsLookups: state.dnsLookups, voidLookups: state.voidLookups, trace: state.trace };
    }
    return { result: 'temperror', reason: (err as Error).message, dnsLookups: state.dnsLookups, voidLookups: state.voidLookups, trace: state.trace };
  }
}
