import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  EgressPolicy,
  NodeDnsResolver,
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

  constructor(@Inject(ENGINE_CONFIG) config: Readonly<EngineConfig>) {
    this.resolver = new NodeDnsResolver(config.ENGINE_DNS_SERVERS?.length ? { servers: config.ENGINE_DNS_SERVERS } : {});
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
