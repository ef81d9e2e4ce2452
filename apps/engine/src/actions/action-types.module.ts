import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ActionRegistry } from './action-registry.service';
import { CollectorContextFactory } from './collector-context.service';
import { discoverActionTypes } from './action-type-discovery.util';
import { engineEvidenceProvider } from './evidence.provider';

/** The built-in action types: one folder each under `actions/`, found at boot (see `discoverActionTypes`). */
export const BUILTIN_ACTION_TYPES = discoverActionTypes();

/** Action types and the registry that discovers them (every `@ActionType` provider of the application). */
@Module({})
export class ActionTypesModule {
  static forRoot(extra: readonly Provider[] = []): DynamicModule {
    return {
      module: ActionTypesModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [ActionRegistry, CollectorContextFactory, engineEvidenceProvider, ...BUILTIN_ACTION_TYPES, ...extra],
      exports: [ActionRegistry, CollectorContextFactory],
    };
  }
}
