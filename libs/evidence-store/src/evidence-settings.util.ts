import { DEFAULT_CHECKPOINT_POLICY } from '@auditstack/evidence';
import type { EvidenceServiceOptions } from './evidence.service';
import type { SqlPool } from './sql.util';

/**
 * The evidence settings, under the environment names the gateway and the CLI
 * both read (see `apps/gateway/src/config/gateway.config.ts` for their docs).
 */
export interface EvidenceSettings {
  readonly AUDITSTACK_HOME?: string | undefined;
  readonly EVIDENCE_ORIGIN?: string | undefined;
  readonly EVIDENCE_KEY_FILE?: string | undefined;
  readonly EVIDENCE_ANCHOR_FILE?: string | undefined;
  readonly EVIDENCE_TRUST_FILE?: string | undefined;
  readonly CHECKPOINT_EVERY_LEAVES?: number | undefined;
  readonly CHECKPOINT_EVERY_SECONDS?: number | undefined;
  readonly CHECKPOINT_HEARTBEAT_SECONDS?: number | undefined;
  readonly TSA_URL?: string | undefined;
  readonly TSA_CERT_FILE?: string | undefined;
}

/** Names of {@link EvidenceSettings} that hold whole seconds or counts. */
type NumericKey = 'CHECKPOINT_EVERY_LEAVES' | 'CHECKPOINT_EVERY_SECONDS' | 'CHECKPOINT_HEARTBEAT_SECONDS';

/**
 * Reads {@link EvidenceSettings} from an environment (the CLI; the gateway
 * parses its whole config with zod instead).
 *
 * @throws Error naming every bad key (values are not printed).
 */
export function evidenceSettingsFromEnv(env: NodeJS.ProcessEnv): EvidenceSettings {
  const bad: string[] = [];
  const num = (key: NumericKey): number | undefined => {
    const raw = env[key];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n <= 0) bad.push(`${key} must be a positive integer`);
    return n;
  };
  const str = (key: keyof EvidenceSettings): string | undefined => (env[key] ? env[key] : undefined);
  const settings: EvidenceSettings = {
    AUDITSTACK_HOME: str('AUDITSTACK_HOME'),
    EVIDENCE_ORIGIN: str('EVIDENCE_ORIGIN'),
    EVIDENCE_KEY_FILE: str('EVIDENCE_KEY_FILE'),
    EVIDENCE_ANCHOR_FILE: str('EVIDENCE_ANCHOR_FILE'),
    EVIDENCE_TRUST_FILE: str('EVIDENCE_TRUST_FILE'),
    CHECKPOINT_EVERY_LEAVES: num('CHECKPOINT_EVERY_LEAVES'),
    CHECKPOINT_EVERY_SECONDS: num('CHECKPOINT_EVERY_SECONDS'),
    CHECKPOINT_HEARTBEAT_SECONDS: num('CHECKPOINT_HEARTBEAT_SECONDS'),
    TSA_URL: str('TSA_URL'),
    TSA_CERT_FILE: str('TSA_CERT_FILE'),
  };
  if (settings.TSA_URL && !settings.TSA_CERT_FILE) bad.push('TSA_CERT_FILE is required when TSA_URL is set');
  if (bad.length > 0) throw new Error(`invalid evidence settings: ${bad.join('; ')}`);
  return settings;
}

/** Maps {@link EvidenceSettings} to {@link EvidenceServiceOptions}. */
export function evidenceOptionsFromSettings(db: SqlPool, s: EvidenceSettings): EvidenceServiceOptions {
  return {
    db,
    ...(s.AUDITSTACK_HOME ? { home: s.AUDITSTACK_HOME } : {}),
    ...(s.EVIDENCE_ORIGIN ? { origin: s.EVIDENCE_ORIGIN } : {}),
    ...(s.EVIDENCE_KEY_FILE ? { keyFile: s.EVIDENCE_KEY_FILE } : {}),
    ...(s.EVIDENCE_ANCHOR_FILE ? { anchorFile: s.EVIDENCE_ANCHOR_FILE } : {}),
    ...(s.EVIDENCE_TRUST_FILE ? { trustFile: s.EVIDENCE_TRUST_FILE } : {}),
    stamper: s.TSA_URL && s.TSA_CERT_FILE ? { kind: 'rfc3161', url: s.TSA_URL, certFile: s.TSA_CERT_FILE } : { kind: 'local' },
    policy: {
      everyLeaves: s.CHECKPOINT_EVERY_LEAVES ?? DEFAULT_CHECKPOINT_POLICY.everyLeaves,
      everySeconds: s.CHECKPOINT_EVERY_SECONDS ?? DEFAULT_CHECKPOINT_POLICY.everySeconds,
      heartbeatSeconds: s.CHECKPOINT_HEARTBEAT_SECONDS ?? DEFAULT_CHECKPOINT_POLICY.heartbeatSeconds,
    },
  };
}
