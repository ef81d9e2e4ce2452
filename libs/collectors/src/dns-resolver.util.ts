import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { getServers } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import { z } from 'zod';

/**
 * Why a DNS query produced no answers. NXDOMAIN (RCODE 3) and NODATA
 * (NOERROR with an empty answer section) are the two "void" outcomes of
 * RFC 7208 §4.6.4; the others are resolution failures.
 */
export type DnsFailureKind = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'ABORTED' | 'ERROR';

/** The outcome of one DNS query: answers, or a typed failure. Never thrown. */
export type DnsResult<T> = { readonly ok: true; readonly answers: T[] } | { readonly ok: false; readonly kind: DnsFailureKind; readonly message: string };

/** One MX answer (RFC 1035 §3.3.9). */
export interface MxRecord {
  readonly priority: number;
  readonly exchange: string;
}

/** Per-query options. */
export interface DnsQueryOptions {
  /** Cancels the query; the result is then `{ ok: false, kind: 'ABORTED' }`. */
  readonly signal?: AbortSignal;
  /**
   * Longest wait for this query, all attempts included; the result is then
   * `{ ok: false, kind: 'TIMEOUT' }`. Overrides the resolver's own timeout.
   */
  readonly timeoutMs?: number;
}

/** The optional `timeout_ms` of a DNS check's config: the longest wait for each of its DNS queries. */
export const DnsTimeoutMsSchema = z.number().int().min(100).max(120_000).optional();

/** The options a DNS check passes with each query: the run's signal, and its `timeout_ms` when set. */
export function dnsQueryOptions(signal: AbortSignal, timeoutMs: number | undefined): DnsQueryOptions {
  return timeoutMs !== undefined ? { signal, timeoutMs } : { signal };
}

/** The record types collectors ask for. */
export type DnsRecordType = 'A' | 'AAAA' | 'TXT' | 'MX' | 'CNAME' | 'NS' | 'PTR';

/** The answer type of each {@link DnsRecordType}, as {@link DnsResolver} returns it. */
export interface DnsAnswerTypes {
  A: string;
  AAAA: string;
  TXT: string[];
  MX: MxRecord;
  CNAME: string;
  NS: string;
  PTR: string;
}

/**
 * One query's outcome with how long it may be reused: for answers the
 * smallest TTL of the RRset (and of the CNAMEs leading to it); for NXDOMAIN
 * and NODATA the negative TTL of RFC 2308 §5 (min of the SOA's TTL and its
 * MINIMUM) when the response carried a SOA; unset when unknown.
 */
export interface DnsLookup<T> {
  readonly result: DnsResult<T>;
  readonly ttlSeconds?: number;
}

/** A DNS source that reports TTLs, which {@link CachingDnsResolver} needs. */
export interface DnsSource {
  lookup<K extends DnsRecordType>(name: string, type: K, options?: DnsQueryOptions): Promise<DnsLookup<DnsAnswerTypes[K]>>;
}

/**
 * The DNS lookups collectors make. Every method resolves (never rejects) to a
 * {@link DnsResult}. Answers come from the network and are attacker-controlled:
 * callers must bound what they do with them.
 */
export interface DnsResolver {
  /** TXT records, each as its list of character-strings (RFC 1035 §3.3.14), unjoined. */
  resolveTxt(name: string, options?: DnsQueryOptions): Promise<DnsResult<string[]>>;
  /** MX records; a null MX (RFC 7505) has exchange `''` or `'.'`. */
  resolveMx(name: string, options?: DnsQueryOptions): Promise<DnsResult<MxRecord>>;
  /** IPv4 addresses (A), following CNAMEs. */
  resolve4(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>>;
  /** IPv6 addresses (AAAA), following CNAMEs. */
  resolve6(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>>;
  /** The CNAME target of `name`; NODATA when `name` is not an alias. */
  resolveCname(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>>;
  /** Name servers (NS). */
  resolveNs(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>>;
  /** PTR names of a reverse-lookup name (`…in-addr.arpa`, `…ip6.arpa`). */
  resolvePtr(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>>;
}

/** Options of {@link NodeDnsResolver}. */
export interface NodeDnsResolverOptions {
  /**
   * Servers as `ip` or `ip:port` (`[v6]:port`); the system's resolvers when empty.
   * @defaultValue the system configuration
   */
  readonly servers?: readonly string[];
  /**
   * Per-attempt timeout in milliseconds (c-ares doubles it on each retry).
   * @defaultValue 2000
   */
  readonly timeoutMs?: number;
  /**
   * Attempts per server.
   * @defaultValue 2
   */
  readonly tries?: number;
  /**
   * Most answers kept per query; a hostile zone can return thousands.
   * @defaultValue 100
   */
  readonly maxAnswers?: number;
}

/** True for the two "void lookup" outcomes of RFC 7208 §4.6.4 (NXDOMAIN or no answers). */
export function isVoidResult(result: DnsResult<unknown>): boolean {
  return result.ok ? result.answers.length === 0 : result.kind === 'NXDOMAIN' || result.kind === 'NODATA';
}

/** Maps a c-ares error code from node:dns to a {@link DnsFailureKind}. */
export function dnsFailureKind(code: string | undefined): DnsFailureKind {
  switch (code) {
    case 'ENOTFOUND':
      return 'NXDOMAIN';
    case 'ENODATA':
      return 'NODATA';
    case 'ESERVFAIL':
      return 'SERVFAIL';
    case 'EREFUSED':
      return 'REFUSED';
    case 'ETIMEOUT':
      return 'TIMEOUT';
    case 'ECANCELLED':
      return 'ABORTED';
    default:
      return 'ERROR';
  }
}

/**
 * {@link DnsResolver} on node:dns (c-ares). Each query gets its own c-ares
 * channel so that aborting one query (`Resolver.cancel()`) cancels only that
 * query. c-ares retries over TCP when a UDP answer is truncated (RFC 1035 §4.2.1).
 */
export class NodeDnsResolver implements DnsResolver {
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly maxAnswers: number;

  constructor(private readonly options: NodeDnsResolverOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.tries = options.tries ?? 2;
    this.maxAnswers = options.maxAnswers ?? 100;
  }

  resolveTxt(name: string, options?: DnsQueryOptions): Promise<DnsResult<string[]>> {
    return this.run((r) => r.resolveTxt(name), options);
  }

  resolveMx(name: string, options?: DnsQueryOptions): Promise<DnsResult<MxRecord>> {
    return this.run(async (r) => (await r.resolveMx(name)).map((mx) => ({ priority: mx.priority, exchange: mx.exchange })), options);
  }

  resolve4(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.run((r) => r.resolve4(name), options);
  }

  resolve6(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.run((r) => r.resolve6(name), options);
  }

  resolveCname(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.run((r) => r.resolveCname(name), options);
  }

  resolveNs(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.run((r) => r.resolveNs(name), options);
  }

  resolvePtr(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.run((r) => r.resolvePtr(name), options);
  }

  private async run<T>(query: (resolver: Resolver) => Promise<T[]>, options?: DnsQueryOptions): Promise<DnsResult<T>> {
    if (options?.signal?.aborted) return { ok: false, kind: 'ABORTED', message: 'query aborted before it started' };
    const timeout = options?.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signal = timeout ? (options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout) : options?.signal;
    const resolver = new Resolver({ timeout: this.timeoutMs, tries: this.tries });
    if (this.options.servers && this.options.servers.length > 0) resolver.setServers([...this.options.servers]);
    const onAbort = (): void => resolver.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answers = await query(resolver);
      // Attacker-controlled: a zone may return a huge RRset; keep a bounded prefix.
      return { ok: true, answers: answers.slice(0, this.maxAnswers) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (timeout?.aborted && !options?.signal?.aborted) return { ok: false, kind: 'TIMEOUT', message: `ETIMEOUT: no answer within ${options?.timeoutMs} ms` };
      const kind = signal?.aborted ? 'ABORTED' : dnsFailureKind(code);
      return { ok: false, kind, message: `${code ?? 'ERROR'}: ${(err as Error).message}` };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Options of {@link WireDnsResolver}. */
export interface WireDnsResolverOptions {
  /**
   * Servers as `ip`, `ip:port`, `[v6]:port`; tried in turn.
   * @defaultValue the system's (`dns.getServers()`)
   */
  readonly servers?: readonly string[];
  /**
   * Longest wait for one query, all attempts included (overridable per query).
   * @defaultValue 5000
   */
  readonly timeoutMs?: number;
  /**
   * Attempts per server (UDP; TCP when the answer is truncated).
   * @defaultValue 2
   */
  readonly tries?: number;
  /**
   * Most answers kept per query; a hostile zone can return thousands.
   * @defaultValue 100
   */
  readonly maxAnswers?: number;
}

interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** `ip`, `ip:port`, `[v6]`, `[v6]:port` → address and port (53 by default). */
export function parseDnsServer(server: string): ServerAddress {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(server);
  const hostPort = /^([^:]+):(\d{1,5})$/.exec(server);
  const [host, port] = bracketed
    ? [bracketed[1] as string, bracketed[2] ? Number(bracketed[2]) : 53]
    : net.isIP(server)
      ? [server, 53]
      : hostPort && net.isIPv4(hostPort[1] as string)
        ? [hostPort[1] as string, Number(hostPort[2])]
        : ['', 0];
  if (!net.isIP(host) || (bracketed && !net.isIPv6(host)) || port < 1 || port > 65_535)
    throw new Error('DNS server must be an IP address, ip:port or [ipv6]:port');
  // Canonical form, as answers' source addresses are compared with it.
  return { host: net.isIPv6(host) ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host, port };
}

/** True when {@link parseDnsServer} accepts `server`. */
export function isDnsServer(server: string): boolean {
  try {
    parseDnsServer(server);
    return true;
  } catch {
    return false;
  }
}

const RCODE_KINDS: Record<number, DnsFailureKind> = { 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };
const MAX_TCP_MESSAGE = 65_535;
const RCODE_FORMERR = 1;
const EDNS_UDP_PAYLOAD = 1232;

class QueryTimeout extends Error {}

function lower(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function txtStrings(data: dnsPacket.TxtData): string[] {
  return (Array.isArray(data) ? data : [data]).map((part) => (typeof part === 'string' ? part : part.toString('utf8')));
}

/**
 * {@link DnsResolver} and {@link DnsSource} speaking the DNS wire format
 * (RFC 1035) itself, so that it can report TTLs: a stub resolver asking
 * recursive servers, UDP first, TCP when the answer is truncated
 * (RFC 7766). A response counts only when its id, source and question match
 * the query. One deadline (`timeoutMs`) bounds each query, all attempts
 * included; it ends with `{ ok: false, kind: 'TIMEOUT' }`.
 */
export class WireDnsResolver implements DnsResolver, DnsSource {
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly maxAnswers: number;
  private readonly servers: readonly ServerAddress[] | undefined;

  constructor(options: WireDnsResolverOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.tries = Math.max(1, options.tries ?? 2);
    this.maxAnswers = options.maxAnswers ?? 100;
    this.servers = options.servers && options.servers.length > 0 ? options.servers.map(parseDnsServer) : undefined;
  }

  resolveTxt(name: string, options?: DnsQueryOptions): Promise<DnsResult<string[]>> {
    return this.lookup(name, 'TXT', options).then((l) => l.result);
  }

  resolveMx(name: string, options?: DnsQueryOptions): Promise<DnsResult<MxRecord>> {
    return this.lookup(name, 'MX', options).then((l) => l.result);
  }

  resolve4(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.lookup(name, 'A', options).then((l) => l.result);
  }

  resolve6(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.lookup(name, 'AAAA', options).then((l) => l.result);
  }

  resolveCname(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.lookup(name, 'CNAME', options).then((l) => l.result);
  }

  resolveNs(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.lookup(name, 'NS', options).then((l) => l.result);
  }

  resolvePtr(name: string, options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return this.lookup(name, 'PTR', options).then((l) => l.result);
  }

  async lookup<K extends DnsRecordType>(rawName: string, type: K, options?: DnsQueryOptions): Promise<DnsLookup<DnsAnswerTypes[K]>> {
    const signal = options?.signal;
    if (signal?.aborted) return { result: { ok: false, kind: 'ABORTED', message: 'query aborted before it started' } };
    const name = lower(rawName);
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    const servers = this.servers ?? getServers().map(parseDnsServer);
    if (servers.length === 0) return { result: { ok: false, kind: 'ERROR', message: 'no DNS server configured' } };
    const deadline = AbortSignal.timeout(timeoutMs);
    const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const attempts = servers.length * this.tries;
    let lastFailure: DnsLookup<DnsAnswerTypes[K]> | undefined;
    let edns = true;
    for (let attempt = 0; attempt < attempts && !stop.aborted; attempt += 1) {
      const server = servers[attempt % servers.length] as ServerAddress;
      // Each UDP attempt gets an equal share of the deadline; a TCP retry what is left of it.
      const share = Math.max(1, Math.floor(timeoutMs / attempts));
      try {
        let response = await this.exchangeUdp(server, name, type, edns, AbortSignal.any([stop, AbortSignal.timeout(share)]));
        if (edns && ((response.flags ?? 0) & 0xf) === RCODE_FORMERR) {
          edns = false; // a server without EDNS(0): ask it again without (RFC 6891 §7), not counted as an attempt
          attempt -= 1;
          continue;
        }
        if (response.flag_tc) response = await this.exchangeTcp(server, name, type, stop);
        const lookup = this.interpret<K>(response, name, type);
        if (lookup.result.ok || (lookup.result.kind !== 'SERVFAIL' && lookup.result.kind !== 'REFUSED')) return lookup;
        lastFailure = lookup; // another server may answer
      } catch (err) {
        if (!(err instanceof QueryTimeout)) lastFailure = { result: { ok: false, kind: 'ERROR', message: `ERROR: ${(err as Error).message}` } };
      }
    }
    if (signal?.aborted) return { result: { ok: false, kind: 'ABORTED', message: 'query aborted' } };
    if (deadline.aborted || !lastFailure) return { result: { ok: false, kind: 'TIMEOUT', message: `ETIMEOUT: no answer within ${timeoutMs} ms` } };
    return lastFailure;
  }

  private interpret<K extends DnsRecordType>(response: dnsPacket.DecodedPacket, name: string, type: K): DnsLookup<DnsAnswerTypes[K]> {
    const rcode = (response.flags ?? 0) & 0xf;
    const soa = (response.authorities ?? []).find((rr): rr is dnsPacket.SoaAnswer => rr.type === 'SOA');
    // RFC 2308 §5: the negative TTL is the smaller of the SOA's TTL and its MINIMUM.
    const negativeTtl = soa ? Math.min(soa.ttl ?? 0, soa.data.minimum ?? soa.ttl ?? 0) : undefined;
    const negative = (kind: DnsFailureKind, message: string): DnsLookup<DnsAnswerTypes[K]> => ({
      result: { ok: false, kind, message },
      ...(negativeTtl !== undefined ? { ttlSeconds: negativeTtl } : {}),
    });
    if (rcode === 3) return negative('NXDOMAIN', `ENOTFOUND: ${type} ${name}: no such name`);
    if (rcode !== 0) {
      const kind = RCODE_KINDS[rcode] ?? 'ERROR';
      return { result: { ok: false, kind, message: `${kind}: ${type} ${name}: response code ${rcode}` } };
    }
    // Follow the CNAME chain the server put in the answer section (RFC 1034 §3.6.2).
    const answers = response.answers ?? [];
    let owner = name;
    let ttl = Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    if (type !== 'CNAME') {
      for (let hops = 0; hops < 16 && !seen.has(owner); hops += 1) {
        seen.add(owner);
        const alias = answers.find((rr) => rr.type === 'CNAME' && lower(rr.name) === owner);
        if (!alias || alias.type !== 'CNAME') break;
        ttl = Math.min(ttl, alias.ttl ?? 0);
        owner = lower(alias.data);
      }
    }
    const matching = answers.filter((rr) => rr.type === type && lower(rr.name) === owner).slice(0, this.maxAnswers);
    if (matching.length === 0) return negative('NODATA', `ENODATA: ${type} ${name}: no records`);
    for (const rr of matching) ttl = Math.min(ttl, 'ttl' in rr ? (rr.ttl ?? 0) : 0);
    const values = matching.map((rr): unknown => {
      switch (rr.type) {
        case 'TXT':
          return txtStrings(rr.data);
        case 'MX':
          return { priority: rr.data.preference ?? 0, exchange: rr.data.exchange === '.' ? '' : lower(rr.data.exchange) };
        case 'A':
        case 'AAAA':
          return rr.data;
        case 'CNAME':
        case 'NS':
        case 'PTR':
          return lower(rr.data);
        default:
          return undefined;
      }
    });
    return { result: { ok: true, answers: values as DnsAnswerTypes[K][] }, ttlSeconds: ttl };
  }

  private query(name: string, type: DnsRecordType, edns: boolean): { id: number; packet: dnsPacket.Packet } {
    const id = randomInt(0, 65_536);
    const packet: dnsPacket.Packet = { type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] };
    // EDNS(0) with the 1232-byte UDP payload of DNS Flag Day 2020: fewer TCP retries for DKIM keys and long SPF records.
    if (edns)
      packet.additionals = [
        { type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
      ];
    return { id, packet };
  }

  private matches(response: dnsPacket.DecodedPacket, id: number, name: string, type: DnsRecordType): boolean {
    const question = response.questions?.[0];
    return response.type === 'response' && response.id === id && !!question && question.type === type && lower(question.name) === name;
  }

  private exchangeUdp(server: ServerAddress, name: string, type: DnsRecordType, edns: boolean, stop: AbortSignal): Promise<dnsPacket.DecodedPacket> {
    const { id, packet } = this.query(name, type, edns);
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
      let settled = false;
      const finish = (err: Error | undefined, response?: dnsPacket.DecodedPacket): void => {
        if (settled) return;
        settled = true;
        stop.removeEventListener('abort', onStop);
        socket.close();
        if (err) reject(err);
        else resolve(response as dnsPacket.DecodedPacket);
      };
      const onStop = (): void => finish(new QueryTimeout());
      stop.addEventListener('abort', onStop, { once: true });
      socket.on('error', (err) => finish(err));
      socket.on('message', (message, from) => {
        if (from.port !== server.port || from.address !== server.host) return; // not our server: ignore
        let response: dnsPacket.DecodedPacket;
        try {
          response = dnsPacket.decode(message);
        } catch {
          return; // malformed: keep waiting for the real answer
        }
        if (this.matches(response, id, name, type)) finish(undefined, response);
      });
      socket.send(dnsPacket.encode(packet), server.port, server.host, (err) => {
        if (err) finish(err);
      });
    });
  }

  private exchangeTcp(server: ServerAddress, name: string, type: DnsRecordType, stop: AbortSignal): Promise<dnsPacket.DecodedPacket> {
    const { id, packet } = this.query(name, type, false);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: server.host, port: server.port });
      let buffered = Buffer.alloc(0);
      let settled = false;
      const finish = (err: Error | undefined, response?: dnsPacket.DecodedPacket): void => {
        if (settled) return;
        settled = true;
        stop.removeEventListener('abort', onStop);
        socket.destroy();
        if (err) reject(err);
        else resolve(response as dnsPacket.DecodedPacket);
      };
      const onStop = (): void => finish(new QueryTimeout());
      stop.addEventListener('abort', onStop, { once: true });
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('connection closed before the answer')));
      socket.on('connect', () => socket.write(dnsPacket.streamEncode(packet)));
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length > MAX_TCP_MESSAGE + 2) return finish(new Error('answer too large'));
        if (buffered.length < 2) return;
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) return;
        let response: dnsPacket.DecodedPacket;
        try {
          response = dnsPacket.decode(buffered.subarray(2, 2 + length));
        } catch {
          return finish(new Error('malformed answer'));
        }
        if (this.matches(response, id, name, type)) finish(undefined, response);
        else finish(new Error('answer does not match the query'));
      });
    });
  }
}
