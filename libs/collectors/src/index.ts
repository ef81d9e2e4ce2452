/**
 * @auditstack/collectors — the checks behind the engine's action types, as
 * framework-free async functions. Each takes its parsed config and an
 * injected context (resolver, clock, abort signal), returns `Check[]`, and
 * never throws for a target's misbehaviour.
 */
export type { CollectorErrorCode } from './collector.error';
export { CollectorError, isCollectorError } from './collector.error';
export type { CollectorContext } from './collector-context.util';
export { DomainNameSchema, IpAddressSchema } from './collector-context.util';
export type { AddressLookup, EgressGuard } from './egress-policy.util';
export {
  DEFAULT_EGRESS_DENY,
  DEFAULT_EGRESS_POLICY,
  EgressPolicy,
  isCidr,
  mappedIpv4,
  pinDestination,
  resolverAddressLookup,
  systemAddressLookup,
} from './egress-policy.util';

export type {
  DnsAnswerTypes,
  DnsFailureKind,
  DnsLookup,
  DnsQueryOptions,
  DnsRecordType,
  DnsResolver,
  DnsResult,
  DnsSource,
  MxRecord,
  NodeDnsResolverOptions,
  WireDnsResolverOptions,
} from './dns-resolver.util';
export { NodeDnsResolver, WireDnsResolver, isDnsServer, isVoidResult, parseDnsServer } from './dns-resolver.util';
export { CachingDnsResolver, type CachingDnsResolverOptions } from './dns-cache.util';

export type { CheckHostOptions, CheckHostOutcome, SpfMacroContext, SpfMechanism, SpfModifier, SpfQualifier, SpfRecord, SpfResult } from './spf-evaluator.util';
export {
  SPF_MAX_DNS_LOOKUPS,
  SPF_MAX_EXPLANATION_LENGTH,
  SPF_MAX_VOID_LOOKUPS,
  checkHost,
  checkSpf,
  expandMacros,
  isWellFormedDomain,
  parseSpfRecord,
} from './spf-evaluator.util';

export type { DnsSpfConfig } from './dns-spf.collector';
export { DnsSpfConfigSchema, collectDnsSpf } from './dns-spf.collector';
export type { DnsDmarcConfig } from './dns-dmarc.collector';
export { DnsDmarcConfigSchema, collectDnsDmarc, organisationalDomain } from './dns-dmarc.collector';
export type { DnsDkimConfig } from './dns-dkim.collector';
export { DnsDkimConfigSchema, collectDnsDkim } from './dns-dkim.collector';
export type { DnsMxConfig } from './dns-mx.collector';
export { DnsMxConfigSchema, collectDnsMx } from './dns-mx.collector';
export type { MtaStsConfig, MtaStsPolicy } from './mta-sts.collector';
export { MtaStsConfigSchema, collectMtaSts, parseMtaStsPolicy } from './mta-sts.collector';
export type { TlsRptConfig } from './tls-rpt.collector';
export { TlsRptConfigSchema, collectTlsRpt } from './tls-rpt.collector';

export type { HttpConfig } from './http.collector';
export type { HttpObservedResponse } from './http.collector';
export { HttpConfigSchema, collectHttp, collectHttpExchange } from './http.collector';
export type { TcpPortConfig } from './tcp-port.collector';
export { TcpPortConfigSchema, collectTcpPort } from './tcp-port.collector';
export type { CertificateSummary, TlsCertConfig } from './tls-cert.collector';
export { TlsCertConfigSchema, collectTlsCert } from './tls-cert.collector';

export type { SqlAssertionConfig, SqlQuery, SqlRow } from './sql-assertion.collector';
export { DatasourceNameSchema, INFRA_DOCS_CHECK_CONFIG, INFRA_DOCS_CHECK_SQL, SqlAssertionConfigSchema, collectSqlAssertion } from './sql-assertion.collector';

export type { WorkbookRunContext, WorkbookRunResult, WorkbookSqlQuery, WorkbookStepResult } from './workbook.collector';
export { evaluateAssertion, parameterizeSql, runWorkbook, worstStatus } from './workbook.collector';
