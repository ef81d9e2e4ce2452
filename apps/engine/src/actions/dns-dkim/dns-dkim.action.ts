import { ACTION_TYPES } from '@auditstack/audit-core';
import { DnsDkimConfigSchema, collectDnsDkim, type DnsDkimConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `dns_dkim`: DKIM (RFC 6376) keys for the configured selectors: present, not revoked, RSA size, no sha1. */
@ActionType({
  type: ACTION_TYPES.dnsDkim,
  config: DnsDkimConfigSchema,
  description: 'DKIM (RFC 6376) keys for the configured selectors: present, not revoked, RSA size, no sha1.',
})
export class DnsDkimAction implements ActionHandler<DnsDkimConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<DnsDkimConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectDnsDkim(action.config, this.collectorContext.for(ctx)));
  }
}
