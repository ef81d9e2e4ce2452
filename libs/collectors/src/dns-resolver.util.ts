import { Resolver } from 'node:dns/promises';

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
    const signal = options?.signal;
    if (signal?.aborted) return { ok: false, kind: 'ABORTED', message: 'query aborted before it started' };
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
      const kind = signal?.aborted ? 'ABORTED' : dnsFailureKind(code);
      return { ok: false, kind, message: `${code ?? 'ERROR'}: ${(err as Error).message}` };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
