import { z } from 'zod';
import { DEFAULT_CHECKPOINT_POLICY } from '@auditstack/evidence';
import { envSchemas, loadConfig } from '@auditstack/audit-core/server';
import type { EvidenceServiceOptions } from './evidence.service';
import type { SqlPool } from './sql.util';
import { DEFAULT_RETENTION_FLOOR_DAYS } from './trust-file.util';

/**
 * The evidence settings: ONE zod shape that the gateway and the engine spread
 * into their config schemas and the CLI parses on its own, so all three sign
 * with the same key, anchor to the same file, stamp with the same TSA and
 * verify against the same trust root. Documented in README.md and .env.example.
 */
export const EVIDENCE_SETTINGS_SHAPE = {
  /** Home folder (keys, anchors, trust root); each path below defaults under it. */
  AUDITSTACK_HOME: z.string().min(1).default('.auditstack'),
  /** Checkpoint origin = name of the Ed25519 signing key (C2SP signed-note: no spaces, no '+'). */
  EVIDENCE_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/, 'must be a key name without spaces or "+"')
    .default('auditstack.local/ledger'),
  /** Checkpoint signing key (created with mode 0600 on first start; keep it off the database host). Unset: `$AUDITSTACK_HOME/keys/checkpoint.key`. */
  EVIDENCE_KEY_FILE: z.string().min(1).optional(),
  /** Anchor JSONL, one line per checkpoint; put it on other storage (append-only/WORM). Unset: `$AUDITSTACK_HOME/anchors/anchors.jsonl`. */
  EVIDENCE_ANCHOR_FILE: z.string().min(1).optional(),
  /**
   * The pinned trust root: the verifier keys `verify` trusts (and nothing else) and the policy floors;
   * written at first start, printed once. Unset: `$AUDITSTACK_HOME/keys/trusted-keys.txt`.
   */
  EVIDENCE_TRUST_FILE: z.string().min(1).optional(),
  /** What the services last saw (newest checkpoint, anchor file size and last line), so a cut-short anchor is caught. Unset: `$AUDITSTACK_HOME/keys/trust-state.json`. */
  EVIDENCE_TRUST_STATE_FILE: z.string().min(1).optional(),
  /** Retention floor (days) pinned into a NEW trust file at first start; later changes go into the trust file. @defaultValue 30 */
  EVIDENCE_RETENTION_FLOOR_DAYS: envSchemas.positiveInt.default(DEFAULT_RETENTION_FLOOR_DAYS),
  /** Grace (seconds) on top of CHECKPOINT_EVERY_SECONDS before `verify` calls an uncovered leaf or an unanchored checkpoint late. @defaultValue 60 */
  EVIDENCE_VERIFY_GRACE_SECONDS: envSchemas.positiveInt.default(60),
  /** Checkpoint after this many new ledger leaves. */
  CHECKPOINT_EVERY_LEAVES: envSchemas.positiveInt.default(DEFAULT_CHECKPOINT_POLICY.everyLeaves),
  /** Checkpoint after this many seconds when the ledger grew. */
  CHECKPOINT_EVERY_SECONDS: envSchemas.positiveInt.default(DEFAULT_CHECKPOINT_POLICY.everySeconds),
  /** Idle heartbeat: checkpoint after this many seconds even if nothing happened (so "nothing happened" is provable). */
  CHECKPOINT_HEARTBEAT_SECONDS: envSchemas.positiveInt.default(DEFAULT_CHECKPOINT_POLICY.heartbeatSeconds),
  /** RFC 3161 Time-Stamp Authority URL; unset: checkpoints get the local signed timestamp. Needs TSA_CERT_FILE. */
  TSA_URL: envSchemas.url.optional(),
  /** PEM of the TSA's signing certificate (must carry the critical timeStamping EKU); required with TSA_URL. */
  TSA_CERT_FILE: z.string().min(1).optional(),
} as const;

/** The evidence settings on their own (the CLI; the apps spread {@link EVIDENCE_SETTINGS_SHAPE} into theirs). */
export const EvidenceSettingsSchema = z.object(EVIDENCE_SETTINGS_SHAPE);

/** Parsed evidence settings (what the gateway and engine configs also hold under the same keys). */
export type EvidenceSettings = Readonly<z.output<typeof EvidenceSettingsSchema>>;

/** TSA_URL without TSA_CERT_FILE cannot verify what the TSA signs: refused at boot by every reader. */
function checkTsa(s: Pick<EvidenceSettings, 'TSA_URL' | 'TSA_CERT_FILE'>): void {
  if (s.TSA_URL && !s.TSA_CERT_FILE) throw new Error('invalid evidence settings: TSA_CERT_FILE is required when TSA_URL is set');
}

/**
 * Reads {@link EvidenceSettings} from an environment with {@link EvidenceSettingsSchema}.
 *
 * @throws ConfigError naming every bad key (values are not printed); Error when TSA_URL lacks TSA_CERT_FILE.
 */
export function evidenceSettingsFromEnv(env: NodeJS.ProcessEnv): EvidenceSettings {
  const settings = loadConfig(EvidenceSettingsSchema, env) as EvidenceSettings;
  checkTsa(settings);
  return settings;
}

/** Maps {@link EvidenceSettings} to {@link EvidenceServiceOptions} (the same mapping for gateway, engine and CLI). */
export function evidenceOptionsFromSettings(db: SqlPool, s: EvidenceSettings): EvidenceServiceOptions {
  checkTsa(s);
  return {
    db,
    home: s.AUDITSTACK_HOME,
    origin: s.EVIDENCE_ORIGIN,
    ...(s.EVIDENCE_KEY_FILE ? { keyFile: s.EVIDENCE_KEY_FILE } : {}),
    ...(s.EVIDENCE_ANCHOR_FILE ? { anchorFile: s.EVIDENCE_ANCHOR_FILE } : {}),
    ...(s.EVIDENCE_TRUST_FILE ? { trustFile: s.EVIDENCE_TRUST_FILE } : {}),
    ...(s.EVIDENCE_TRUST_STATE_FILE ? { trustStateFile: s.EVIDENCE_TRUST_STATE_FILE } : {}),
    retentionFloorDays: s.EVIDENCE_RETENTION_FLOOR_DAYS,
    verifyGraceSeconds: s.EVIDENCE_VERIFY_GRACE_SECONDS,
    stamper: s.TSA_URL && s.TSA_CERT_FILE ? { kind: 'rfc3161', url: s.TSA_URL, certFile: s.TSA_CERT_FILE } : { kind: 'local' },
    policy: {
      everyLeaves: s.CHECKPOINT_EVERY_LEAVES,
      everySeconds: s.CHECKPOINT_EVERY_SECONDS,
      heartbeatSeconds: s.CHECKPOINT_HEARTBEAT_SECONDS,
    },
  };
}
