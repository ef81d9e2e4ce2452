import type { DnsFailureKind, DnsQueryOptions, DnsResolver, DnsResult, MxRecord } from '../dns-resolver.util';

/**
 * An in-memory {@link DnsResolver} serving the `zonedata` of one scenario of
 * the RFC 7208 test suite (testing/rfc7208-tests.yml), with the suite's
 * conventions:
 * - each owner name maps to a list of `{TYPE: value}` entries or the word `TIMEOUT`;
 * - `SPF` records are also served as `TXT` when the name has no `TXT` entry
 *   (RFC 7208 dropped type SPF; the suite relies on this duplication), and
 *   `TXT: NONE` means "no TXT records, and do not duplicate";
 * - `TIMEOUT` makes every query of a type the name has no records of time out;
 * - absent names are NXDOMAIN, except names under `error.`, which time out;
 * - CNAMEs are followed (at most 8 hops; a loop is a SERVFAIL).
 */
export class SuiteZoneResolver implements DnsResolver {
  private readonly zone = new Map<string, Array<{ type: string; value: unknown } | 'TIMEOUT'>>();
  /** Every query made, as `TYPE name`. */
  readonly queries: string[] = [];

  constructor(zonedata: Record<string, unknown> | null | undefined) {
    for (const [owner, entries] of Object.entries(zonedata ?? {})) {
      const list: Array<{ type: string; value: unknown } | 'TIMEOUT'> = [];
      let hasTxt = false;
      const spf: unknown[] = [];
      for (const entry of Array.isArray(entries) ? entries : []) {
        if (entry === 'TIMEOUT') {
          list.push('TIMEOUT');
          continue;
        }
        for (const [type, value] of Object.entries(entry as Record<string, unknown>)) {
          if (type === 'TXT') hasTxt = true;
          if (type === 'SPF') spf.push(value);
          if ((type === 'TXT' || type === 'SPF') && value === 'NONE') continue;
          list.push({ type, value });
        }
      }
      if (!hasTxt) for (const value of spf) list.push({ type: 'TXT', value });
      this.zone.set(normalise(owner), list);
    }
  }

  private lookup(name: string, type: string, hops = 0): DnsResult<unknown> {
    this.queries.push(`${type} ${name}`);
    const key = normalise(name);
    if (key.split('.').some((label) => label.length > 63)) return failure('ERROR', 'label longer than 63 octets');
    const entries = this.zone.get(key);
    if (!entries) return key.startsWith('error.') ? failure('TIMEOUT', 'timeout') : failure('NXDOMAIN', 'no such name');
    const answers: unknown[] = [];
    let timeout = false;
    let cname: string | undefined;
    for (const entry of entries) {
      if (entry === 'TIMEOUT') {
        timeout = true;
        continue;
      }
      if (entry.type === type) {
        if (entry.value === 'TIMEOUT') return failure('TIMEOUT', 'timeout');
        answers.push(entry.value);
      } else if (entry.type === 'CNAME' && typeof entry.value === 'string') cname = entry.value;
    }
    if (answers.length > 0) return { ok: true, answers };
    if (cname !== undefined && type !== 'CNAME') {
      if (hops >= 8) return failure('SERVFAIL', 'CNAME chain too long');
      return this.lookup(cname, type, hops + 1);
    }
    if (timeout) return failure('TIMEOUT', 'timeout');
    return failure('NODATA', 'no records of this type');
  }

  resolveTxt(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string[]>> {
    return Promise.resolve(map(this.lookup(name, 'TXT'), (v) => (Array.isArray(v) ? v.map(String) : [String(v)])));
  }

  resolveMx(name: string, _options?: DnsQueryOptions): Promise<DnsResult<MxRecord>> {
    return Promise.resolve(
      map(this.lookup(name, 'MX'), (v) => {
        const [priority, exchange] = v as [number, string];
        return { priority: Number(priority), exchange: String(exchange) };
      }),
    );
  }

  resolve4(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return Promise.resolve(map(this.lookup(name, 'A'), String));
  }

  resolve6(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return Promise.resolve(map(this.lookup(name, 'AAAA'), String));
  }

  resolveCname(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return Promise.resolve(map(this.lookup(name, 'CNAME'), String));
  }

  resolveNs(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return Promise.resolve(map(this.lookup(name, 'NS'), String));
  }

  resolvePtr(name: string, _options?: DnsQueryOptions): Promise<DnsResult<string>> {
    return Promise.resolve(map(this.lookup(name, 'PTR'), String));
  }
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function failure(kind: DnsFailureKind, message: string): { ok: false; kind: DnsFailureKind; message: string } {
  return { ok: false, kind, message };
}

function map<T>(result: DnsResult<unknown>, f: (v: unknown) => T): DnsResult<T> {
  return result.ok ? { ok: true, answers: result.answers.map(f) } : result;
}
