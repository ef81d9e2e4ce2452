import { Inject, Injectable } from '@nestjs/common';
import { NodeDnsResolver, type CollectorContext, type DnsResolver } from '@auditstack/collectors';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine.config';
import type { ActionContext } from './action-handler.util';

/** Builds the injected context collectors take (resolver, clock, signal) from a run's context. */
@Injectable()
export class CollectorContextFactory {
  readonly resolver: DnsResolver;

  constructor(@Inject(ENGINE_CONFIG) config: Readonly<EngineConfig>) {
    this.resolver = new NodeDnsResolver(config.ENGINE_DNS_SERVERS?.length ? { servers: config.ENGINE_DNS_SERVERS } : {});
  }

  for(ctx: ActionContext): CollectorContext {
    return { resolver: this.resolver, now: () => ctx.now(), signal: ctx.signal };
  }
}
