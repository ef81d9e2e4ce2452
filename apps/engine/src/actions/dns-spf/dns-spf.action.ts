import { ACTION_TYPES } from '@auditstack/audit-core';
import { DnsSpfConfigSchema, collectDnsSpf, type DnsSpfConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `dns_spf`: SPF (RFC 7208): one record, lookup and void-lookup limits, all qualifier, check_host() for listed senders. */
@ActionType({
  type: ACTION_TYPES.dnsSpf,
  config: DnsSpfConfigSchema,
  description: 'SPF (RFC 7208): one record, lookup and void-lookup limits, all qualifier, check_host() for listed senders.',
})
export class DnsSpfAction implements ActionHandler<DnsSpfConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<DnsSpfConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectDnsSpf(action.config, this.collectorContext.for(ctx)));
  }
}
