import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { z } from 'zod';
import { ACTION_TYPE_ID_PATTERN, ACTION_TYPES } from '@auditstack/audit-core';
import type { ActionHandler, ActionTypeOptions } from './action-handler.util';
import { ActionType } from './action-type.decorator';

/** A registered action type: its metadata and handler instance. */
export interface RegisteredActionType extends ActionTypeOptions {
  readonly handler: ActionHandler;
}

/** Why the registry refused to start. */
export class ActionRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionRegistryError';
  }
}

/**
 * The action type ids that must have a handler at boot.
 * @defaultValue every id of `ACTION_TYPES` (audit-core): persisted ids that rows and queued jobs may name.
 */
export const DECLARED_ACTION_TYPES = Symbol('DECLARED_ACTION_TYPES');

/**
 * Every action type of this engine, collected once at boot from the
 * providers decorated with `@ActionType`. Boot fails on a duplicate id, an id
 * that is not lowercase snake_case, a decorated class without `run()`, or a
 * declared action type (`ACTION_TYPES`) that no handler registers — stored
 * actions of that type would otherwise only fail at their first run.
 */
@Injectable()
export class ActionRegistry implements OnModuleInit {
  private readonly logger = new Logger(ActionRegistry.name);
  private readonly types = new Map<string, RegisteredActionType>();

  private readonly declared: readonly string[];

  constructor(
    private readonly discovery: DiscoveryService,
    @Optional() @Inject(DECLARED_ACTION_TYPES) declared?: readonly string[],
  ) {
    this.declared = declared ?? Object.values(ACTION_TYPES);
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: ActionType.KEY })) {
      const options = this.discovery.getMetadataByDecorator(ActionType, wrapper);
      const instance: unknown = wrapper.instance;
      if (!options) continue;
      const className = wrapper.metatype?.name ?? String(wrapper.token);
      if (!instance || typeof (instance as Partial<ActionHandler>).run !== 'function') {
        throw new ActionRegistryError(`action type "${options.type}" (${className}) has no run() method`);
      }
      this.register(options, instance as ActionHandler, className);
    }
    const unhandled = this.declared.filter((type) => !this.types.has(type));
    if (unhandled.length > 0) {
      throw new ActionRegistryError(
        `declared action type(s) without a handler: ${unhandled.map((t) => `"${t}"`).join(', ')} (ACTION_TYPES in audit-core names them; register an @ActionType for each)`,
      );
    }
    this.logger.log(`action types: ${[...this.types.keys()].sort().join(', ')}`);
  }

  /** Adds one type; refuses a duplicate or malformed id. */
  register(options: ActionTypeOptions, handler: ActionHandler, source = 'handler'): void {
    if (!ACTION_TYPE_ID_PATTERN.test(options.type)) {
      throw new ActionRegistryError(`action type id "${options.type}" (${source}) must be lowercase snake_case (${ACTION_TYPE_ID_PATTERN})`);
    }
    if (this.types.has(options.type)) {
      throw new ActionRegistryError(`duplicate action type "${options.type}" (${source}): each id may be registered once`);
    }
    this.types.set(options.type, { ...options, handler });
  }

  get(type: string): RegisteredActionType | undefined {
    return this.types.get(type);
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  /** Registered types, sorted by id. */
  list(): RegisteredActionType[] {
    return [...this.types.values()].sort((a, b) => a.type.localeCompare(b.type));
  }

  /** JSON Schema (draft 2020-12) of a type's config, as the dashboard renders forms from it. */
  configJsonSchema(type: RegisteredActionType): Record<string, unknown> {
    return this.jsonSchemaOf(type.config);
  }

  /** JSON Schema of any zod schema (input side); `{}` when it cannot be represented. */
  jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
    try {
      return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    } catch (error) {
      this.logger.warn(`a schema cannot be converted to JSON Schema: ${(error as Error).message}`);
      return {};
    }
  }
}
