import { lookup as systemLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { CollectorError } from './collector.error';
import type { DnsResolver } from './dns-resolver.util';

/**
 * Denied to checks unless the operator says otherwise: link-local addresses
 * (where cloud metadata services live: 169.254.169.254, fd00:ec2::254 on
 * AWS' IPv6 IMDS) — reading them hands a check holder the host's cloud
 * credentials. Everything else is allowed by default: a self-hosted monitor
 * watches internal hosts.
 */
export const DEFAULT_EGRESS_DENY: readonly string[] = ['169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128'];

/** Resolves a host name to every address it has (A and AAAA). Hostile DNS answers are expected. */
export type AddressLookup = (host: string, signal: AbortSignal) => Promise<string[]>;

/** What a network check needs to pick its destination: the policy and how names are resolved. */
export interface EgressGuard {
  readonly policy: EgressPolicy;
  /** @defaultValue the system resolver (`getaddrinfo`, honours /etc/hosts) */
  readonly lookup?: AddressLookup;
}

/** True when `value` is an IPv4 or IPv6 CIDR block (`a.b.c.d/n`, `x::y/n`) or a single address. */
export function isCidr(value: string): boolean {
  const [address, bits, extra] = value.trim().split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** `::ffff:a.b.c.d` and `::ffff:hhhh:hhhh` → `a.b.c.d` (IPv4-mapped IPv6, RFC 4291 §2.5.5.2); otherwise undefined. */
export function mappedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower) ?? /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted && isIP(dotted[1]!) === 4) return dotted[1];
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of cidrs) {
    const cidr = raw.trim();
    if (!isCidr(cidr)) throw new CollectorError('EGRESS_CONFIG', `not a CIDR block: ${JSON.stringify(cidr.slice(0, 100))}`);
    const [address, bits] = cidr.split('/') as [string, string | undefined];
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

/**
 * Which addresses checks (`http`, `tcp`, `tls`, and the HTTPS fetches of the
 * DNS-posture checks) may connect to: allowed when inside `allow` (any
 * address when `allow` is unset) and outside `deny` plus
 * {@link DEFAULT_EGRESS_DENY}. An IPv4-mapped IPv6 address is judged as its
 * IPv4 address too.
 */
export class EgressPolicy {
  private readonly allow: BlockList | undefined;
  private readonly deny: BlockList;
  readonly denied: readonly string[];
  readonly allowed: readonly string[] | undefined;

  /** @throws CollectorError `EGRESS_CONFIG` naming an entry that is not a CIDR block. */
  constructor(options: { allow?: readonly string[]; deny?: readonly string[] } = {}) {
    this.denied = [...DEFAULT_EGRESS_DENY, ...(options.deny ?? [])];
    this.allowed = options.allow?.length ? [...options.allow] : undefined;
    this.deny = blockList(this.denied);
    this.allow = this.allowed ? blockList(this.allowed) : undefined;
  }

  /** Why `address` may not be reached, or undefined when it may. */
  refusal(address: string): string | undefined {
    const family = isIP(address);
    if (family === 0) return `${address} is not an IP address`;
    const forms: Array<[string, 'ipv4' | 'ipv6']> = [[address, family === 4 ? 'ipv4' : 'ipv6']];
    const v4 = family === 6 ? mappedIpv4(address) : undefined;
    if (v4) forms.push([v4, 'ipv4']);
    for (const [a, f] of forms)
      if (this.deny.check(a, f)) return `${address} is denied by the egress policy (CHECK_EGRESS_DENY and the built-in link-local/metadata denials)`;
    if (this.allow && !forms.some(([a, f]) => this.allow!.check(a, f))) return `${address} is outside CHECK_EGRESS_ALLOW`;
    return undefined;
  }
}

/** The policy used when a caller passes none: {@link DEFAULT_EGRESS_DENY} only. */
export const DEFAULT_EGRESS_POLICY = new EgressPolicy();

/** The system resolver (`getaddrinfo`: /etc/hosts, then DNS), every address. */
export const systemAddressLookup: AddressLookup = async (host) => (await systemLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** An {@link AddressLookup} over a {@link DnsResolver} (A and AAAA): the engine's DNS servers, or a test server. */
export function resolverAddressLookup(resolver: DnsResolver): AddressLookup {
  return async (host, signal) => {
    const [v4, v6] = await Promise.all([resolver.resolve4(host, { signal }), resolver.resolve6(host, { signal })]);
    const addresses = [...(v4.ok ? v4.answers : []), ...(v6.ok ? v6.answers : [])];
    if (addresses.length === 0) {
      const failure = !v4.ok ? v4 : !v6.ok ? v6 : undefined;
      throw new Error(failure ? `${host}: ${failure.kind} ${failure.message}` : `${host}: no address`);
    }
    return addresses;
  };
}

/**
 * Picks the address a check connects to: `host` itself when it is an IP
 * literal, else every address it resolves to. Refused when ANY of them is
 * refused by the policy (a name that also points at a metadata address is
 * not trusted to pick the safe one). The caller connects to the returned
 * address — never resolving `host` again — so a DNS answer that changes
 * between the check and the connection (rebinding) cannot redirect it.
 *
 * @throws CollectorError `EGRESS_DENIED` (refused), `REQUEST_NETWORK` (no address), `REQUEST_ABORTED`.
 */
export async function pinDestination(host: string, guard: EgressGuard | undefined, signal: AbortSignal): Promise<string> {
  const policy = guard?.policy ?? DEFAULT_EGRESS_POLICY;
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(bare) !== 0) addresses = [bare];
  else {
    if (signal.aborted) throw new CollectorError('REQUEST_ABORTED', `aborted before resolving ${host}`);
    let onAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new CollectorError('REQUEST_ABORTED', `aborted while resolving ${host}`));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      addresses = await Promise.race([(guard?.lookup ?? systemAddressLookup)(bare, signal), aborted]);
    } catch (error) {
      if (error instanceof CollectorError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new CollectorError('REQUEST_NETWORK', `cannot resolve ${host}${code ? ` (${code})` : ''}`, code);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
    if (addresses.length === 0) throw new CollectorError('REQUEST_NETWORK', `cannot resolve ${host}: no address`);
  }
  for (const address of addresses) {
    const refusal = policy.refusal(address);
    if (refusal) throw new CollectorError('EGRESS_DENIED', `egress refused for ${host}: ${refusal}`);
  }
  return addresses[0]!;
}
