import { ACTION_TYPES } from '@auditstack/audit-core';
import { DnsDmarcConfigSchema, collectDnsDmarc, type DnsDmarcConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `dns_dmarc`: DMARC (RFC 7489): one record, policy, rua and its external authorisation, pct. */
@ActionType({
  type: ACTION_TYPES.dnsDmarc,
  config: DnsDmarcConfigSchema,
  description: 'DMARC (RFC 7489): one record, policy, rua and its external authorisation, pct.',
})
export class DnsDmarcAction implements ActionHandler<DnsDmarcConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<DnsDmarcConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectDnsDmarc(action.config, this.collectorContext.for(ctx)));
  }
}
