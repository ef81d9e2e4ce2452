import { DiscoveryService } from '@nestjs/core';
import type { ActionTypeOptions } from './action-handler.util';

/**
 * Registers a class as an action type:
 *
 * ```ts
 * @ActionType({ type: ACTION_TYPES.tlsCert, config: TlsCertConfigSchema })
 * export class TlsCertAction implements ActionHandler<TlsCertConfig> { … }
 * ```
 *
 * The class must also be a provider of a module the engine imports;
 * {@link ActionRegistry} finds it at boot through Nest's DiscoveryService.
 */
export const ActionType = DiscoveryService.createDecorator<ActionTypeOptions>();
