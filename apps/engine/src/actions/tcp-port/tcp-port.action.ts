import { ACTION_TYPES } from '@auditstack/audit-core';
import { TcpPortConfigSchema, collectTcpPort, type TcpPortConfig } from '@auditstack/collectors';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';
import { CollectorContextFactory } from '../collector-context.service';

/** `tcp_port`: A TCP port accepts connections. */
@ActionType({ type: ACTION_TYPES.tcpPort, config: TcpPortConfigSchema, description: 'A TCP port accepts connections.' })
export class TcpPortAction implements ActionHandler<TcpPortConfig> {
  constructor(private readonly collectorContext: CollectorContextFactory) {}

  async run(action: ActionView<TcpPortConfig>, ctx: ActionContext): Promise<RunOutcome> {
    return outcomeFromChecks(await collectTcpPort(action.config, this.collectorContext.for(ctx)));
  }
}
