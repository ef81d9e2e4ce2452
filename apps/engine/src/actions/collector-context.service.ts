import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@auditstack/service-kit';
import {
  CachingDnsResolver,
  EgressPolicy,
  WireDnsResolver,
  resolverAddressLookup,
  systemAddressLookup,
  type CollectorContext,
  type DnsResolver,
  type EgressGuard,
  type SqlRow,
} from '@auditstack/collectors';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { CheckDatasources } from '../database/check-datasources.service';
import type { ActionContext } from './action-handler.util';

/**
 * Builds the injected context collectors take (resolver, clock, signal,
 * egress policy) from a run's context, and owns the datasources of SQL checks
 * (their pools live as long as the engine).
 */
@Injectable()
export class CollectorContextFactory implements OnApplicationShutdown {
  readonly resolver: DnsResolver;
  /** Named datasources of `sql_assertion` and workbook `sql` steps (never the engine's own pool). */
  readonly datasources: CheckDatasources;
  /** CHECK_EGRESS_ALLOW / CHECK_EGRESS_DENY; names resolved by ENGINE_DNS_SERVERS when set, else the system resolver. */
  readonly egress: EgressGuard;

  constructor(@Inject(ENGINE_CONFIG) config: Readonly<EngineConfig>, @Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    // One cache for every check of this process (ENGINE_DNS_CACHE_MAX_TTL_SECONDS), each query bounded by ENGINE_DNS_TIMEOUT_MS.
    const servers = config.ENGINE_DNS_SERVERS?.length ? config.ENGINE_DNS_SERVERS : undefined;
    const lookups = registry
      ? new Counter({
          name: 'auditstack_engine_dns_cache_total',
          help: 'DNS queries of checks, by result: hit (answered from the cache or by a query already in flight) or miss (asked the network).',
          labelNames: ['result'],
          registers: [registry],
        })
      : undefined;
    this.resolver = new CachingDnsResolver(new WireDnsResolver({ ...(servers ? { servers } : {}), timeoutMs: config.ENGINE_DNS_TIMEOUT_MS }), {
      maxTtlSeconds: config.ENGINE_DNS_CACHE_MAX_TTL_SECONDS,
      scope: servers?.join(',') ?? 'system',
      ...(lookups ? { onLookup: (result: 'hit' | 'miss') => lookups.inc({ result }) } : {}),
    });
    this.datasources = new CheckDatasources(config);
    this.egress = {
      policy: new EgressPolicy({
        ...(config.CHECK_EGRESS_ALLOW ? { allow: config.CHECK_EGRESS_ALLOW } : {}),
        ...(config.CHECK_EGRESS_DENY ? { deny: config.CHECK_EGRESS_DENY } : {}),
      }),
      lookup: config.ENGINE_DNS_SERVERS?.length ? resolverAddressLookup(this.resolver) : systemAddressLookup,
    };
  }

  for(ctx: Pick<ActionContext, 'now' | 'signal'>): CollectorContext {
    return { resolver: this.resolver, now: () => ctx.now(), signal: ctx.signal, egress: this.egress };
  }

  /** A SQL check's query on datasource `name`, in the sandbox, its statement bounded by `statementMs`. */
  sql(statementMs: number): (datasource: string, text: string, params: readonly unknown[], signal: AbortSignal) => Promise<SqlRow[]> {
    return (datasource, text, params, signal) => this.datasources.query(datasource, text, params, signal, statementMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.datasources.close();
  }
}
