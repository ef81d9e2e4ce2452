import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NodeDnsResolver, type CollectorContext, type DnsResolver, type SqlRow } from '@auditstack/collectors';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import { CheckDatasources } from '../database/check-datasources.service';
import type { ActionContext } from './action-handler.util';

/**
 * Builds the injected context collectors take (resolver, clock, signal) from
 * a run's context, and owns the datasources of SQL checks (their pools live
 * as long as the engine).
 */
@Injectable()
export class CollectorContextFactory implements OnApplicationShutdown {
  readonly resolver: DnsResolver;
  /** Named datasources of `sql_assertion` and workbook `sql` steps (never the engine's own pool). */
  readonly datasources: CheckDatasources;

  constructor(@Inject(ENGINE_CONFIG) config: Readonly<EngineConfig>) {
    this.resolver = new NodeDnsResolver(config.ENGINE_DNS_SERVERS?.length ? { servers: config.ENGINE_DNS_SERVERS } : {});
    this.datasources = new CheckDatasources(config);
  }

  for(ctx: Pick<ActionContext, 'now' | 'signal'>): CollectorContext {
    return { resolver: this.resolver, now: () => ctx.now(), signal: ctx.signal };
  }

  /** A SQL check's query on datasource `name`, in the sandbox, its statement bounded by `statementMs`. */
  sql(statementMs: number): (datasource: string, text: string, params: readonly unknown[], signal: AbortSignal) => Promise<SqlRow[]> {
    return (datasource, text, params, signal) => this.datasources.query(datasource, text, params, signal, statementMs);
  }

  onApplicationShutdown(): Promise<void> {
    return this.datasources.close();
  }
}
