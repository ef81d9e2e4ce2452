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
// RFC 7208 §7.1: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ); never all-numeric.
const DOMAIN_END = /\.(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])\.?$/i;
/** Macro letters allowed in domain-specs (RFC 7208 §7.2); `c`, `r`, `t` are allowed only in explanation strings. */
const DOMAIN_MACRO_LETTERS = 'slodipvh';
const EXP_MACRO_LETTERS = 'slodipvhcrt';
/** The longest record we parse; a TXT RRset can be ~64 KiB and is attacker-controlled. */
const MAX_RECORD_LENGTH = 4096;
/** The most terms we parse in one record. */
const MAX_TERMS = 200;
/** The longest explanation kept (RFC 7208 §6.2); it is attacker-controlled text. */
export const SPF_MAX_EXPLANATION_LENGTH = 512;

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

/** True when a domain-spec uses macros (RFC 7208 §7). */
export function hasMacro(value: string): boolean {
  return value.includes('%');
}

/** One token of a macro-string (RFC 7208 §7.1). */
type MacroToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'macro'; readonly letter: string; readonly digits: string; readonly reverse: boolean; readonly delimiters: string; readonly raw: string };

/**
 * Splits a macro-string into literals and macro-expands (RFC 7208 §7.1):
 * `%{` letter *DIGIT ["r"] *delimiter `}`, `%%`, `%_`, `%-`; any other `%`
 * is a syntax error, as is a letter outside `letters`.
 */
function tokenizeMacroString(spec: string, letters: string): MacroToken[] {
  const tokens: MacroToken[] = [];
  let literal = '';
  for (let i = 0; i < spec.length; i += 1) {
    const c = spec.charAt(i);
    if (c !== '%') {
      literal += c;
      continue;
    }
    const next = spec.charAt(i + 1);
    if (next === '%' || next === '_' || next === '-') {
      literal += next === '%' ? '%' : next === '_' ? ' ' : '%20';
      i += 1;
      continue;
    }
    if (next !== '{') throw syntaxError(`bad "%" in macro-string`);
    const end = spec.indexOf('}', i + 2);
    if (end < 0) throw syntaxError('unterminated macro');
    const raw = spec.slice(i, end + 1);
    const m = /^([a-z])(\d*)(r?)([.\-+,/_=]*)$/i.exec(spec.slice(i + 2, end));
    if (!m) throw syntaxError(`bad macro "${raw}"`);
    const letter = m[1] ?? '';
    if (!letters.includes(letter.toLowerCase())) throw syntaxError(`macro letter "${letter}" is not allowed here`);
    const digits = m[2] ?? '';
    // RFC 7208 §7.3: a DIGIT transformer is nonzero.
    if (digits !== '' && Number(digits) === 0) throw syntaxError(`macro "${raw}" keeps zero labels`);
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
    tokens.push({ kind: 'macro', letter, digits, reverse: (m[3] ?? '') !== '', delimiters: m[4] ?? '', raw });
    i = end;
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal });
  return tokens;
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

/**
 * Validates a domain-spec (RFC 7208 §7.1): domain-spec = macro-string
 * domain-end; domain-end = ( "." toplabel ["."] ) / macro-expand. The
 * macro-string is visible ASCII (`:` and `/` included); only the letters
 * allowed in domain-specs may be used.
 */
function checkDomainSpec(raw: string, value: string): void {
  if (value.length === 0 || value.length > 253 + 10) throw syntaxError(`bad domain-spec in "${raw}"`);
  if (!/^[\x21-\x7e]+$/.test(value)) throw syntaxError(`bad domain-spec in "${raw}"`);
  let tokens: MacroToken[];
  try {
    tokens = tokenizeMacroString(value, DOMAIN_MACRO_LETTERS);
  } catch (err) {
    throw syntaxError(`${(err as Error).message} in "${raw}"`);
  }
  // domain-end: a macro-expand ("%{…}", "%%", "%_", "%-") at the very end, or "." toplabel ["."].
  if (tokens.length > 0 && endsWithMacroExpand(value)) return;
  if (!DOMAIN_END.test(value)) throw syntaxError(`bad domain-spec in "${raw}"`);
}

/** True when a (tokenizable) macro-string ends in a macro-expand rather than a literal character. */
function endsWithMacroExpand(value: string): boolean {
  let expand = false;
  for (let i = 0; i < value.length; i += 1) {
    if (value.charAt(i) !== '%') {
      expand = false;
      continue;
    }
    const next = value.charAt(i + 1);
    i = next === '{' ? value.indexOf('}', i) : i + 1;
    expand = true;
  }
  return expand;
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
      } else {
        // RFC 7208 §12: unknown-modifier = name "=" macro-string.
        try {
          tokenizeMacroString(value, EXP_MACRO_LETTERS);
        } catch (err) {
          throw syntaxError(`${(err as Error).message} in "${raw}"`);
        }
        if (!/^[\x21-\x7e]*$/.test(value)) throw syntaxError(`bad modifier value in "${raw}"`);
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
        // RFC 7208 §5.3/§5.4: [ ":" domain-spec ] [ dual-cidr-length ]; the domain-spec may hold ":" and "/" (§7.1).
        const m = /^(?::(.*?))?((?:\/\d+)?(?:\/\/\d+)?)$/.exec(args);
        if (!m || (m[1] === undefined && m[2] === '' && args !== '')) throw syntaxError(`bad "${mech}" term "${raw}"`);
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
  // An embedded dotted quad (RFC 4291 §2.2, form 3) becomes two hex groups.
  const quad = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  const text = quad ? `${quad[1]}${((Number(quad[2]) << 8) | Number(quad[3])).toString(16)}:${((Number(quad[4]) << 8) | Number(quad[5])).toString(16)}` : ip;
  const [head = '', tail] = text.split('::');
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
  /** Longest wait for each DNS query (the check's `timeout_ms`); unset: the resolver's own default. */
  readonly timeoutMs?: number;
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
  /** The validated domain name of `ip` (§5.5), for `%{p}`. @defaultValue "unknown" */
  readonly validatedName?: string;
  /** The receiving host, for `%{r}` in explanations. @defaultValue "unknown" */
  readonly receiver?: string;
  /** Seconds since the epoch, for `%{t}` in explanations. @defaultValue now */
  readonly timestamp?: number;
}

/** Where a macro-string is expanded: a domain-spec (truncated to 253 characters) or an explanation string (§6.2). */
export type MacroMode = 'domain' | 'explanation';

/** The IPv6 address as 32 dot-separated nibbles, keeping the case written (RFC 7208 §7.3). */
function ipv6Nibbles(ip: string): string {
  return expandIpv6(ip).replace(/:/g, '').split('').join('.');
}

/** The address in its usual text form (RFC 7208 §7.3 `c`): dotted quad, or RFC 5952 IPv6. */
function readableIp(ip: string): string {
  if (isIP(ip) === 4) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

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
      return isIP(ctx.ip) === 4 ? ctx.ip : ipv6Nibbles(ctx.ip);
    case 'v':
      return isIP(ctx.ip) === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return ctx.helo;
    case 'p':
      // RFC 7208 §7.3: the validated domain name of the client, "unknown" without one.
      return ctx.validatedName ?? 'unknown';
    case 'c':
      return readableIp(ctx.ip);
    case 'r':
      return ctx.receiver ?? 'unknown';
    case 't':
      return String(ctx.timestamp ?? Math.floor(Date.now() / 1000));
    default:
      throw syntaxError(`macro letter "${letter}" is not allowed here`);
  }
}

/** RFC 7208 §7.3: upper-case macros are URL-escaped; every octet outside RFC 3986 "unreserved" is escaped. */
function urlEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Expands a macro-string (RFC 7208 §7): `%{s}`, `%{l}`, `%{o}`, `%{d}`,
 * `%{i}`, `%{v}`, `%{h}`, `%{p}` (and `%{c}`, `%{r}`, `%{t}` in explanation
 * strings), with digit and `r` transformers and delimiters, `%%`, `%_`, `%-`;
 * upper-case letters are URL-escaped. In a domain-spec the result is
 * shortened from the left to 253 characters (§7.3). The spec is
 * attacker-controlled: its length is already bounded by the record.
 *
 * @throws CollectorError `SPF_SYNTAX` on a malformed macro (check_host() → permerror).
 */
export function expandMacros(spec: string, ctx: SpfMacroContext, mode: MacroMode = 'domain'): string {
  let out = '';
  for (const token of tokenizeMacroString(spec, mode === 'domain' ? DOMAIN_MACRO_LETTERS : EXP_MACRO_LETTERS)) {
    if (token.kind === 'literal') {
      out += token.text;
      continue;
    }
    const delimiters = token.delimiters === '' ? '.' : token.delimiters;
    let parts = macroValue(token.letter.toLowerCase(), ctx).split(new RegExp(`[${delimiters.replace(/[\\\]\-^]/g, '\\$&')}]`));
    if (token.reverse) parts = parts.reverse();
    if (token.digits !== '') parts = parts.slice(Math.max(0, parts.length - Number(token.digits)));
    const value = parts.join('.');
    out += token.letter === token.letter.toLowerCase() ? value : urlEscape(value);
  }
  if (mode === 'domain') {
    // RFC 7208 §7.3: drop left labels until the name fits 253 characters.
    while (out.replace(/\.$/, '').length > 253 && out.includes('.')) out = out.slice(out.indexOf('.') + 1);
  }
  return out;
}

/** The outcome of {@link checkHost}, with the explanation and the lookup counts. */
export interface CheckHostOutcome {
  readonly result: SpfResult;
  /** Why: the matching term, or the error. */
  readonly reason: string;
  /**
   * On `fail`, the explanation of the record's `exp=` modifier (RFC 7208 §6.2),
   * expanded; absent when there is none or it cannot be used. Attacker-controlled
   * text, at most {@link SPF_MAX_EXPLANATION_LENGTH} characters.
   */
  readonly explanation?: string;
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
  readonly timeoutMs: number | undefined;
  /** Validated names of `ip` (§5.5), looked up once, for `%{p}`. */
  validatedNames?: string[];
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

function queryOptions(state: EvalState): { signal?: AbortSignal; timeoutMs?: number } {
  return { ...(state.signal ? { signal: state.signal } : {}), ...(state.timeoutMs !== undefined ? { timeoutMs: state.timeoutMs } : {}) };
}

async function addresses(state: EvalState, name: string, family: 4 | 6, countVoid: boolean): Promise<string[]> {
  const opts = queryOptions(state);
  const result = family === 4 ? await state.resolver.resolve4(name, opts) : await state.resolver.resolve6(name, opts);
  return answersOrVoid(state, result, name, countVoid);
}

function matchesAny(ip: string, family: 4 | 6, addrs: readonly string[], m: SpfMechanism): boolean {
  const prefix = family === 4 ? (m.cidr4 ?? 32) : (m.cidr6 ?? 128);
  return addrs.some((a) => ipInNetwork(ip, a, prefix));
}

/**
 * RFC 7208 §4.3: a domain is well-formed when it has at least two labels,
 * each 1–63 octets, at most 253 octets in all, and is not a domain literal.
 */
export function isWellFormedDomain(domain: string): boolean {
  const name = domain.replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || name.startsWith('[')) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => l.length >= 1 && l.length <= 63);
}

/**
 * The validated domain names of the client (RFC 7208 §5.5): the PTR names
 * (at most 10) whose A/AAAA records include the address. DNS errors skip a name.
 */
async function validatedNames(state: EvalState): Promise<string[]> {
  const family = isIP(state.ip) as 4 | 6;
  const opts = queryOptions(state);
  const ptr = await state.resolver.resolvePtr(reverseName(state.ip), opts);
  const names = ptr.ok ? ptr.answers.slice(0, SPF_MAX_NAME_LOOKUPS) : [];
  const out: string[] = [];
  for (const name of names) {
    const n = name.replace(/\.$/, '');
    if (!isWellFormedDomain(n)) continue;
    const fwd = family === 4 ? await state.resolver.resolve4(n, opts) : await state.resolver.resolve6(n, opts);
    if (fwd.ok && fwd.answers.some((a) => ipInNetwork(state.ip, a, family === 4 ? 32 : 128))) out.push(n);
  }
  return out;
}

/** The `%{p}` value (RFC 7208 §7.3): a validated name equal to or under `domain` if any, else any validated name, else "unknown". */
async function pMacroValue(state: EvalState, domain: string): Promise<string> {
  state.validatedNames ??= await validatedNames(state);
  const d = domain.toLowerCase();
  const names = state.validatedNames;
  const preferred = names.find((n) => n.toLowerCase() === d || n.toLowerCase().endsWith(`.${d}`));
  return preferred ?? names[0] ?? 'unknown';
}

async function macroContext(state: EvalState, domain: string, spec: string): Promise<SpfMacroContext> {
  const base = { sender: state.sender, domain, ip: state.ip, helo: state.helo };
  return /%\{p/i.test(spec) ? { ...base, validatedName: await pMacroValue(state, domain) } : base;
}

/** Expands a domain-spec into the name to query, without its trailing dot. */
async function expandSpec(spec: string, domain: string, state: EvalState): Promise<string> {
  if (!hasMacro(spec)) return spec.replace(/\.$/, '');
  try {
    return expandMacros(spec, await macroContext(state, domain, spec)).replace(/\.$/, '');
  } catch (err) {
    throw new SpfAbort('permerror', (err as Error).message);
  }
}

function targetOf(m: SpfMechanism, domain: string, state: EvalState): Promise<string> {
  return expandSpec(m.value ?? domain, domain, state);
}

/** The result of one record, with the `exp=` that applies to it (§6.2: only the record that produced the result). */
interface RecordResult {
  readonly result: SpfResult;
  readonly reason: string;
  readonly exp?: { readonly spec: string; readonly domain: string };
}

async function evaluate(ip: string, domain: string, state: EvalState, depth: number): Promise<RecordResult> {
  if (state.signal?.aborted) throw new SpfAbort('temperror', 'aborted');
  if (depth > SPF_MAX_DNS_LOOKUPS + 1) throw new SpfAbort('permerror', 'include/redirect nesting too deep');
  // RFC 7208 §4.3: a malformed or single-label domain → none (include/redirect turn it into permerror).
  if (!isWellFormedDomain(domain)) return { result: 'none', reason: `"${domain.slice(0, 80)}" is not a well-formed domain name` };
  state.trace.push(domain);
  const family = isIP(ip) as 4 | 6;
  const txt = await state.resolver.resolveTxt(domain, queryOptions(state));
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
  const exp = record.exp === undefined ? {} : { exp: { spec: record.exp, domain } };
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
        const target = await targetOf(m, domain, state);
        // A target that is not a well-formed name cannot match (§4.3 applied to target-names; the suite accepts fail).
        if (!isWellFormedDomain(target)) break;
        const addrs = await addresses(state, target, family, true);
        match = matchesAny(ip, family, addrs, m);
        break;
      }
      case 'mx': {
        const target = await targetOf(m, domain, state);
        if (!isWellFormedDomain(target)) break;
        const mx = answersOrVoid(state, await state.resolver.resolveMx(target, queryOptions(state)), target, true);
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
        const target = (await targetOf(m, domain, state)).toLowerCase();
        state.validatedNames ??= await validatedNames(state);
        match = state.validatedNames.some((name) => {
          const n = name.toLowerCase();
          return n === target || n.endsWith(`.${target}`);
        });
        break;
      }
      case 'exists': {
        const target = await targetOf(m, domain, state);
        if (!isWellFormedDomain(target)) break;
        // RFC 7208 §5.7: always an A query, whatever the connection's family.
        match = (await addresses(state, target, 4, true)).length > 0;
        break;
      }
      case 'include': {
        const target = await targetOf(m, domain, state);
        const inner = await evaluate(ip, target, state, depth + 1);
        // RFC 7208 §5.2 table; the included record's exp= is not used (§6.2).
        if (inner.result === 'none') throw new SpfAbort('permerror', `include:${target} has no SPF record`);
        if (inner.result === 'temperror' || inner.result === 'permerror') throw new SpfAbort(inner.result, inner.reason);
        match = inner.result === 'pass';
        break;
      }
    }
    if (match) return { result: qualifierResult(m.qualifier), reason: `matched "${m.raw}" in ${domain}`, ...exp };
  }
  // RFC 7208 §6.1: redirect applies only when no mechanism matched and there is no "all".
  if (record.redirect !== undefined) {
    countLookup(state, `redirect=${record.redirect}`);
    const target = await expandSpec(record.redirect, domain, state);
    // The target's result, with the target's exp= (§6.2: the redirecting record's exp= is not used).
    const inner = await evaluate(ip, target, state, depth + 1);
    if (inner.result === 'none') throw new SpfAbort('permerror', `redirect=${target} has no SPF record`);
    return inner;
  }
  // RFC 7208 §4.7: no match → neutral.
  return { result: 'neutral', reason: `no mechanism matched in ${domain} (default neutral)`, ...exp };
}

/**
 * RFC 7208 §6.2: the explanation string of `exp=`, or undefined when the
 * domain-spec expands badly, the TXT lookup fails or does not return exactly
 * one record, or the text is not ASCII or has a macro error. Does not count
 * against the lookup limits.
 */
async function explanationOf(exp: { spec: string; domain: string }, state: EvalState): Promise<string | undefined> {
  let name: string;
  try {
    name = await expandSpec(exp.spec, exp.domain, state);
  } catch {
    return undefined;
  }
  if (!isWellFormedDomain(name)) return undefined;
  const txt = await state.resolver.resolveTxt(name, queryOptions(state));
  if (!txt.ok || txt.answers.length !== 1) return undefined;
  const text = joinTxt(txt.answers[0] ?? []);
  if (!/^[\x20-\x7e]*$/.test(text) || text.length > MAX_RECORD_LENGTH) return undefined;
  try {
    const expanded = expandMacros(text, await macroContext(state, exp.domain, text), 'explanation');
    return expanded.slice(0, SPF_MAX_EXPLANATION_LENGTH);
  } catch {
    return undefined;
  }
}

/** RFC 7208 §5: an IPv4-mapped IPv6 client (::ffff:a.b.c.d) is evaluated as its IPv4 address. */
function clientAddress(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip).toLowerCase().split(':');
  if (groups.slice(0, 5).some((g) => g !== '0000') || groups[5] !== 'ffff') return ip;
  const hi = parseInt(groups[6] ?? '0', 16);
  const lo = parseInt(groups[7] ?? '0', 16);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/**
 * RFC 7208 §4 check_host(ip, domain, sender): the SPF result the receiver
 * of mail from `ip` for `domain` would compute. Supports every mechanism,
 * the `redirect` and `exp` modifiers (the explanation is computed on `fail`)
 * and the macros of §7. DNS answers are attacker-controlled: lookups, void
 * lookups and nesting are bounded as §4.6.4 requires.
 */
export async function checkHost(ip: string, domain: string, options: CheckHostOptions): Promise<CheckHostOutcome> {
  const start = domain.toLowerCase().replace(/\.$/, '');
  const client = clientAddress(ip);
  const state: EvalState = {
    ip: client,
    sender: options.sender ?? `postmaster@${start}`,
    helo: options.helo ?? start,
    dnsLookups: 0,
    voidLookups: 0,
    trace: [],
    resolver: options.resolver,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  };
  if (isIP(client) === 0) return { result: 'permerror', reason: `"${ip}" is not an IP address`, dnsLookups: 0, voidLookups: 0, trace: [] };
  const counts = (): Pick<CheckHostOutcome, 'dnsLookups' | 'voidLookups' | 'trace'> => ({
    dnsLookups: state.dnsLookups,
    voidLookups: state.voidLookups,
    trace: state.trace,
  });
  try {
    const { result, reason, exp } = await evaluate(client, start, state, 0);
    const explanation = result === 'fail' && exp ? await explanationOf(exp, state) : undefined;
    return { result, reason, ...(explanation === undefined ? {} : { explanation }), ...counts() };
  } catch (err) {
    if (err instanceof SpfAbort) return { result: err.result, reason: err.message, ...counts() };
    return { result: 'temperror', reason: (err as Error).message, ...counts() };
  }
}

/** Input of {@link checkSpf}: the SMTP identities of RFC 7208 §2.3, §2.4. */
export interface CheckSpfInput {
  readonly ip: string;
  /** RFC5321.MailFrom; empty for a null reverse-path. */
  readonly mailFrom: string;
  /** The HELO/EHLO domain. */
  readonly helo: string;
  readonly resolver: DnsResolver;
  readonly signal?: AbortSignal;
}

/**
 * check_host() for the MAIL FROM identity (RFC 7208 §2.4), or the HELO
 * identity when MAIL FROM is empty (§2.3: `postmaster@<helo>`). A sender
 * without a local-part gets "postmaster" (§4.3).
 */
export async function checkSpf(input: CheckSpfInput): Promise<CheckHostOutcome> {
  const from = input.mailFrom === '' ? `postmaster@${input.helo}` : input.mailFrom;
  const at = from.lastIndexOf('@');
  const domain = at >= 0 ? from.slice(at + 1) : from;
  const sender = at <= 0 ? `postmaster@${domain}` : from;
  return checkHost(input.ip, domain, { resolver: input.resolver, sender, helo: input.helo, ...(input.signal ? { signal: input.signal } : {}) });
}
