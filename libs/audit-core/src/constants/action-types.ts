/**
 * Action type ids. These strings are persisted in `audit.actions.action_type`
 * and used as queue job names: never derive them from class names, never
 * rename one without a migration.
 */
export const ACTION_TYPES = {
  http: 'http',
  tlsCert: 'tls_cert',
  dnsMx: 'dns_mx',
  dnsSpf: 'dns_spf',
  dnsDmarc: 'dns_dmarc',
  dnsDkim: 'dns_dkim',
  mtaSts: 'mta_sts',
  tlsRpt: 'tls_rpt',
  tcpPort: 'tcp_port',
  sqlAssertion: 'sql_assertion',
  workbook: 'workbook',
  retention: 'retention',
  auditCleanup: 'audit_cleanup',
  auditCompact: 'audit_compact',
  dailyCostDigest: 'daily_cost_digest',
  dailyPrivacyDigest: 'daily_privacy_digest',
  weeklyDrift: 'weekly_drift',
  evidenceCheckpoint: 'evidence_checkpoint',
  evidenceVerify: 'evidence_verify',
} as const;

export type BuiltinActionType = (typeof ACTION_TYPES)[keyof typeof ACTION_TYPES];

/** Action type ids are lowercase snake_case, so a third-party module's id is a valid job name too. */
export const ACTION_TYPE_ID_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;
