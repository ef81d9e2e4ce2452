import type { CollectorContext } from '../collector-context.util';
import { NodeDnsResolver } from '../dns-resolver.util';
import type { TestDnsServer } from './dns-server.util';

/** A {@link CollectorContext} whose resolver talks only to the loopback test DNS server. */
export function testContext(dns: TestDnsServer, options: { now?: Date; signal?: AbortSignal; timeoutMs?: number } = {}): CollectorContext {
  const now = options.now ?? new Date();
  return {
    resolver: new NodeDnsResolver({ servers: [dns.server], timeoutMs: options.timeoutMs ?? 1000, tries: 1 }),
    now: () => now,
    signal: options.signal ?? new AbortController().signal,
  };
}
