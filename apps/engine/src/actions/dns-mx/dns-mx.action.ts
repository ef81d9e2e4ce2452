import { ACTION_TYPES } from '@auditstack/audit-core';
import { DnsMxConfigSchema, collectDnsMx, type DnsMxConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `dns_mx`: MX records: host names not IPs, no CNAME targets, A/AAAA present, null MX (RFC 7505). */
@ActionType({
  type: ACTION_TYPES.dnsMx,
  config: DnsMxConfigSchema,
  description: 'MX records: host names not IPs, no CNAME targets, A/AAAA present, null MX (RFC 7505).',
})
export class DnsMxAction implements ActionHandler<DnsMxConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<DnsMxConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectDnsMx(action.config, this.collectorContext.for(ctx)));
  }
}
