import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ActionRegistry } from './action-registry.service';
import { CollectorContextFactory } from './collector-context.service';
import { DnsDkimAction } from './dns-dkim/dns-dkim.action';
import { DnsDmarcAction } from './dns-dmarc/dns-dmarc.action';
import { DnsMxAction } from './dns-mx/dns-mx.action';
import { DnsSpfAction } from './dns-spf/dns-spf.action';
import { EvidenceCheckpointAction } from './evidence-checkpoint/evidence-checkpoint.action';
import { engineEvidenceProvider } from './evidence.provider';
import { EvidenceVerifyAction } from './evidence-verify/evidence-verify.action';
import { HttpAction } from './http/http.action';
import { MtaStsAction } from './mta-sts/mta-sts.action';
import { SqlAssertionAction } from './sql-assertion/sql-assertion.action';
import { TcpPortAction } from './tcp-port/tcp-port.action';
import { TlsCertAction } from './tls-cert/tls-cert.action';
import { TlsRptAction } from './tls-rpt/tls-rpt.action';

/** The built-in action types. A new type is one more folder and one more entry here (or a module passed to `EngineModule.forRoot`). */
export const BUILTIN_ACTION_TYPES = [
  HttpAction,
  TlsCertAction,
  DnsMxAction,
  DnsSpfAction,
  DnsDmarcAction,
  DnsDkimAction,
  MtaStsAction,
  TlsRptAction,
  TcpPortAction,
  SqlAssertionAction,
  EvidenceCheckpointAction,
  EvidenceVerifyAction,
] as const;

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
