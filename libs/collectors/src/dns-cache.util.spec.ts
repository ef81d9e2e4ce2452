import { CachingDnsResolver } from './dns-cache.util';
import type { DnsAnswerTypes, DnsLookup, DnsQueryOptions, DnsRecordType, DnsSource } from './dns-resolver.util';

type Reply = DnsLookup<unknown> | Promise<DnsLookup<unknown>>;

/** A DNS source answering from a table, counting what it is asked, with a hand-driven clock. */
class FakeSource implements DnsSource {
  readonly asked: string[] = [];
  readonly signals: Array<AbortSignal | undefined> = [];
  constructor(private readonly answer: (name: string, type: DnsRecordType) => Reply) {}
  lookup<K extends DnsRecordType>(name: string, type: K, options?: DnsQueryOptions): Promise<DnsLookup<DnsAnswerTypes[K]>> {
    this.asked.push(`${type} ${name}`);
    this.signals.push(options?.signal);
    return Promise.resolve(this.answer(name, type)) as Promise<DnsLookup<DnsAnswerTypes[K]>>;
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CachingDnsResolver', () => {
  let clock = 0;
  const now = (): number => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('answers a repeated query from the cache until the RRset TTL runs out, then asks again', async () => {
    const source = new FakeSource(() => ({ result: { ok: true, answers: [['v=spf1 -all']] }, ttlSeconds: 120 }));
    const hits: string[] = [];
    const cache = new CachingDnsResolver(source, { now, onLookup: (r) => hits.push(r) });
    expect(await cache.resolveTxt('Example.test.')).toEqual({ ok: true, answers: [['v=spf1 -all']] });
    clock += 3_000;
    expect(await cache.resolveTxt('example.test')).toEqual({ ok: true, answers: [['v=spf1 -all']] });
    clock += 116_999; // 119.999 s after the answer
    await cache.resolveTxt('example.test');
    expect(source.asked).toEqual(['TXT example.test']);
    clock += 1;
    await cache.resolveTxt('example.test');
    expect(source.asked).toEqual(['TXT example.test', 'TXT example.test']);
    expect(hits).toEqual(['miss', 'hit', 'hit', 'miss']);
  });

  it('keys by type as well as name', async () => {
    const source = new FakeSource((_name, type) => ({ result: { ok: true, answers: type === 'A' ? ['192.0.2.1'] : ['2001:db8::1'] }, ttlSeconds: 60 }));
    const cache = new CachingDnsResolver(source, { now });
    expect(await cache.resolve4('h.test')).toEqual({ ok: true, answers: ['192.0.2.1'] });
    expect(await cache.resolve6('h.test')).toEqual({ ok: true, answers: ['2001:db8::1'] });
    await cache.resolve4('h.test');
    await cache.resolve6('h.test');
    expect(source.asked).toEqual(['A h.test', 'AAAA h.test']);
  });

  it('caps a long TTL at maxTtlSeconds', async () => {
    const source = new FakeSource(() => ({ result: { ok: true, answers: [{ priority: 10, exchange: 'mx.test' }] }, ttlSeconds: 86_400 }));
    const cache = new CachingDnsResolver(source, { now, maxTtlSeconds: 600 });
    await cache.resolveMx('m.test');
    clock += 599_999;
    await cache.resolveMx('m.test');
    expect(source.asked).toHaveLength(1);
    clock += 1;
    await cache.resolveMx('m.test');
    expect(source.asked).toHaveLength(2);
  });

  it('caches nothing when maxTtlSeconds is 0, and nothing with TTL 0', async () => {
    const off = new FakeSource(() => ({ result: { ok: true, answers: ['192.0.2.1'] }, ttlSeconds: 300 }));
    const disabled = new CachingDnsResolver(off, { now, maxTtlSeconds: 0 });
    await disabled.resolve4('a.test');
    await disabled.resolve4('a.test');
    expect(off.asked).toHaveLength(2);
    const zero = new FakeSource(() => ({ result: { ok: true, answers: ['192.0.2.1'] }, ttlSeconds: 0 }));
    const cache = new CachingDnsResolver(zero, { now });
    await cache.resolve4('a.test');
    await cache.resolve4('a.test');
    expect(zero.asked).toHaveLength(2);
  });

  it('caches NXDOMAIN and NODATA for the SOA minimum (RFC 2308), else for the short default', async () => {
    const source = new FakeSource((name) =>
      name === 'soa.test'
        ? { result: { ok: false, kind: 'NXDOMAIN', message: 'ENOTFOUND' }, ttlSeconds: 10 }
        : { result: { ok: false, kind: 'NODATA', message: 'ENODATA' } },
    );
    const cache = new CachingDnsResolver(source, { now, negativeTtlSeconds: 30 });
    expect(await cache.resolveTxt('soa.test')).toMatchObject({ ok: false, kind: 'NXDOMAIN' });
    expect(await cache.resolveTxt('nosoa.test')).toMatchObject({ ok: false, kind: 'NODATA' });
    clock += 9_999;
    await cache.resolveTxt('soa.test');
    await cache.resolveTxt('nosoa.test');
    expect(source.asked).toEqual(['TXT soa.test', 'TXT nosoa.test']);
    clock += 1;
    await cache.resolveTxt('soa.test');
    clock += 20_000;
    await cache.resolveTxt('nosoa.test');
    expect(source.asked).toEqual(['TXT soa.test', 'TXT nosoa.test', 'TXT soa.test', 'TXT nosoa.test']);
  });

  it('keeps SERVFAIL and timeouts only for errorTtlSeconds, and never an abort', async () => {
    let kind: 'SERVFAIL' | 'TIMEOUT' | 'ABORTED' = 'SERVFAIL';
    const source = new FakeSource(() => ({ result: { ok: false, kind, message: kind }, ttlSeconds: 3600 }));
    const cache = new CachingDnsResolver(source, { now, errorTtlSeconds: 2 });
    await cache.resolveTxt('e.test');
    clock += 1_999;
    expect(await cache.resolveTxt('e.test')).toMatchObject({ kind: 'SERVFAIL' });
    expect(source.asked).toHaveLength(1);
    clock += 1;
    kind = 'TIMEOUT';
    expect(await cache.resolveTxt('e.test')).toMatchObject({ kind: 'TIMEOUT' });
    expect(source.asked).toHaveLength(2);
    clock += 2_000;
    kind = 'ABORTED';
    await cache.resolveTxt('e.test');
    await cache.resolveTxt('e.test');
    expect(source.asked).toHaveLength(4);
  });

  it('shares one network query between concurrent identical queries', async () => {
    const pending = deferred<DnsLookup<unknown>>();
    const source = new FakeSource(() => pending.promise);
    const outcomes: string[] = [];
    const cache = new CachingDnsResolver(source, { now, onLookup: (r) => outcomes.push(r) });
    const all = Promise.all([cache.resolveTxt('d.test'), cache.resolveTxt('d.test'), cache.resolveTxt('D.TEST.')]);
    pending.resolve({ result: { ok: true, answers: [['x']] }, ttlSeconds: 0 });
    expect(await all).toEqual([
      { ok: true, answers: [['x']] },
      { ok: true, answers: [['x']] },
      { ok: true, answers: [['x']] },
    ]);
    expect(source.asked).toEqual(['TXT d.test']);
    expect(outcomes).toEqual(['miss', 'hit', 'hit']);
  });

  it('one caller aborting does not abort the query the others wait for; all aborting cancels it', async () => {
    const pending = deferred<DnsLookup<unknown>>();
    const source = new FakeSource(() => pending.promise);
    const cache = new CachingDnsResolver(source, { now });
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.resolveTxt('s.test', { signal: first.signal });
    const b = cache.resolveTxt('s.test', { signal: second.signal });
    first.abort();
    expect(await a).toMatchObject({ ok: false, kind: 'ABORTED' });
    expect(source.signals[0]?.aborted).toBe(false);
    second.abort();
    expect(await b).toMatchObject({ ok: false, kind: 'ABORTED' });
    expect(source.signals[0]?.aborted).toBe(true);
    pending.resolve({ result: { ok: false, kind: 'ABORTED', message: 'cancelled' } });
    // The cancelled query left nothing behind: the next caller asks again.
    await cache.resolveTxt('s.test');
    expect(source.asked).toHaveLength(2);
  });

  it('gives a caller its own timeout while the shared query keeps going for the others', async () => {
    const pending = deferred<DnsLookup<unknown>>();
    const source = new FakeSource(() => pending.promise);
    const cache = new CachingDnsResolver(source, { now });
    const patient = cache.resolveTxt('t.test', { timeoutMs: 60_000 });
    const hasty = await cache.resolveTxt('t.test', { timeoutMs: 20 });
    expect(hasty).toMatchObject({ ok: false, kind: 'TIMEOUT' });
    expect(hasty.ok ? '' : hasty.message).toContain('20 ms');
    pending.resolve({ result: { ok: true, answers: [['late']] }, ttlSeconds: 60 });
    expect(await patient).toEqual({ ok: true, answers: [['late']] });
  });

  it('never hands a caller the timeout of a query that had a shorter one', async () => {
    const pending = deferred<DnsLookup<unknown>>();
    const source = new FakeSource(() => pending.promise);
    const cache = new CachingDnsResolver(source, { now });
    const short = cache.resolveTxt('w.test', { timeoutMs: 150 });
    const long = cache.resolveTxt('w.test', { timeoutMs: 5000 });
    expect(source.asked).toHaveLength(2); // not shared: different timeouts
    pending.resolve({ result: { ok: false, kind: 'TIMEOUT', message: 'no answer within 150 ms' } });
    await Promise.all([short, long]);
    const timedOut = new FakeSource(() => ({ result: { ok: false, kind: 'TIMEOUT', message: 'no answer within 150 ms' } }));
    const second = new CachingDnsResolver(timedOut, { now });
    await second.resolveTxt('w.test', { timeoutMs: 150 });
    await second.resolveTxt('w.test', { timeoutMs: 100 }); // would not have waited longer: the cached timeout stands
    expect(timedOut.asked).toHaveLength(1);
    await second.resolveTxt('w.test', { timeoutMs: 5000 }); // would have: asks again
    await second.resolveTxt('w.test'); // the source's own timeout: asks again
    expect(timedOut.asked).toHaveLength(3);
  });

  it('holds at most maxEntries answers, evicting the least recently used', async () => {
    const source = new FakeSource((name) => ({ result: { ok: true, answers: [name] }, ttlSeconds: 300 }));
    const cache = new CachingDnsResolver(source, { now, maxEntries: 2 });
    await cache.resolvePtr('a.test');
    await cache.resolvePtr('b.test');
    await cache.resolvePtr('a.test'); // a is now the most recent
    await cache.resolvePtr('c.test'); // evicts b
    expect(cache.size).toBe(2);
    await cache.resolvePtr('a.test');
    await cache.resolvePtr('b.test');
    expect(source.asked).toEqual(['PTR a.test', 'PTR b.test', 'PTR c.test', 'PTR b.test']);
  });

  it('holds at most maxBytes of answers, and never one answer larger than that', async () => {
    const source = new FakeSource((name) => ({
      result: { ok: true, answers: [[name.startsWith('huge') ? 'x'.repeat(5000) : 'y'.repeat(300)]] },
      ttlSeconds: 300,
    }));
    const cache = new CachingDnsResolver(source, { now, maxBytes: 1000 });
    await cache.resolveTxt('a.test');
    await cache.resolveTxt('b.test');
    expect(cache.size).toBe(2);
    await cache.resolveTxt('c.test'); // over 1000 bytes with three: a goes
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    await cache.resolveTxt('huge.test');
    await cache.resolveTxt('huge.test');
    await cache.resolveTxt('b.test');
    await cache.resolveTxt('a.test');
    expect(source.asked).toEqual(['TXT a.test', 'TXT b.test', 'TXT c.test', 'TXT huge.test', 'TXT huge.test', 'TXT a.test']);
  });

  it('passes the per-query timeout on to the source', async () => {
    const seen: Array<number | undefined> = [];
    const source: DnsSource = {
      lookup: (_name, _type, options) => {
        seen.push(options?.timeoutMs);
        return Promise.resolve({ result: { ok: true, answers: [] }, ttlSeconds: 0 }) as never;
      },
    };
    const cache = new CachingDnsResolver(source, { now });
    await cache.resolveNs('n.test', { timeoutMs: 1234 });
    await cache.resolveCname('n.test');
    expect(seen).toEqual([1234, undefined]);
  });
});
