import { ACTION_TYPES } from '@auditstack/audit-core';
import { TlsCertConfigSchema, collectTlsCert, type TlsCertConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `tls_cert`: TLS certificate: days to expiry, hostname match, chain validity, protocol version. */
@ActionType({
  type: ACTION_TYPES.tlsCert,
  config: TlsCertConfigSchema,
  description: 'TLS certificate: days to expiry, hostname match, chain validity, protocol version.',
})
export class TlsCertAction implements ActionHandler<TlsCertConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<TlsCertConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectTlsCert(action.config, this.collectorContext.for(ctx)));
  }
}
