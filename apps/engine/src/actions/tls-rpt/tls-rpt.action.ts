import { ACTION_TYPES } from '@auditstack/audit-core';
import { TlsRptConfigSchema, collectTlsRpt, type TlsRptConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `tls_rpt`: SMTP TLS reporting (RFC 8460) record. */
@ActionType({ type: ACTION_TYPES.tlsRpt, config: TlsRptConfigSchema, description: 'SMTP TLS reporting (RFC 8460) record.' })
export class TlsRptAction implements ActionHandler<TlsRptConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<TlsRptConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectTlsRpt(action.config, this.collectorContext.for(ctx)));
  }
}
