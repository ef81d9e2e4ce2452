import type { Socket } from 'node:net';
import { z } from 'zod';
import type { DnsResolver } from './dns-resolver.util';
import type { EgressGuard } from './egress-policy.util';

/**
 * What every collector receives from its caller, injected so that tests run
 * against servers they start on 127.0.0.1 and never need the internet.
 */
export interface CollectorContext {
  /** DNS lookups; {@link NodeDnsResolver} in production. */
  readonly resolver: DnsResolver;
  /** The clock certificates, policies and latencies are judged against. */
  now(): Date;
  /** Aborts all network I/O of the run (the action's timeout). */
  readonly signal: AbortSignal;
  /**
   * Opens a TCP connection for `tcp_port`.
   * @defaultValue `net.connect`
   */
  readonly connect?: (options: { host: string; port: number }) => Socket;
  /**
   * Which addresses network checks may reach, and how they resolve names
   * (the address checked is the address connected to).
   * @defaultValue `DEFAULT_EGRESS_POLICY` with the system resolver
   */
  readonly egress?: EgressGuard;
}

/** A DNS domain name (RFC 1035 §2.3.4 lengths, LDH labels plus `_`), trailing dot allowed. */
export const DomainNameSchema = z
  .string()
  .max(254)
  .regex(/^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i, 'must be a fully qualified domain name');

/** Lower case, no trailing dot: the form names are compared in. No transform in the schema, so it converts to JSON Schema. */
export function normaliseDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '');
}

/** An IPv4 or IPv6 address. */
export const IpAddressSchema = z.union([z.ipv4(), z.ipv6()]);
