import { ACTION_TYPES } from '@auditstack/audit-core';
import { MtaStsConfigSchema, collectMtaSts, type MtaStsConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `mta_sts`: MTA-STS (RFC 8461): TXT id, HTTPS policy fetch and parse, MX names covered. */
@ActionType({
  type: ACTION_TYPES.mtaSts,
  config: MtaStsConfigSchema,
  description: 'MTA-STS (RFC 8461): TXT id, HTTPS policy fetch and parse, MX names covered.',
})
export class MtaStsAction implements ActionHandler<MtaStsConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<MtaStsConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectMtaSts(action.config, this.collectorContext.for(ctx)));
  }
}
