import { Inject, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { DomainErrorTable, RouteTable } from '@auditstack/audit-core';
import { ContractInterceptor } from './contract.interceptor';
import { ROUTE_CONTRACT } from './contract-route.decorator';
import { ProblemFilter } from './problem.filter';

/** What a service declares about its HTTP surface. */
export interface ContractOptions {
  readonly title: string;
  readonly description: string;
  /** OpenAPI `info.version`; bump the major for a breaking change. */
  readonly version: string;
  readonly routes: RouteTable;
  readonly errors: DomainErrorTable;
  /** Requests per minute per API token (per address without one); 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Event-loop delay (ms) above which requests are shed with 503 + Retry-After; 0 turns shedding off. */
  readonly shedEventLoopDelayMs: number;
}

/** Injection token of the {@link ContractOptions}. */
export const CONTRACT_OPTIONS = 'auditstack:contract-options';

/**
 * Every route of a service typed end to end: requests validated and
 * responses serialised through the route contracts ({@link ContractInterceptor}),
 * every error an RFC 9457 problem ({@link ProblemFilter}), and a boot check
 * that every handler has a contract and every contract a handler.
 */
@Module({ imports: [DiscoveryModule] })
export class ContractModule implements OnApplicationBootstrap {
  constructor(
    @Inject(CONTRACT_OPTIONS) private readonly options: ContractOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  static forRoot(options: ContractOptions): DynamicModule {
    return {
      module: ContractModule,
      global: true,
      providers: [
        { provide: CONTRACT_OPTIONS, useValue: options },
        { provide: APP_FILTER, useFactory: () => new ProblemFilter(options.errors) },
        { provide: APP_INTERCEPTOR, useClass: ContractInterceptor },
      ],
      exports: [CONTRACT_OPTIONS],
    };
  }

  /** Refuses to start when a handler has no contract or a contract no handler. */
  onApplicationBootstrap(): void {
    const problems = contractCoverage(this.discovery, this.scanner, this.reflector, this.options.routes);
    if (problems.length > 0) throw new Error(`the HTTP contract and the controllers disagree:\n- ${problems.join('\n- ')}`);
  }
}

/** Handlers without a contract, and contracts without a handler (or bound twice). */
export function contractCoverage(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector, routes: RouteTable): string[] {
  const problems: string[] = [];
  const bound = new Map<string, number>();
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance) continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, unknown>)[name] as object;
      if (Reflect.getMetadata('method', handler) === undefined) continue; // not a route handler
      const route = reflector.get<{ operationId: string } | undefined>(ROUTE_CONTRACT, handler as never);
      if (!route) {
        problems.push(`${wrapper.name}.${name} has no @ContractRoute`);
        continue;
      }
      if (routes[route.operationId] !== route)
        problems.push(`${wrapper.name}.${name} is bound to ${route.operationId}, which is not this service's route table entry`);
      bound.set(route.operationId, (bound.get(route.operationId) ?? 0) + 1);
    }
  }
  for (const operationId of Object.keys(routes)) {
    const count = bound.get(operationId) ?? 0;
    if (count === 0) problems.push(`route ${operationId} has no handler`);
    if (count > 1) problems.push(`route ${operationId} has ${count} handlers`);
  }
  return problems;
}
