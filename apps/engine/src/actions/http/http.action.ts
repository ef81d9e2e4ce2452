import { ACTION_TYPES } from '@auditstack/audit-core';
import { HttpConfigSchema, collectHttp, type HttpConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `http`: HTTP(S) request: status, body keyword or JSON path, latency, redirects, TLS verification. */
@ActionType({
  type: ACTION_TYPES.http,
  config: HttpConfigSchema,
  description: 'HTTP(S) request: status, body keyword or JSON path, latency, redirects, TLS verification.',
})
export class HttpAction implements ActionHandler<HttpConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<HttpConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectHttp(action.config, this.collectorContext.for(ctx)));
  }
}
